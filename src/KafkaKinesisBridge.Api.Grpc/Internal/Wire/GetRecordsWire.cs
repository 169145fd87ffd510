using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Internal.Wire;

/// <summary>
/// A <c>GetRecordsResponse</c> (streams.proto) written straight from the core's records, which point
/// into storage memory: data and partition keys are copied once, into the response pipe, with no
/// message object, ByteString or string per record. The bytes are those Google.Protobuf would write
/// for the same message. Dispose releases the storage memory (when the request ends, after the response was written;
/// see KinesisStreamsMethodProvider).
/// </summary>
internal sealed class GetRecordsGrpcResponse : IDisposable
{
    // GetRecordsResponse { records = 1; optional next_shard_iterator = 2; millis_behind_latest = 3; child_shards = 4; }
    // Record { sequence_number = 1; approximate_arrival_timestamp = 2; data = 3; partition_key = 4; encryption_type = 5; }
    // google.protobuf.Timestamp { seconds = 1; nanos = 2; }
    private const int SequenceNumberFieldSize = 1 + 1 + CoreApi.SequenceNumber.Length;

    private readonly Proto.ChildShard[]? _childShards;

    public GetRecordsGrpcResponse(CoreApi.GetRecordsResponse response)
    {
        Response = response;
        if (response.ChildShards is { Count: > 0 } children)
        {
            _childShards = new Proto.ChildShard[children.Count];
            for (var i = 0; i < children.Count; i++)
            {
                _childShards[i] = ProtoMapper.ToProto(children[i]);
            }
        }
    }

    /// <summary>The marshaller Grpc.AspNetCore writes GetRecords responses with (it never parses them).</summary>
    public static Marshaller<GetRecordsGrpcResponse> Marshaller { get; } = Marshallers.Create<GetRecordsGrpcResponse>(
        (response, context) =>
        {
            context.SetPayloadLength(response.CalculateSize());
            response.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        _ => throw new NotSupportedException("GetRecords responses are only written by the server."));

    public CoreApi.GetRecordsResponse Response { get; }

    public int CalculateSize()
    {
        long size = 0;
        foreach (var record in Response.Records)
        {
            var body = RecordSize(record);
            size += 1 + ProtoWire.VarintSize((uint)body) + body;
        }

        if (Response.NextShardIterator is { } next)
        {
            size += ProtoWire.LengthDelimitedSize(System.Text.Encoding.UTF8.GetByteCount(next));
        }

        if (Response.MillisBehindLatest != 0)
        {
            size += 1 + ProtoWire.VarintSize((ulong)Response.MillisBehindLatest);
        }

        if (_childShards is not null)
        {
            foreach (var child in _childShards)
            {
                size += ProtoWire.LengthDelimitedSize(child.CalculateSize());
            }
        }

        // The core caps a response at 10 MiB of data; anything near int.MaxValue is a bug upstream.
        return checked((int)size);
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new ProtoWriter(output);
        foreach (var record in Response.Records)
        {
            writer.WriteLengthDelimitedHeader(1, RecordSize(record));

            var sequence = writer.GetSpan(SequenceNumberFieldSize);
            sequence[0] = ProtoWire.Tag(1, ProtoWire.LengthDelimited);
            sequence[1] = CoreApi.SequenceNumber.Length;
            record.SequenceNumber.TryFormat(sequence[2..], out _);
            writer.Advance(SequenceNumberFieldSize);

            var (seconds, nanos) = Split(record.ApproximateArrivalTimestampMs);
            writer.WriteLengthDelimitedHeader(2, TimestampSize(seconds, nanos));
            if (seconds != 0)
            {
                writer.WriteTag(1, ProtoWire.Varint);
                writer.WriteVarint((ulong)seconds);
            }

            if (nanos != 0)
            {
                writer.WriteTag(2, ProtoWire.Varint);
                writer.WriteVarint((ulong)(long)nanos);
            }

            if (!record.Data.IsEmpty)
            {
                writer.WriteBytesField(3, record.Data.Span);
            }

            if (!record.PartitionKeyUtf8.IsEmpty)
            {
                writer.WriteBytesField(4, record.PartitionKeyUtf8.Span);
            }
        }

        if (Response.NextShardIterator is { } next)
        {
            writer.WriteStringField(2, next, System.Text.Encoding.UTF8.GetByteCount(next));
        }

        if (Response.MillisBehindLatest != 0)
        {
            writer.WriteTag(3, ProtoWire.Varint);
            writer.WriteVarint((ulong)Response.MillisBehindLatest);
        }

        if (_childShards is not null)
        {
            foreach (var child in _childShards)
            {
                var size = child.CalculateSize();
                writer.WriteLengthDelimitedHeader(4, size);
                child.WriteTo(writer.GetSpan(size));
                writer.Advance(size);
            }
        }

        writer.Flush();
    }

    public void Dispose() => Response.Dispose();

    /// <summary>Unix milliseconds as a Timestamp's seconds and nanos (nanos always 0 to 999,999,999).</summary>
    internal static (long Seconds, int Nanos) Split(long unixMilliseconds)
    {
        var seconds = Math.DivRem(unixMilliseconds, 1000, out var remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += 1000;
        }

        return (seconds, (int)(remainder * 1_000_000));
    }

    private static int TimestampSize(long seconds, int nanos) =>
        (seconds == 0 ? 0 : 1 + ProtoWire.VarintSize((ulong)seconds)) +
        (nanos == 0 ? 0 : 1 + ProtoWire.VarintSize((ulong)(long)nanos));

    private static int RecordSize(in CoreApi.StreamRecord record)
    {
        var (seconds, nanos) = Split(record.ApproximateArrivalTimestampMs);
        var timestamp = TimestampSize(seconds, nanos);
        return SequenceNumberFieldSize
            + 1 + ProtoWire.VarintSize((uint)timestamp) + timestamp
            + (record.Data.IsEmpty ? 0 : ProtoWire.LengthDelimitedSize(record.Data.Length))
            + (record.PartitionKeyUtf8.IsEmpty ? 0 : ProtoWire.LengthDelimitedSize(record.PartitionKeyUtf8.Length));
    }
}
