using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams.Resharding;

/// <summary>
/// A planned reshard: the stream version that starts it (parents closing, children open) and which
/// shards it touches. The parents' ends are fixed later, by the fence (<see cref="Resharder"/>).
/// </summary>
/// <param name="Next">The stream version to propose: UPDATING, parents closing, children appended.</param>
/// <param name="Closing">Shards that were open and now close: their ends are fixed by the fence.</param>
/// <param name="Added">New shards (= new partitions), in index order; some may be closed at birth.</param>
internal sealed record ReshardPlan(StreamEntry Next, IReadOnlyList<int> Closing, IReadOnlyList<int> Added);

/// <summary>
/// Pure planning of SplitShard, MergeShards and UpdateShardCount over a stream version (Kinesis API
/// reference). Never touches storage or the catalog; throws the Kinesis error of a request that cannot
/// be planned. Every plan keeps the invariants of <see cref="ShardLayout"/>: the open shards tile the
/// hash key space, children name older parents, shard ids (indexes) are never reused.
/// </summary>
internal static class ReshardPlanner
{
    /// <summary>SplitShard: the shard's range becomes [start, newStart - 1] and [newStart, end].</summary>
    public static ReshardPlan Split(StreamEntry current, string shardId, UInt128 newStartingHashKey, string account, long nowMs)
    {
        var next = Begin(current, nowMs);
        var parent = OpenShard(next, shardId, account);
        var (start, end) = RangeOf(parent);
        if (newStartingHashKey <= start || newStartingHashKey > end)
        {
            Errors.InvalidArgument(string.Create(
                CultureInfo.InvariantCulture,
                $"NewStartingHashKey {newStartingHashKey} used in SplitShard() on shard {shardId} in stream {current.Name} under account {account} is not both greater than the shard's StartingHashKey {start} and less than or equal to the shard's EndingHashKey {end}."));
        }

        var added = new List<int>(2);
        Close(parent, nowMs);
        added.Add(Add(next, start, newStartingHashKey - UInt128.One, parent.Index, null, nowMs).Index);
        added.Add(Add(next, newStartingHashKey, end, parent.Index, null, nowMs).Index);
        return new ReshardPlan(next, [parent.Index], added);
    }

    /// <summary>MergeShards: two open shards whose ranges touch become one; the child's parent is <paramref name="shardId"/>.</summary>
    public static ReshardPlan Merge(StreamEntry current, string shardId, string adjacentShardId, string account, long nowMs)
    {
        var next = Begin(current, nowMs);
        var first = OpenShard(next, shardId, account);
        var second = OpenShard(next, adjacentShardId, account);
        var (firstStart, firstEnd) = RangeOf(first);
        var (secondStart, secondEnd) = RangeOf(second);
        var adjacent = first.Index != second.Index
            && ((firstEnd != HashKeys.Max && firstEnd + UInt128.One == secondStart) || (secondEnd != HashKeys.Max && secondEnd + UInt128.One == firstStart));
        if (!adjacent)
        {
            Errors.InvalidArgument($"Shards {shardId} and {adjacentShardId} in stream {current.Name} under account {account} are not an adjacent pair of shards eligible for merging");
        }

        Close(first, nowMs);
        Close(second, nowMs);
        var child = Add(next, UInt128.Min(firstStart, secondStart), UInt128.Max(firstEnd, secondEnd), first.Index, second.Index, nowMs);
        return new ReshardPlan(next, [first.Index, second.Index], [child.Index]);
    }

