using System.Buffers;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.EventStream;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Interop;

/// <summary>The gateway's CBOR and event stream codecs against independent ones (@smithy/core, botocore). Handlers are stubs registered through the handler seam.</summary>
public sealed class CodecInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SmithyCbor_ReadsWhatTheGatewayWrites()
    {
        RequireNode();
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new KinesisDocumentWriter(KinesisWireFormat.Cbor, output))
        {
            writer.WriteStartObject();
            writer.WriteString("S"u8, "h\u00e9llo");
            writer.WriteNumber("I"u8, -42L);
            writer.WriteNumber("Big"u8, 1L << 40);
            writer.WriteNumber("D"u8, 2.5);
            writer.WriteBoolean("B"u8, true);
            writer.WritePropertyName("N"u8);
            writer.WriteNullValue();
            writer.WriteBlob("X"u8, [1, 2, 250]);
            writer.WriteTimestamp("T"u8, 1712345678123L);
            writer.WritePropertyName("A"u8);
            writer.WriteStartArray();
            writer.WriteStringValue("one");
            writer.WriteStartObject();
            writer.WriteNumber("k"u8, 1L);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }

        var decoded = await InteropTools.RunNodeAsync("js_codec.cjs", ["cbor-decode", Convert.ToHexStringLower(output.WrittenSpan)], Ct);
        Assert.Equal("h\u00e9llo", decoded.GetProperty("S").GetString());
        Assert.Equal(-42, decoded.GetProperty("I").GetInt64());
        Assert.Equal(1L << 40, decoded.GetProperty("Big").GetInt64());
        Assert.Equal(2.5, decoded.GetProperty("D").GetDouble());
        Assert.True(decoded.GetProperty("B").GetBoolean());
        Assert.Equal(JsonValueKind.Null, decoded.GetProperty("N").ValueKind);
        Assert.Equal([1, 2, 250], Convert.FromBase64String(decoded.GetProperty("X").GetProperty("$bytes").GetString()!));
        Assert.Equal(1, decoded.GetProperty("T").GetProperty("$tag").GetInt32());
        Assert.Equal(1712345678123L, decoded.GetProperty("T").GetProperty("value").GetInt64());
        Assert.Equal("one", decoded.GetProperty("A")[0].GetString());
        Assert.Equal(1, decoded.GetProperty("A")[1].GetProperty("k").GetInt32());
    }

    [Fact]
    public async Task SmithyCbor_WritesWhatTheGatewayReads()
    {
        RequireNode();
        var json = """{"StreamName":"s","Limit":25,"Ratio":0.25,"Neg":-7,"On":false,"Data":{"$bytes":"AQID"},"Timestamp":{"$tag":1,"value":1712345678123},"Tags":["x","y"],"Nested":{"a":null}}""";
        var hex = (await ExternalProcess.RunAsync(InteropTools.Node!, [InteropTools.Script("js_codec.cjs"), "cbor-encode", json], cancellationToken: Ct)).StandardOutput.Trim();
        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, Convert.FromHexString(hex));
        var seen = new Dictionary<string, object?>();
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            var name = reader.GetString();
            switch (name)
            {
                case "StreamName":
                    seen[name] = reader.ReadString();
                    break;
                case "Limit":
                case "Neg":
                    seen[name] = reader.ReadInt64();
                    break;
                case "Ratio":
                    seen[name] = reader.ReadDouble();
                    break;
                case "On":
                    seen[name] = reader.ReadBoolean();
                    break;
                case "Data":
                    seen[name] = Convert.ToHexString(reader.ReadBlob()!.Value.Span);
                    break;
                case "Timestamp":
                    seen[name] = reader.ReadTimestamp();
                    break;
                default:
                    reader.SkipValue();
                    seen[name] = "skipped";
                    break;
            }
        }

        reader.ReadEndOfDocument();
        Assert.Equal("s", seen["StreamName"]);
        Assert.Equal(25L, seen["Limit"]);
        Assert.Equal(-7L, seen["Neg"]);
        Assert.Equal(0.25, seen["Ratio"]);
        Assert.Equal(false, seen["On"]);
        Assert.Equal("010203", seen["Data"]);
        Assert.Equal(1712345678123L, seen["Timestamp"]);
        Assert.Equal("skipped", seen["Tags"]);
        Assert.Equal("skipped", seen["Nested"]);
    }

    [Fact]
    public async Task EventStream_GatewayEncoding_DecodedByBotocoreAndSmithy()
    {
        RequirePython();
        RequireNode();
        EventStreamHeader[] headers =
        [
            new(":message-type", EventStreamHeaderValue.FromString("event")),
            new(":event-type", EventStreamHeaderValue.FromString("SubscribeToShardEvent")),
            new("flag", EventStreamHeaderValue.FromBoolean(false)),
            new("byte", EventStreamHeaderValue.FromByte(-3)),
            new("short", EventStreamHeaderValue.FromInt16(-300)),
            new("int", EventStreamHeaderValue.FromInt32(70000)),
            new("long", EventStreamHeaderValue.FromInt64(-5000000000)),
            new("bytes", EventStreamHeaderValue.FromBytes(new byte[] { 0, 255, 7 })),
            new("when", EventStreamHeaderValue.FromTimestamp(1712345678123)),
        ];
        var payload = Encoding.UTF8.GetBytes("{\"Records\":[]}");
        var output = new ArrayBufferWriter<byte>();
        EventStreamCodec.Encode(output, headers, payload);
        EventStreamCodec.Encode(output, [new(":message-type", EventStreamHeaderValue.FromString("event"))], []);
        var hex = Convert.ToHexStringLower(output.WrittenSpan);

        var boto = await InteropTools.RunJsonAsync(InteropTools.Python!, [InteropTools.Script("eventstream_decode.py"), hex], Ct);
        Assert.Equal(2, boto.GetArrayLength());
        var first = boto[0].GetProperty("headers");
        Assert.Equal("SubscribeToShardEvent", first.GetProperty(":event-type").GetString());
        Assert.False(first.GetProperty("flag").GetBoolean());
        Assert.Equal(-3, first.GetProperty("byte").GetInt32());
        Assert.Equal(-300, first.GetProperty("short").GetInt32());
        Assert.Equal(70000, first.GetProperty("int").GetInt32());
        Assert.Equal(-5000000000, first.GetProperty("long").GetInt64());
        Assert.Equal([0, 255, 7], Convert.FromBase64String(first.GetProperty("bytes").GetProperty("$bytes").GetString()!));
        Assert.Equal(1712345678123, first.GetProperty("when").GetInt64());
        Assert.Equal(payload, Convert.FromBase64String(boto[0].GetProperty("payload").GetString()!));

        var smithy = await InteropTools.RunNodeAsync("js_codec.cjs", ["eventstream-decode", hex], Ct);
        Assert.Equal(2, smithy.GetArrayLength());
        var smithyHeaders = smithy[0].GetProperty("headers");
        Assert.Equal("short", smithyHeaders.GetProperty("short").GetProperty("type").GetString());
        Assert.Equal(-300, smithyHeaders.GetProperty("short").GetProperty("value").GetInt32());
        Assert.Equal(1712345678123, smithyHeaders.GetProperty("when").GetProperty("value").GetInt64());
        Assert.Equal(payload, Convert.FromBase64String(smithy[0].GetProperty("payload").GetString()!));
    }

    private static void RequirePython()
    {
        if (InteropTools.Python is null)
        {
            Prerequisite.Missing("No python3 with boto3 (Debian package python3-boto3).");
        }
    }

    private static void RequireNode()
    {
        if (InteropTools.Node is null)
        {
            Prerequisite.Missing("node or the npm packages of tests/interop are missing (make npm).");
        }
    }
}
