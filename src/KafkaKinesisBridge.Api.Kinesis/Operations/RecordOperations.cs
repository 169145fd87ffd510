using System.Buffers;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Wire;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// The data plane: PutRecord, PutRecords, GetShardIterator, GetRecords. PutRecords and GetRecords are
/// the hot paths: record data stays in the request buffer on the way in (decoded in place) and is
/// encoded straight from storage memory on the way out; sequence numbers and shard ids are formatted
/// into stack buffers. Per record, the only allocation is the partition key string the core routes by.
/// </summary>
internal static class RecordOperations
{
    private const int ShardIdUtf8Length = 32;

    // ----- PutRecord -------------------------------------------------------------------------

    public static async ValueTask PutRecordAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.PutRecordAsync(ReadPutRecord(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteString("ShardId"u8, response.ShardId);
        WireMembers.WriteSequenceNumber(w, "SequenceNumber"u8, response.SequenceNumber);
        w.WriteString("EncryptionType"u8, response.EncryptionType.ToWireName());
        w.WriteEndObject();
    }

    private static PutRecordRequest ReadPutRecord(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        ReadOnlyMemory<byte>? data = null;
        string? partitionKey = null;
        string? explicitHashKey = null;
        string? sequenceNumberForOrdering = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("Data"u8))
            {
                data = reader.ReadBlob();
            }
            else if (reader.PropertyNameEquals("PartitionKey"u8))
            {
                partitionKey = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ExplicitHashKey"u8))
            {
                explicitHashKey = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("SequenceNumberForOrdering"u8))
            {
                sequenceNumberForOrdering = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new PutRecordRequest
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            Data = data,
            PartitionKey = partitionKey,
            ExplicitHashKey = explicitHashKey,
            SequenceNumberForOrdering = sequenceNumberForOrdering,
        };
    }

    // ----- PutRecords ------------------------------------------------------------------------

    /// <summary>
    /// PutRecords. A record refused by its shard's quota (or failed by storage) is reported in its
    /// result entry with ErrorCode/ErrorMessage and counted in FailedRecordCount; the call itself
    /// succeeds (API reference, PutRecords). Only a request Kinesis rejects whole (validation, unknown
    /// stream, size limit) is an error response.
    /// </summary>
    public static async ValueTask PutRecordsAsync(IStreamsService streams, KinesisCall call)
    {
        using var wire = ReadPutRecords(call);
        var count = wire.Records.Length;
        var entries = ArrayPool<PutRecordsRequestEntry>.Shared.Rent(Math.Max(count, 1));
        try
        {
            var source = wire.Records.Span;
            for (var i = 0; i < source.Length; i++)
            {
                ref readonly var entry = ref source[i];
                entries[i] = new PutRecordsRequestEntry(entry.Data, entry.PartitionKey, entry.ExplicitHashKey);
            }

            using var response = await streams.PutRecordsAsync(
                new PutRecordsRequest { StreamName = wire.StreamName, StreamARN = wire.StreamARN, Records = entries.AsMemory(0, count) },
                call.CancellationToken);
            WritePutRecords(call.Writer, response);
        }
        finally
        {
            ArrayPool<PutRecordsRequestEntry>.Shared.Return(entries, clearArray: true);
        }
    }

    private static PutRecordsWireRequest ReadPutRecords(KinesisCall call)
    {
        var reader = call.CreateReader();
        var request = PutRecordsWireRequest.Read(ref reader);
        if (!request.HasRecords)
        {
            request.Dispose();

            // Records is required by the service model: an absent (or null) list is "null", not "[]".
            throw KinesisException.ValidationFailed("null", "records", "Member must not be null");
        }

        return request;
    }

    private static void WritePutRecords(KinesisDocumentWriter writer, PutRecordsResponse response)
    {
        Span<byte> sequenceNumber = stackalloc byte[SequenceNumber.Length];
        Span<byte> shardId = stackalloc byte[ShardIdUtf8Length];
        var output = new PutRecordsResponseWriter(writer);
        output.WriteStart();
        foreach (ref readonly var record in response.Records)
        {
            if (record.IsSuccess)
            {
                record.SequenceNumber.TryFormat(sequenceNumber, out var sequenceLength);
                ShardIds.TryFormat(record.ShardIndex, shardId, out var shardLength);
                output.WriteSuccess(sequenceNumber[..sequenceLength], shardId[..shardLength]);
            }
            else
            {
                output.WriteFailure(record.ErrorCode!, record.ErrorMessage ?? string.Empty);
            }
        }

        output.WriteEnd(response.FailedRecordCount, response.EncryptionType.ToWireName());
    }

    // ----- GetShardIterator ------------------------------------------------------------------

    public static async ValueTask GetShardIteratorAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.GetShardIteratorAsync(ReadGetShardIterator(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteString("ShardIterator"u8, response.ShardIterator);
        w.WriteEndObject();
    }

    private static GetShardIteratorRequest ReadGetShardIterator(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        string? shardId = null;
        string? type = null;
        string? startingSequenceNumber = null;
        DateTimeOffset? timestamp = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("ShardId"u8))
            {
                shardId = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardIteratorType"u8))
            {
                type = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("StartingSequenceNumber"u8))
            {
                startingSequenceNumber = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Timestamp"u8))
            {
                timestamp = WireMembers.ReadTimestamp(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new GetShardIteratorRequest
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            ShardId = shardId,
            ShardIteratorType = KinesisEnums.ParseShardIteratorType(type),
            StartingSequenceNumber = startingSequenceNumber,
            Timestamp = timestamp,
        };
    }

    // ----- GetRecords ------------------------------------------------------------------------

    /// <summary>
    /// GetRecords: <c>{"Records": [...], "NextShardIterator"?, "MillisBehindLatest", "ChildShards"?}</c>.
    /// NextShardIterator is left out once a closed shard has been read to its end, and ChildShards is
    /// sent only then (API reference, GetRecords). Records carry no EncryptionType: the gateway does
    /// not encrypt, and Kinesis sets it on records of encrypted streams only.
    /// </summary>
    public static async ValueTask GetRecordsAsync(IStreamsService streams, KinesisCall call)
    {
        // The response points into storage memory: it is encoded (copied into the output) and then
        // released before the dispatcher sends anything.
        using var response = await streams.GetRecordsAsync(ReadGetRecords(call), call.CancellationToken);
        WriteGetRecords(call.Writer, response);
    }

    private static GetRecordsRequest ReadGetRecords(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? iterator = null;
        int? limit = null;
        string? arn = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("ShardIterator"u8))
            {
                iterator = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Limit"u8))
            {
                limit = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("StreamARN"u8))
            {
                arn = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new GetRecordsRequest { ShardIterator = iterator, Limit = limit, StreamARN = arn };
    }

    private static void WriteGetRecords(KinesisDocumentWriter writer, GetRecordsResponse response)
    {
        Span<byte> sequenceNumber = stackalloc byte[SequenceNumber.Length];
        var output = new GetRecordsResponseWriter(writer);
        output.WriteStart();
        foreach (var record in response.Records)
        {
            record.SequenceNumber.TryFormat(sequenceNumber, out var length);
            output.WriteRecord(sequenceNumber[..length], record.ApproximateArrivalTimestampMs, record.Data.Span, record.PartitionKeyUtf8.Span);
        }

        output.WriteEndRecords(response.NextShardIterator, response.MillisBehindLatest);
        if (response.ChildShards is { } children)
        {
            output.WriteStartChildShards();
            foreach (var child in children)
            {
                var parents = child.ParentShards as string[] ?? [.. child.ParentShards];
                output.WriteChildShard(
                    child.ShardId,
                    parents,
                    child.HashKeyRange.StartingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    child.HashKeyRange.EndingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            output.WriteEndChildShards();
        }

        output.WriteEnd();
    }
}
