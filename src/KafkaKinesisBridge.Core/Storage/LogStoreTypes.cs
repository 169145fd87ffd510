namespace KafkaKinesisBridge.Core.Storage;

/// <summary>Outcome of a storage operation. Anything other than <see cref="Ok"/> is a failure.</summary>
public enum StorageStatus
{
    Ok = 0,

    /// <summary>The topic does not exist (or is being deleted).</summary>
    TopicNotFound,

    /// <summary>A topic with that name exists already.</summary>
    TopicAlreadyExists,

    /// <summary>The topic exists but has no such partition.</summary>
    PartitionNotFound,

    /// <summary>The requested offset is beyond the high watermark.</summary>
    OffsetOutOfRange,

    /// <summary>A record (or batch) exceeds the size the backend accepts.</summary>
    RecordTooLarge,

    /// <summary>An argument is invalid for this backend (bad name, fewer partitions than now, ...).</summary>
    InvalidArgument,

    /// <summary>The operation did not complete in time; it may or may not have taken effect. Retriable.</summary>
    Timeout,

    /// <summary>The backend cannot serve now (broker down, leader election, disk full). Retriable.</summary>
    Unavailable,

    /// <summary>This backend does not support the operation.</summary>
    NotSupported,

    /// <summary>Any other failure; not retriable.</summary>
    Failed,
}

/// <summary>Helpers over <see cref="StorageStatus"/>.</summary>
public static class StorageStatusExtensions
{
    /// <summary>True for failures that may succeed when tried again.</summary>
    public static bool IsRetriable(this StorageStatus status) =>
        status is StorageStatus.Timeout or StorageStatus.Unavailable;
}

/// <summary>What to create: a topic with its partition count and retention.</summary>
/// <param name="Name">Topic name: 1 to 249 characters of <c>[a-zA-Z0-9._-]</c>, as in Kafka.</param>
/// <param name="Partitions">Number of partitions, at least 1.</param>
/// <param name="Retention">How long records are kept: positive, or <see cref="Timeout.InfiniteTimeSpan"/> for ever
/// (anything else is <see cref="StorageStatus.InvalidArgument"/>).</param>
public readonly record struct TopicSpec(string Name, int Partitions, TimeSpan Retention);

/// <summary>A topic as the backend sees it.</summary>
public readonly record struct TopicInfo(string Name, int Partitions, TimeSpan Retention);

/// <summary>Result of <see cref="ILogStore.DescribeTopicAsync"/>.</summary>
public readonly record struct TopicInfoResult(StorageStatus Status, TopicInfo Topic);

/// <summary>A record header, as in Kafka: a name and an opaque value.</summary>
public readonly record struct LogHeader(string Key, ReadOnlyMemory<byte> Value);

/// <summary>A record to append.</summary>
/// <param name="Key">The record key (for streams: the UTF-8 partition key).</param>
/// <param name="Value">The record value (for streams: the data blob).</param>
/// <param name="TimestampMs">The record timestamp in Unix epoch milliseconds (Kafka CreateTime).</param>
/// <param name="Headers">Optional headers; null when there are none.</param>
public readonly record struct LogRecord(
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    long TimestampMs,
    IReadOnlyList<LogHeader>? Headers = null)
{
    /// <summary>Bytes this record counts for in size limits: key, value and headers.</summary>
    public int Size => Key.Length + Value.Length + LogRecordSize.HeadersSize(Headers);
}

/// <summary>The outcome of appending one record.</summary>
/// <param name="Status">Ok, or why this record was not appended.</param>
/// <param name="Offset">The record's offset when <paramref name="Status"/> is Ok; -1 otherwise.</param>
public readonly record struct AppendOutcome(StorageStatus Status, long Offset);

/// <summary>A record read back from a partition.</summary>
public readonly record struct StoredRecord(
    long Offset,
    long TimestampMs,
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    IReadOnlyList<LogHeader>? Headers)
{
    /// <summary>Bytes this record counts for in size limits: key, value and headers.</summary>
    public int Size => Key.Length + Value.Length + LogRecordSize.HeadersSize(Headers);
}

/// <summary>What to read.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The first offset wanted; at least 0.</param>
/// <param name="MaxRecords">At most this many records; at least 1.</param>
/// <param name="MaxBytes">At most this many bytes (see <see cref="ILogStore.ReadAsync"/>); at least 1.</param>
public readonly record struct ReadRequest(string Topic, int Partition, long Offset, int MaxRecords, int MaxBytes);

/// <summary>First and next offsets of a partition.</summary>
/// <param name="LogStartOffset">The earliest offset still stored (Kafka log start offset).</param>
/// <param name="HighWatermark">The offset the next appended record will get (Kafka high watermark).</param>
public readonly record struct PartitionOffsets(long LogStartOffset, long HighWatermark);

/// <summary>Result of <see cref="ILogStore.GetOffsetsAsync"/>.</summary>
public readonly record struct PartitionOffsetsResult(StorageStatus Status, PartitionOffsets Offsets);

/// <summary>Result of <see cref="ILogStore.GetOffsetForTimestampAsync"/>.</summary>
public readonly record struct OffsetLookupResult(StorageStatus Status, long Offset);

/// <summary>
/// Records read from one partition. Owns the memory the records point into (often pooled), so it
/// must be disposed, after which the records must not be used.
/// </summary>
public abstract class ReadResult : IDisposable
{
    /// <summary>Ok, or why nothing could be read.</summary>
    public abstract StorageStatus Status { get; }

    /// <summary>The records read, in offset order; empty when none.</summary>
    public abstract ReadOnlyMemory<StoredRecord> Records { get; }

    /// <summary>The offset to read from next: one past the last record returned, or the request
    /// offset (raised to the log start) when none were returned.</summary>
    public abstract long NextOffset { get; }

    /// <summary>Offsets of the partition as of this read.</summary>
    public abstract PartitionOffsets Offsets { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the memory behind <see cref="Records"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>A result with no records: a failure, or an empty read.</summary>
    public static ReadResult Empty(StorageStatus status, long nextOffset, PartitionOffsets offsets) =>
        new EmptyReadResult(status, nextOffset, offsets);

    private sealed class EmptyReadResult(StorageStatus status, long nextOffset, PartitionOffsets offsets) : ReadResult
    {
        public override StorageStatus Status => status;

        public override ReadOnlyMemory<StoredRecord> Records => ReadOnlyMemory<StoredRecord>.Empty;

        public override long NextOffset => nextOffset;

        public override PartitionOffsets Offsets => offsets;
    }
}

/// <summary>Size accounting shared by the record types.</summary>
public static class LogRecordSize
{
    /// <summary>Bytes of header names (UTF-16 length, an approximation that avoids encoding) and values.</summary>
    public static int HeadersSize(IReadOnlyList<LogHeader>? headers)
    {
        if (headers is null)
        {
            return 0;
        }

        var size = 0;
        for (var i = 0; i < headers.Count; i++)
        {
            size += headers[i].Key.Length + headers[i].Value.Length;
        }

        return size;
    }
}
