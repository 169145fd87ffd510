using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.EventStream;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Api.Kinesis.Tests.Operations;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.EventStream;

/// <summary>
/// The event stream response writer without sockets: the HTTP head, the initial-response, events and
/// exception events as Kinesis frames them (headers, payload encoding), each flushed on its own; and
/// the same bytes read by botocore's decoder.
/// </summary>
public sealed class EventStreamResponseWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_Json_Http200EventStreamAndEmptyInitialResponse()
    {
        var (context, body) = NewContext();
        using var writer = new EventStreamResponseWriter(context.Response, KinesisWireFormat.Json);

        await writer.StartAsync(Ct);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("application/vnd.amazon.eventstream", context.Response.ContentType);
        var messages = Decode(body);
        var initial = Assert.Single(messages);
        Assert.Equal("event", Header(initial, ":message-type"));
        Assert.Equal("initial-response", Header(initial, ":event-type"));
        Assert.Equal(KinesisContentTypes.Json, Header(initial, ":content-type"));
        Assert.Equal("{}", Encoding.UTF8.GetString(initial.Payload.Span));
        Assert.Equal(body.Length, writer.BytesWritten);
    }

    [Fact]
    public async Task WriteEventAsync_EachEventFlushedWithItsType()
    {
        var (context, body) = NewContext();
        using var writer = new EventStreamResponseWriter(context.Response, KinesisWireFormat.Json);
        await writer.StartAsync(Ct);

        var document = writer.BeginEvent();
        document.WriteStartObject();
        document.WriteNumber("MillisBehindLatest"u8, 0L);
        document.WriteEndObject();
        await writer.WriteEventAsync("SubscribeToShardEvent", Ct);
        var afterFirst = body.Length;

        document = writer.BeginEvent();
        document.WriteStartObject();
        document.WriteNumber("MillisBehindLatest"u8, 7L);
        document.WriteEndObject();
        await writer.WriteEventAsync("SubscribeToShardEvent", Ct);

        // Flushed per event: the first was in the body before the second was written.
        Assert.True(afterFirst > 0 && body.Length > afterFirst);
        var messages = Decode(body);
        Assert.Equal(3, messages.Count);
        Assert.Equal("SubscribeToShardEvent", Header(messages[2], ":event-type"));
        Assert.Equal("""{"MillisBehindLatest":7}""", Encoding.UTF8.GetString(messages[2].Payload.Span));
    }

    [Fact]
    public async Task WriteExceptionAsync_Cbor_ExceptionEventWithMessage()
    {
        var (context, body) = NewContext();
        using var writer = new EventStreamResponseWriter(context.Response, KinesisWireFormat.Cbor);
        await writer.StartAsync(Ct);

        await writer.WriteExceptionAsync("ResourceInUseException", "taken over", Ct);

        var exception = Decode(body)[1];
        Assert.Equal("exception", Header(exception, ":message-type"));
        Assert.Equal("ResourceInUseException", Header(exception, ":exception-type"));
        Assert.Equal(KinesisContentTypes.Cbor, Header(exception, ":content-type"));
        Assert.Equal("taken over", (string?)WireDocuments.Decode(KinesisWireFormat.Cbor, exception.Payload.ToArray())["message"]);
    }

    [Fact]
    public async Task WriteEventAsync_WithoutBeginEvent_Throws()
    {
        var (context, _) = NewContext();
        using var writer = new EventStreamResponseWriter(context.Response, KinesisWireFormat.Json);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteEventAsync("SubscribeToShardEvent", Ct));
    }

    [Fact]
    public async Task Botocore_DecodesInitialResponseEventAndException()
    {
        if (InteropTools.Python is null)
        {
            Prerequisite.Missing("No python3 with boto3 (Debian package python3-boto3).");
        }

        var (context, body) = NewContext();
        using var writer = new EventStreamResponseWriter(context.Response, KinesisWireFormat.Json);
        await writer.StartAsync(Ct);
        var document = writer.BeginEvent();
        document.WriteStartObject();
        document.WriteString("ContinuationSequenceNumber"u8, "1");
        document.WriteEndObject();
        await writer.WriteEventAsync("SubscribeToShardEvent", Ct);
        await writer.WriteExceptionAsync("InternalFailureException", "boom", Ct);

        var decoded = await InteropTools.RunJsonAsync(InteropTools.Python!, [InteropTools.Script("eventstream_decode.py"), Convert.ToHexStringLower(body.ToArray())], Ct);

        Assert.Equal(3, decoded.GetArrayLength());
        Assert.Equal("initial-response", decoded[0].GetProperty("headers").GetProperty(":event-type").GetString());
        Assert.Equal("SubscribeToShardEvent", decoded[1].GetProperty("headers").GetProperty(":event-type").GetString());
        Assert.Equal("InternalFailureException", decoded[2].GetProperty("headers").GetProperty(":exception-type").GetString());
    }

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

    private static List<EventStreamMessage> Decode(MemoryStream body)
    {
        var bytes = body.ToArray().AsSpan();
        var messages = new List<EventStreamMessage>();
        while (!bytes.IsEmpty)
        {
            Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(bytes, out var message, out var consumed, out var error));
            Assert.Null(error);
            messages.Add(message!);
            bytes = bytes[consumed..];
        }

        return messages;
    }

    private static string Header(EventStreamMessage message, string name)
    {
        Assert.True(message.TryGetHeader(name, out var value), $"no header {name}");
        return value.AsString();
    }
}