    /// <summary>
    /// UpdateShardCount UNIFORM_SCALING: open shards end up as <paramref name="target"/> shards of equal
    /// ranges (as <see cref="HashKeys.Split"/> lays out a new stream), reached as Kinesis does by splits
    /// then merges of individual shards; pieces split or merged again within the plan are short-lived
    /// shards, closed at birth with no records ("This can cause short-lived shards to be created, in
    /// addition to the final shards", API reference, UpdateShardCount). Open shards that already have
    /// a target range stay open.
    /// </summary>
    public static ReshardPlan UniformScale(StreamEntry current, int target, long nowMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(target, 1);
        var next = Begin(current, nowMs);
        var firstNew = next.Shards.Count;
        var targets = HashKeys.Split(target);
        var open = next.Shards.Where(ShardLayout.IsRoutable).OrderBy(s => RangeOf(s).Start).ToList();
        var closing = new List<int>();
        var added = new List<int>();

        // Phase 1: split every open shard at each target boundary strictly inside it.
        var pieces = new List<ShardEntry>();
        var t = 0;
        foreach (var shard in open)
        {
            var (start, end) = RangeOf(shard);
            var piece = shard;
            while (t < targets.Length && targets[t].EndingHashKey < start)
            {
                t++;
            }

            for (var b = t; b < targets.Length && targets[b].EndingHashKey < end; b++)
            {
                var boundary = targets[b].EndingHashKey + UInt128.One;
                var (pieceStart, pieceEnd) = RangeOf(piece);
                Retire(piece, closing, firstNew, nowMs);
                var left = Add(next, pieceStart, boundary - UInt128.One, piece.Index, null, nowMs);
                var right = Add(next, boundary, pieceEnd, piece.Index, null, nowMs);
                added.Add(left.Index);
                added.Add(right.Index);
                pieces.Add(left);
                piece = right;
            }

            pieces.Add(piece);
        }

        // Phase 2: merge, left to right, the pieces lying within each target range.
        var p = 0;
        foreach (var range in targets)
        {
            var acc = pieces[p++];
            while (p < pieces.Count && RangeOf(pieces[p]).End <= range.EndingHashKey)
            {
                var other = pieces[p++];
                Retire(acc, closing, firstNew, nowMs);
                Retire(other, closing, firstNew, nowMs);
                var (accStart, _) = RangeOf(acc);
                var (_, otherEnd) = RangeOf(other);
                acc = Add(next, accStart, otherEnd, acc.Index, other.Index, nowMs);
                added.Add(acc.Index);
            }
        }

        return new ReshardPlan(next, closing, added);
    }

    /// <summary>A copy of the stream, UPDATING, to change.</summary>
    private static StreamEntry Begin(StreamEntry current, long nowMs)
    {
        var next = current.Clone();
        next.Status = StreamStatus.Updating;
        next.UpdatedAtMs = nowMs;
        return next;
    }

    private static ShardEntry OpenShard(StreamEntry next, string shardId, string account)
    {
        if (!ShardIds.TryParse(shardId, out var index) || index >= next.Shards.Count)
        {
            Errors.CouldNotFindShard(shardId, next.Name, account);
        }

        var shard = next.Shards[index];
        if (!ShardLayout.IsRoutable(shard))
        {
            Errors.InvalidArgument($"Shard {shardId} in stream {next.Name} under account {account} has already been merged or split, and thus is not eligible for merging or splitting.");
        }

        return shard;
    }

    /// <summary>Closes a shard that was open before the plan (its end is fixed by the fence).</summary>
    private static void Close(ShardEntry shard, long nowMs) => shard.ClosedAtMs = nowMs;

    /// <summary>
    /// Closes a shard within UpdateShardCount: an open shard of the stream closes (fenced later); a
    /// piece created by this plan never took a write and closes at birth, empty.
    /// </summary>
    private static void Retire(ShardEntry shard, List<int> closing, int firstNew, long nowMs)
    {
        if (shard.ClosedAtMs is not null)
        {
            return;
        }

        shard.ClosedAtMs = nowMs;
        if (shard.Index >= firstNew)
        {
            shard.EndingOffset = shard.StartingOffset;
        }
        else
        {
            closing.Add(shard.Index);
        }
    }

    private static ShardEntry Add(StreamEntry next, UInt128 start, UInt128 end, int parent, int? adjacentParent, long nowMs)
    {
        var shard = new ShardEntry
        {
            Index = next.Shards.Count,
            StartingHashKey = start.ToString(CultureInfo.InvariantCulture),
            EndingHashKey = end.ToString(CultureInfo.InvariantCulture),
            ParentIndex = parent,
            AdjacentParentIndex = adjacentParent,
            CreatedAtMs = nowMs,
        };
        next.Shards.Add(shard);
        return shard;
    }

    private static (UInt128 Start, UInt128 End) RangeOf(ShardEntry shard)
    {
        HashKeys.TryParse(shard.StartingHashKey, out var start);
        HashKeys.TryParse(shard.EndingHashKey, out var end);
        return (start, end);
    }
}
