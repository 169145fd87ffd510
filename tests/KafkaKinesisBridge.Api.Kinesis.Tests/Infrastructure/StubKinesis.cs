using System.Collections.Concurrent;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Wire;
using Microsoft.AspNetCore.Builder;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;

/// <summary>One call a stub handler saw.</summary>
public sealed record SeenCall(KinesisOperation Operation, KinesisWireFormat Format, string Protocol, string? AccessKeyId);

/// <summary>A record a stub PutRecord/PutRecords handler received.</summary>
public sealed record SeenRecord(byte[] Data, string? PartitionKey, string? ExplicitHashKey);

/// <summary>
/// The front door on a sniffed Kestrel port with stub handlers registered through the handler seam
/// (the real operations come with the core): enough to drive real clients through framing, content
/// types, errors, blobs and timestamps.
/// </summary>
public sealed class StubKinesis : IAsyncDisposable
{
    /// <summary>Arrival time the stub GetRecords reports (2024-04-05T19:34:38.123Z).</summary>
    public const long ArrivalMs = 1712345678123L;

    private StubKinesis(KestrelTestHost host) => Host = host;

    public KestrelTestHost Host { get; }

    public Uri Endpoint => Host.BaseAddress;

    public ConcurrentQueue<SeenCall> Calls { get; } = new();

    public ConcurrentQueue<SeenRecord> Records { get; } = new();

    /// <summary>The data GetRecords returns (includes bytes that need base64 '+' and '/').</summary>
    public static byte[][] StoredData { get; } = [Encoding.UTF8.GetBytes("hello kinesis"), [0xFB, 0xFF, 0xBF, 0x00, 0x01]];

    public static async Task<StubKinesis> StartAsync(Action<KinesisApiOptions>? configure = null)
    {
        StubKinesis? stub = null;
        var host = await KestrelTestHost.StartAsync(
            app => app.MapKinesisApi(),
            services =>
            {
                services.AddKinesisApi(configure);
                services.AddKinesisOperation(KinesisOperation.ListStreams, call => stub!.ListStreams(call));
                services.AddKinesisOperation(KinesisOperation.DescribeStreamSummary, call => stub!.DescribeStreamSummary(call));
                services.AddKinesisOperation(KinesisOperation.PutRecord, call => stub!.PutRecord(call));
                services.AddKinesisOperation(KinesisOperation.PutRecords, call => stub!.PutRecords(call));
                services.AddKinesisOperation(KinesisOperation.GetRecords, call => stub!.GetRecords(call));
                services.AddKinesisOperation(KinesisOperation.CreateStream, call => stub!.CreateStream(call));
            });
        stub = new StubKinesis(host);
        return stub;
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    private void Seen(KinesisCall call) => Calls.Enqueue(new SeenCall(call.Operation, call.Format, call.HttpContext.Request.Protocol, call.AccessKeyId));

    private ValueTask<KinesisResult> ListStreams(KinesisCall call)
    {
        Seen(call);
        var reader = call.CreateReader();
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            reader.SkipValue();
        }

        reader.ReadEndOfDocument();
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("StreamNames"u8);
        w.WriteStartArray();
        w.WriteStringValue("alpha");
        w.WriteStringValue("beta");
        w.WriteEndArray();
        w.WriteBoolean("HasMoreStreams"u8, false);
        w.WriteEndObject();
        return ValueTask.FromResult(KinesisResult.Success);
    }

    private ValueTask<KinesisResult> DescribeStreamSummary(KinesisCall call)
    {
        Seen(call);
        var reader = call.CreateReader();
        string? name = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamName"u8))
            {
                name = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        return ValueTask.FromResult<KinesisResult>(
            KinesisWireError.BadRequest("ResourceNotFoundException", $"Stream {name} under account 000000000000 not found."));
    }

    private ValueTask<KinesisResult> PutRecord(KinesisCall call)
    {
        Seen(call);
        var reader = call.CreateReader();
        byte[]? data = null;
        string? key = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("Data"u8))
            {
                data = reader.ReadBlob()?.ToArray();
            }
            else if (reader.PropertyNameEquals("PartitionKey"u8))
            {
                key = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        Records.Enqueue(new SeenRecord(data ?? [], key, null));
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteString("SequenceNumber"u8, "49590338271490256608559692538361571095921575989136588898");
        w.WriteString("ShardId"u8, "shardId-000000000000");
        w.WriteEndObject();
        return ValueTask.FromResult(KinesisResult.Success);
    }

    private ValueTask<KinesisResult> PutRecords(KinesisCall call)
    {
        Seen(call);
        var reader = call.CreateReader();
        using var request = PutRecordsWireRequest.Read(ref reader);
        var response = new PutRecordsResponseWriter(call.Writer);
        response.WriteStart();
        var index = 0;
        foreach (var entry in request.Records.Span)
        {
            Records.Enqueue(new SeenRecord(entry.Data.ToArray(), entry.PartitionKey, entry.ExplicitHashKey));
            response.WriteSuccess(Encoding.ASCII.GetBytes((1000 + index++).ToString(System.Globalization.CultureInfo.InvariantCulture)), "shardId-000000000000"u8);
        }

        response.WriteEnd(0);
        return ValueTask.FromResult(KinesisResult.Success);
    }

    private ValueTask<KinesisResult> GetRecords(KinesisCall call)
    {
        Seen(call);
        var response = new GetRecordsResponseWriter(call.Writer);
        response.WriteStart();
        for (var i = 0; i < StoredData.Length; i++)
        {
            response.WriteRecord(Encoding.ASCII.GetBytes($"4959033827149025660855969253836157109592157598913658889{i}"), ArrivalMs + i, StoredData[i], Encoding.UTF8.GetBytes($"key-{i}"));
        }

        response.WriteEndRecords("next-iterator", 0);
        response.WriteEnd();
        return ValueTask.FromResult(KinesisResult.Success);
    }

    private ValueTask<KinesisResult> CreateStream(KinesisCall call)
    {
        Seen(call);
        throw new InvalidOperationException("The stub CreateStream always fails.");
    }
}
