using System.Globalization;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Wire;

/// <summary>
/// Writes the payload of one <c>SubscribeToShardEvent</c> straight from storage memory, as GetRecords
/// does: record data is base64-encoded (JSON) or copied as a byte string (CBOR) into the event buffer.
/// </summary>
/// <remarks>
/// Shape (Kinesis API reference, SubscribeToShardEvent): <c>{"Records": [{"SequenceNumber",
/// "ApproximateArrivalTimestamp", "Data", "PartitionKey"}], "ContinuationSequenceNumber",
/// "MillisBehindLatest", "ChildShards"?}</c>; ChildShards only at the end of a closed shard.
/// </remarks>
internal static class SubscribeToShardEventWriter
{
    /// <summary>The <c>:event-type</c> of the event (its member name in <c>SubscribeToShardEventStream</c>).</summary>
    public const string EventType = "SubscribeToShardEvent";

    public static void Write(KinesisDocumentWriter writer, SubscribeToShardEvent shardEvent)
    {
        Span<byte> sequenceNumber = stackalloc byte[SequenceNumber.Length];
        writer.WriteStartObject();
        writer.WritePropertyName("Records"u8);
        writer.WriteStartArray();
        foreach (var record in shardEvent.Records)
        {
            record.SequenceNumber.TryFormat(sequenceNumber, out var length);
            writer.WriteStartObject();
            writer.WriteString("SequenceNumber"u8, sequenceNumber[..length]);
            writer.WriteTimestamp("ApproximateArrivalTimestamp"u8, record.ApproximateArrivalTimestampMs);
            writer.WriteBlob("Data"u8, record.Data.Span);
            writer.WriteString("PartitionKey"u8, record.PartitionKeyUtf8.Span);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (shardEvent.ContinuationSequenceNumber is { } continuation)
        {
            // Left out at a closed shard's end (Kinesis sends null there; SDKs read both as null).
            continuation.TryFormat(sequenceNumber, out var continuationLength);
            writer.WriteString("ContinuationSequenceNumber"u8, sequenceNumber[..continuationLength]);
        }

        writer.WriteNumber("MillisBehindLatest"u8, shardEvent.MillisBehindLatest);
        if (shardEvent.ChildShards is { } children)
        {
            var shards = new GetRecordsResponseWriter(writer);
            shards.WriteStartChildShards();
            foreach (var child in children)
            {
                var parents = child.ParentShards as string[] ?? [.. child.ParentShards];
                shards.WriteChildShard(
                    child.ShardId,
                    parents,
                    child.HashKeyRange.StartingHashKey.ToString(CultureInfo.InvariantCulture),
                    child.HashKeyRange.EndingHashKey.ToString(CultureInfo.InvariantCulture));
            }

            shards.WriteEndChildShards();
        }

        writer.WriteEndObject();
    }
}
