using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Streams.Reading;

/// <summary>
/// The rules for reading one shard of a stream version, in one place for every reader of the core
/// (GetRecords, enhanced fan-out, sinks): a read starts no earlier than the shard's
/// <see cref="ShardRuntime.StartingOffset"/> (records of an earlier stream of the same name are never
/// served), stops at a closed shard's <see cref="ShardRuntime.EndingOffset"/> (the partition may hold
/// nothing past it, but the cut is kept as a second line of defence), and reports the tip
/// (MillisBehindLatest) and, once a closed shard is read to its end, its children (Kinesis GetRecords
/// ChildShards).
/// </summary>
/// <remarks>Stateless and thread-safe: one instance per service.</remarks>
internal sealed class ShardReader
{
    private readonly ILogStore _store;

    public ShardReader(ILogStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    /// <summary>
    /// The readable range of a shard given its partition's offsets: from the trim horizon (never before
    /// the shard's first offset) to the tip (the high watermark, or the end of a closed shard).
    /// </summary>
    public static (long First, long Tip) Bounds(ShardRuntime shard, PartitionOffsets offsets)
    {
        ArgumentNullException.ThrowIfNull(shard);
        var first = Math.Max(offsets.LogStartOffset, shard.StartingOffset);
        return (first, shard.EndingOffset ?? offsets.HighWatermark);
    }

    /// <summary>
    /// Reads one page of <paramref name="stream"/>'s shard <paramref name="shardIndex"/> from
    /// <paramref name="fromOffset"/> (raised to the shard's first offset). The caller disposes the page.
    /// A storage failure is returned in <see cref="ShardPage.Status"/>, never thrown.
    /// </summary>
    /// <param name="stream">The stream version whose shard map applies.</param>
    /// <param name="shardIndex">The shard (= partition) to read.</param>
    /// <param name="fromOffset">The offset to read from.</param>
    /// <param name="maxRecords">At most this many records (at least 1).</param>
    /// <param name="maxBytes">At most this many bytes, except that the first record always comes.</param>
    /// <param name="nowMs">The current time, for MillisBehindLatest.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async ValueTask<ShardPage> ReadAsync(
        StreamRuntime stream,
        int shardIndex,
        long fromOffset,
        int maxRecords,
        int maxBytes,
        long nowMs,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shardIndex, stream.Shards.Length);
        var shard = stream.Shards[shardIndex];
        var offset = Math.Max(fromOffset, shard.StartingOffset);
        var end = shard.EndingOffset;
        if (end is { } closedAt && offset >= closedAt)
        {
            // A closed shard already read to its end: nothing more, and its children.
            return new ShardPage(StorageStatus.Ok, null, default, closedAt, 0, 0, stream.ChildrenOf(shardIndex));
        }

        var limit = maxRecords;
        if (end is { } bound)
        {
            limit = (int)Math.Min(limit, bound - offset);
        }

        var read = await _store.ReadAsync(new ReadRequest(stream.Topic, shardIndex, offset, limit, maxBytes), cancellationToken);
        try
        {
            return Complete(stream, shardIndex, end, read, nowMs);
        }
        catch
        {
            read.Dispose();
            throw;
        }
    }

    private static ShardPage Complete(StreamRuntime stream, int shardIndex, long? end, ReadResult read, long nowMs)
    {
        long nextOffset;
        var records = ReadOnlyMemory<StoredRecord>.Empty;
        switch (read.Status)
        {
            case StorageStatus.Ok:
                records = read.Records;
                nextOffset = read.NextOffset;
                break;
            case StorageStatus.OffsetOutOfRange:
                // The log was truncated below the reader (Kafka unclean leader election): continue at
                // the new tip rather than failing every later call.
                nextOffset = read.Offsets.HighWatermark;
                break;
            default:
                return new ShardPage(read.Status, read, default, read.NextOffset, 0, 0, null);
        }

        if (end is { } closedAt)
        {
            // Never serve records written to a closed shard's partition after it closed.
            var span = records.Span;
            var keep = span.Length;
            while (keep > 0 && span[keep - 1].Offset >= closedAt)
            {
                keep--;
            }

            records = records[..keep];
            nextOffset = Math.Min(nextOffset, keep > 0 ? span[keep - 1].Offset + 1 : nextOffset);
            nextOffset = Math.Min(nextOffset, closedAt);
        }

        long bytes = 0;
        foreach (ref readonly var record in records.Span)
        {
            bytes += record.Size;
        }

        // MillisBehindLatest: 0 once the page reaches the tip; otherwise how old the newest record
        // returned is (the reader is at least that far behind the tip). "A value of zero indicates
        // that record processing is caught up" (Kinesis API reference, GetRecords), so below the tip
        // it is never 0, also when the page is empty: the storage port may return no records though
        // more exist (a Kafka fetch still in flight), and a client that took that 0 for the tip would
        // stop reading there. The age of records not returned is unknown: 1 ms then says only "behind".
        var tip = end ?? read.Offsets.HighWatermark;
        long behind = 0;
        if (nextOffset < tip)
        {
            var age = records.Length > 0 ? nowMs - records.Span[^1].TimestampMs : 0;
            behind = Math.Max(1, age);
        }

        var children = end is { } closedEnd && nextOffset >= closedEnd ? stream.ChildrenOf(shardIndex) : null;
        return new ShardPage(StorageStatus.Ok, read, records, nextOffset, bytes, behind, children);
    }
}

/// <summary>
/// One page read by <see cref="ShardReader"/>. Owns the storage memory the records point into:
/// dispose it (or hand <see cref="Read"/> on to an owner such as a GetRecords response) when done.
/// </summary>
internal readonly struct ShardPage : IDisposable
{
    public ShardPage(
        StorageStatus status,
        ReadResult? read,
        ReadOnlyMemory<StoredRecord> records,
        long nextOffset,
        long bytes,
        long millisBehindLatest,
        IReadOnlyList<ChildShard>? childShards)
    {
        Status = status;
        Read = read;
        Records = records;
        NextOffset = nextOffset;
        Bytes = bytes;
        MillisBehindLatest = millisBehindLatest;
        ChildShards = childShards;
    }

    /// <summary>Ok, or the storage failure (then no records).</summary>
    public StorageStatus Status { get; }

    /// <summary>The storage result owning <see cref="Records"/>; null when nothing was read.</summary>
    public ReadResult? Read { get; }

    /// <summary>The records, in offset order, all within the shard's range.</summary>
    public ReadOnlyMemory<StoredRecord> Records { get; }

    /// <summary>Where the next page starts.</summary>
    public long NextOffset { get; }

    /// <summary>Total size of <see cref="Records"/> (key + value + headers).</summary>
    public long Bytes { get; }

    /// <summary>0 when the page reaches the shard's tip; otherwise at least 1 (Kinesis MillisBehindLatest).</summary>
    public long MillisBehindLatest { get; }

    /// <summary>
    /// Non-null exactly when the shard is closed and read to its end: no further page exists and the
    /// reader continues with these children (a closed shard whose children are not known yet gives an
    /// empty list).
    /// </summary>
    public IReadOnlyList<ChildShard>? ChildShards { get; }

    /// <summary>True when the shard is closed and this page reaches its end.</summary>
    public bool IsEndOfShard => ChildShards is not null;

    /// <inheritdoc />
    public void Dispose() => Read?.Dispose();
}
