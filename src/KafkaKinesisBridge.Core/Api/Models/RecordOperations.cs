using System.Buffers;
using System.Collections;
using System.Text;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Api;

/// <summary>PutRecord input.</summary>
public sealed class PutRecordRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: the data blob, up to the stream's maximum record size (with the partition key).</summary>
    public ReadOnlyMemory<byte>? Data { get; init; }

    /// <summary>Required: 1 to 256 Unicode characters.</summary>
    public string? PartitionKey { get; init; }

    /// <summary>A decimal hash key 0 .. 2^128-1 that overrides the partition key's MD5 for routing.</summary>
    public string? ExplicitHashKey { get; init; }

    /// <summary>Validated for format; ordering holds anyway because offsets only grow.</summary>
    public string? SequenceNumberForOrdering { get; init; }
}

/// <summary>PutRecord output.</summary>
/// <param name="ShardIndex">The shard the record went to.</param>
/// <param name="ShardId">Its shard id (cached string).</param>
/// <param name="SequenceNumber">The record's sequence number.</param>
public sealed record PutRecordResponse(int ShardIndex, string ShardId, SequenceNumber SequenceNumber)
{
    /// <summary>Always <see cref="EncryptionType.None"/>.</summary>
    public EncryptionType EncryptionType => EncryptionType.None;
}

/// <summary>
/// One record of a PutRecords request. A struct so a front door can decode a whole request into one
/// (possibly rented) array with no per-record allocation besides the partition key string. A front
/// door maps an absent Data member to empty data.
/// </summary>
/// <param name="Data">The data blob.</param>
/// <param name="PartitionKey">Required: 1 to 256 characters.</param>
/// <param name="ExplicitHashKey">Optional decimal hash key.</param>
public readonly record struct PutRecordsRequestEntry(ReadOnlyMemory<byte> Data, string? PartitionKey, string? ExplicitHashKey = null);

/// <summary>PutRecords input.</summary>
public sealed class PutRecordsRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>1 to 500 records. The memory must stay valid until the call completes.</summary>
    public ReadOnlyMemory<PutRecordsRequestEntry> Records { get; init; }
}

/// <summary>
/// One result of a PutRecords call: either a shard and sequence number (success) or an error code
/// (<see cref="PutRecordsErrorCodes"/>) and message.
/// </summary>
public readonly struct PutRecordsResultEntry
{
    internal PutRecordsResultEntry(int shardIndex, SequenceNumber sequenceNumber)
    {
        ShardIndex = shardIndex;
        SequenceNumber = sequenceNumber;
        ErrorCode = null;
        ErrorMessage = null;
    }

    internal PutRecordsResultEntry(string errorCode, string errorMessage)
    {
        ShardIndex = -1;
        SequenceNumber = default;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    /// <summary>True when the record was stored.</summary>
    public bool IsSuccess => ErrorCode is null;

    /// <summary>The shard index on success; -1 on failure.</summary>
    public int ShardIndex { get; }

    /// <summary>The shard id on success (cached string); null on failure.</summary>
    public string? ShardId => ShardIndex >= 0 ? ShardIds.Format(ShardIndex) : null;

    /// <summary>The sequence number on success.</summary>
    public SequenceNumber SequenceNumber { get; }

    /// <summary>"ProvisionedThroughputExceededException" or "InternalFailure" on failure; null on success.</summary>
    public string? ErrorCode { get; }

    /// <summary>The failure message; null on success.</summary>
    public string? ErrorMessage { get; }
}

/// <summary>
/// PutRecords output, in request order. The result array is rented: read it, then dispose the
/// response (not disposing only costs a pool miss).
/// </summary>
public sealed class PutRecordsResponse : IDisposable
{
    private PutRecordsResultEntry[]? _rented;
    private readonly int _count;

    internal PutRecordsResponse(PutRecordsResultEntry[] rented, int count, int failedRecordCount)
    {
        _rented = rented;
        _count = count;
        FailedRecordCount = failedRecordCount;
    }

    /// <summary>The number of records that failed.</summary>
    public int FailedRecordCount { get; }

    /// <summary>One result per request record, same order. Invalid after <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<PutRecordsResultEntry> Records =>
        _rented is { } array ? array.AsSpan(0, _count) : throw new ObjectDisposedException(nameof(PutRecordsResponse));

    /// <summary>Always <see cref="EncryptionType.None"/>.</summary>
    public EncryptionType EncryptionType => EncryptionType.None;

    /// <inheritdoc />
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _rented, null);
        if (array is not null)
        {
            ArrayPool<PutRecordsResultEntry>.Shared.Return(array, clearArray: true);
        }
    }
}

