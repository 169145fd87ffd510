using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;

namespace KafkaKinesisBridge.Core.Catalog;

/// <summary>
/// The invariants of a stream's shard list, checked before a version is proposed (by the planner and
/// the resharder) and again when every replica applies it (<see cref="CatalogState"/>), so a record
/// that breaks them is rejected in log order instead of reaching the shard router, which would throw
/// inside the catalog apply loop and stop every replica's catalog at that record.
/// </summary>
/// <remarks>
/// Kinesis rules (API reference, SplitShard, MergeShards, Shard): the open shards partition the
/// hash key space [0, 2^128 - 1] into contiguous ranges; a child names one parent (split) or a parent
/// and an adjacent parent (merge), both older than it; shard ids are never reused.
/// </remarks>
internal static class ShardLayout
{
    /// <summary>Whether a shard takes new writes: neither closing nor closed.</summary>
    public static bool IsRoutable(ShardEntry shard) => shard.ClosedAtMs is null && shard.EndingOffset is null;

    /// <summary>
    /// Checks one version on its own: indexes dense, ranges well formed, lineage pointing at older
    /// shards whose ranges cover the child, offsets ordered, and, for a stream that takes writes, the
    /// routable shards tiling the whole hash key space. Returns null when valid, else why not.
    /// </summary>
    public static string? Validate(StreamEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var shards = entry.Shards;
        var routable = new List<(UInt128 Start, UInt128 End)>(shards.Count);
        var ranges = new (UInt128 Start, UInt128 End)[shards.Count];
        for (var i = 0; i < shards.Count; i++)
        {
            var shard = shards[i];
            if (shard is null || shard.Index != i)
            {
                return $"shard {i} is missing or out of place";
            }

            if (!HashKeys.TryParse(shard.StartingHashKey, out var start) || !HashKeys.TryParse(shard.EndingHashKey, out var end) || start > end)
            {
                return $"shard {i} has an invalid hash key range";
            }

            ranges[i] = (start, end);
            if (shard.StartingOffset < 0 || shard.EndingOffset is { } ending && ending < shard.StartingOffset)
            {
                return $"shard {i} has an invalid offset range";
            }

            if (shard.EndingOffset is not null && shard.ClosedAtMs is null)
            {
                return $"shard {i} has an end but no closing time";
            }

            if (LineageError(shard, i, start, end, ranges) is { } lineage)
            {
                return lineage;
            }

            if (IsRoutable(shard))
            {
                routable.Add((start, end));
            }
        }

        if (entry.Status is StreamStatus.Active or StreamStatus.Updating)
        {
            return TilingError(routable);
        }

        return null;
    }

    /// <summary>
    /// Checks that <paramref name="next"/> may follow <paramref name="current"/>: shards are only added,
    /// never removed, renumbered or re-parented (shard ids are never reused); a closed shard stays closed
    /// with the same end; a shard's start offset and range never change. Returns null when valid.
    /// </summary>
    public static string? ValidateTransition(StreamEntry current, StreamEntry next)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(next);
        if (next.Shards.Count < current.Shards.Count)
        {
            return "shards were removed";
        }

        for (var i = 0; i < current.Shards.Count; i++)
        {
            var before = current.Shards[i];
            var after = next.Shards[i];
            if (after is null
                || !string.Equals(before.StartingHashKey, after.StartingHashKey, StringComparison.Ordinal)
                || !string.Equals(before.EndingHashKey, after.EndingHashKey, StringComparison.Ordinal)
                || before.ParentIndex != after.ParentIndex
                || before.AdjacentParentIndex != after.AdjacentParentIndex)
            {
                return $"shard {i} changed its range or lineage";
            }

            if (current.Status != StreamStatus.Creating && before.StartingOffset != after.StartingOffset)
            {
                return $"shard {i} changed its first offset";
            }

            if (before.ClosedAtMs is not null && after.ClosedAtMs is null)
            {
                return $"shard {i} was reopened";
            }

            if (before.EndingOffset is { } end && after.EndingOffset != end)
            {
                return $"shard {i} changed its end";
            }
        }

        return null;
    }

    private static string? LineageError(ShardEntry shard, int index, UInt128 start, UInt128 end, (UInt128 Start, UInt128 End)[] ranges)
    {
        if (shard.ParentIndex is not { } parent)
        {
            return shard.AdjacentParentIndex is null ? null : $"shard {index} has an adjacent parent but no parent";
        }

        if (parent < 0 || parent >= index)
        {
            return $"shard {index} names a parent that is not an older shard";
        }

        var (coverStart, coverEnd) = ranges[parent];
        if (shard.AdjacentParentIndex is { } adjacent)
        {
            if (adjacent < 0 || adjacent >= index || adjacent == parent)
            {
                return $"shard {index} names an adjacent parent that is not another older shard";
            }

            var other = ranges[adjacent];
            if (other.End != UInt128.MaxValue && other.End + UInt128.One == coverStart)
            {
                coverStart = other.Start;
            }
            else if (coverEnd != UInt128.MaxValue && coverEnd + UInt128.One == other.Start)
            {
                coverEnd = other.End;
            }
            else
            {
                return $"shard {index} has parents that are not adjacent";
            }

            // A merge child takes exactly the union of its parents.
            return start == coverStart && end == coverEnd ? null : $"shard {index} does not cover its parents' ranges";
        }

        return start >= coverStart && end <= coverEnd ? null : $"shard {index} lies outside its parent's range";
    }

    private static string? TilingError(List<(UInt128 Start, UInt128 End)> routable)
    {
        if (routable.Count == 0)
        {
            return "no shard is open";
        }

        routable.Sort((a, b) => a.Start.CompareTo(b.Start));
        if (routable[0].Start != UInt128.Zero || routable[^1].End != HashKeys.Max)
        {
            return "the open shards do not cover the whole hash key space";
        }

        for (var i = 1; i < routable.Count; i++)
        {
            if (routable[i - 1].End + UInt128.One != routable[i].Start)
            {
                return "the open shards overlap or leave a gap";
            }
        }

        return null;
    }
}
