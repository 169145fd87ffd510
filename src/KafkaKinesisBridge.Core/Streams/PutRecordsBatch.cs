using System.Buffers;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Streams;

/// <summary>
/// The working memory of one PutRecords call, all rented from array pools: the UTF-8 partition keys
/// in one buffer, the shard of each record, the records grouped by shard (stable counting sort, so
/// request order holds within a shard), the storage records and outcomes, and the results. No
/// per-record allocation besides the optional explicit-hash-key header.
/// </summary>
internal sealed class PutRecordsBatch : IDisposable
{
    public PutRecordsBatch(int count, int shardCount, int keyBytes)
    {
        Count = count;
        ShardCount = shardCount;
        Keys = ArrayPool<byte>.Shared.Rent(Math.Max(keyBytes, 1));
        KeyOffsets = ArrayPool<int>.Shared.Rent(count);
        KeyLengths = ArrayPool<int>.Shared.Rent(count);
        ShardOf = ArrayPool<int>.Shared.Rent(count);
        Order = ArrayPool<int>.Shared.Rent(count);
        Sizes = ArrayPool<int>.Shared.Rent(count);
        Admitted = ArrayPool<bool>.Shared.Rent(count);
        GroupStart = ArrayPool<int>.Shared.Rent(shardCount + 1);
        AppendStart = ArrayPool<int>.Shared.Rent(shardCount);
        AppendCount = ArrayPool<int>.Shared.Rent(shardCount);
        Records = ArrayPool<LogRecord>.Shared.Rent(count);
        Outcomes = ArrayPool<AppendOutcome>.Shared.Rent(count);
        RecordIndex = ArrayPool<int>.Shared.Rent(count);
        Results = ArrayPool<PutRecordsResultEntry>.Shared.Rent(count);
    }

    public int Count { get; }

    public int ShardCount { get; }

    /// <summary>UTF-8 partition keys, back to back.</summary>
    public byte[] Keys { get; }

    public int[] KeyOffsets { get; }

    public int[] KeyLengths { get; }

    /// <summary>Shard index of request record i.</summary>
    public int[] ShardOf { get; }

    /// <summary>Request indexes grouped by shard: group s is Order[GroupStart[s] .. GroupStart[s + 1]).</summary>
    public int[] Order { get; }

    /// <summary>Record sizes (data + UTF-8 key) in grouped order, for the quota.</summary>
    public int[] Sizes { get; }

    /// <summary>Quota decisions in grouped order.</summary>
    public bool[] Admitted { get; }

    public int[] GroupStart { get; }

    /// <summary>Per shard: where its admitted records start in <see cref="Records"/>, and how many.</summary>
    public int[] AppendStart { get; }

    public int[] AppendCount { get; }

    /// <summary>Admitted records, grouped by shard.</summary>
    public LogRecord[] Records { get; }

    public AppendOutcome[] Outcomes { get; }

    /// <summary>Request index of <see cref="Records"/>[w].</summary>
    public int[] RecordIndex { get; }

    /// <summary>Results in request order; handed to the response, which returns it to the pool.</summary>
    public PutRecordsResultEntry[]? Results { get; private set; }

    public int Appended { get; set; }

    public int Failed { get; set; }

    public ReadOnlyMemory<byte> Key(int index) => Keys.AsMemory(KeyOffsets[index], KeyLengths[index]);

    /// <summary>Passes the results array to the response.</summary>
    public PutRecordsResponse ToResponse()
    {
        var results = Results ?? throw new ObjectDisposedException(nameof(PutRecordsBatch));
        Results = null;
        return new PutRecordsResponse(results, Count, Failed);
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(Keys);
        ArrayPool<int>.Shared.Return(KeyOffsets);
        ArrayPool<int>.Shared.Return(KeyLengths);
        ArrayPool<int>.Shared.Return(ShardOf);
        ArrayPool<int>.Shared.Return(Order);
        ArrayPool<int>.Shared.Return(Sizes);
        ArrayPool<bool>.Shared.Return(Admitted);
        ArrayPool<int>.Shared.Return(GroupStart);
        ArrayPool<int>.Shared.Return(AppendStart);
        ArrayPool<int>.Shared.Return(AppendCount);

        // Records point at caller memory: clear them so the pool does not keep it alive.
        ArrayPool<LogRecord>.Shared.Return(Records, clearArray: true);
        ArrayPool<AppendOutcome>.Shared.Return(Outcomes);
        ArrayPool<int>.Shared.Return(RecordIndex);
        if (Results is { } results)
        {
            ArrayPool<PutRecordsResultEntry>.Shared.Return(results, clearArray: true);
            Results = null;
        }
    }
}