/// <summary>GetShardIterator input.</summary>
public sealed class GetShardIteratorRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: the shard id (Kinesis also accepts any prefix before the last '-').</summary>
    public string? ShardId { get; init; }

    /// <summary>Required.</summary>
    public ShardIteratorType? ShardIteratorType { get; init; }

    /// <summary>Required for AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER; not allowed otherwise.</summary>
    public string? StartingSequenceNumber { get; init; }

    /// <summary>Required for AT_TIMESTAMP; not allowed otherwise.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>GetShardIterator output.</summary>
/// <param name="ShardIterator">The opaque iterator (base64, valid for the configured TTL, 5 minutes by default).</param>
public sealed record GetShardIteratorResponse(string ShardIterator);

/// <summary>GetRecords input.</summary>
public sealed class GetRecordsRequest
{
    /// <summary>Required: an iterator from GetShardIterator or a previous GetRecords.</summary>
    public string? ShardIterator { get; init; }

    /// <summary>1 to 10000; default 10000.</summary>
    public int? Limit { get; init; }

    /// <summary>Optional; when given it must name the iterator's stream.</summary>
    public string? StreamARN { get; init; }
}

/// <summary>
/// A record returned by GetRecords, pointing into storage memory: valid until the
/// <see cref="GetRecordsResponse"/> it came from is disposed.
/// </summary>
public readonly struct StreamRecord
{
    internal StreamRecord(int shardIndex, in StoredRecord stored)
    {
        SequenceNumber = new SequenceNumber(shardIndex, stored.Offset);
        ApproximateArrivalTimestampMs = stored.TimestampMs;
        Data = stored.Value;
        PartitionKeyUtf8 = stored.Key;
    }

    /// <summary>The record's sequence number.</summary>
    public SequenceNumber SequenceNumber { get; }

    /// <summary>When the gateway accepted the record, Unix epoch milliseconds.</summary>
    public long ApproximateArrivalTimestampMs { get; }

    /// <summary>When the gateway accepted the record.</summary>
    public DateTimeOffset ApproximateArrivalTimestamp => DateTimeOffset.FromUnixTimeMilliseconds(ApproximateArrivalTimestampMs);

    /// <summary>The data blob.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The partition key as UTF-8 bytes (serialize straight from these).</summary>
    public ReadOnlyMemory<byte> PartitionKeyUtf8 { get; }

    /// <summary>The partition key as a string (allocates; prefer <see cref="PartitionKeyUtf8"/> on hot paths).</summary>
    public string PartitionKey => Encoding.UTF8.GetString(PartitionKeyUtf8.Span);

    /// <summary>Always <see cref="EncryptionType.None"/>.</summary>
    public EncryptionType EncryptionType => EncryptionType.None;
}

/// <summary>The records of a GetRecords response: a view over storage memory, no copy.</summary>
public readonly struct StreamRecordList : IReadOnlyList<StreamRecord>
{
    private readonly ReadOnlyMemory<StoredRecord> _records;
    private readonly int _shardIndex;

    internal StreamRecordList(int shardIndex, ReadOnlyMemory<StoredRecord> records)
    {
        _shardIndex = shardIndex;
        _records = records;
    }

    /// <inheritdoc />
    public int Count => _records.Length;

    /// <inheritdoc />
    public StreamRecord this[int index] => new(_shardIndex, _records.Span[index]);

    /// <summary>A struct enumerator (no allocation in foreach).</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<StreamRecord> IEnumerable<StreamRecord>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates a <see cref="StreamRecordList"/>.</summary>
    public struct Enumerator : IEnumerator<StreamRecord>
    {
        private readonly StreamRecordList _list;
        private int _index;

        internal Enumerator(StreamRecordList list)
        {
            _list = list;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly StreamRecord Current => _list[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _list.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}

/// <summary>
/// GetRecords output. Owns the storage read result its records point into: serialize the records,
/// then dispose the response.
/// </summary>
public sealed class GetRecordsResponse : IDisposable
{
    private ReadResult? _read;

    internal GetRecordsResponse(
        ReadResult? read,
        StreamRecordList records,
        string? nextShardIterator,
        long millisBehindLatest,
        IReadOnlyList<ChildShard>? childShards)
    {
        _read = read;
        Records = records;
        NextShardIterator = nextShardIterator;
        MillisBehindLatest = millisBehindLatest;
        ChildShards = childShards;
    }

    /// <summary>The records, in sequence order. Invalid after <see cref="Dispose"/>.</summary>
    public StreamRecordList Records { get; }

    /// <summary>The iterator for the next call; null once a closed shard has been read to its end.</summary>
    public string? NextShardIterator { get; }

    /// <summary>How far behind the tip of the shard this response is, in milliseconds; 0 when caught up.</summary>
    public long MillisBehindLatest { get; }

    /// <summary>The shard's children once a closed shard has been read to its end; otherwise null.</summary>
    public IReadOnlyList<ChildShard>? ChildShards { get; }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _read, null)?.Dispose();
}
