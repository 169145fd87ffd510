using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Streams.OnDemand;

/// <summary>One open shard as the scaling policy sees it.</summary>
/// <param name="ShardIndex">The shard.</param>
/// <param name="Range">Its hash-key range.</param>
/// <param name="HotSinceMs">Since when its write demand has stayed above the split threshold; null when it is not hot.</param>
/// <param name="ColdSinceMs">Since when its write demand has stayed below the merge threshold; null when it is not cold.</param>
internal readonly record struct ShardLoad(int ShardIndex, HashKeyRange Range, long? HotSinceMs, long? ColdSinceMs);

/// <summary>What the scaler does to a stream.</summary>
internal enum ScalingActionKind
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>SplitShard at the middle of the shard's range.</summary>
    Split = 1,

    /// <summary>MergeShards of two adjacent shards.</summary>
    Merge = 2,
}

/// <summary>A scaling decision.</summary>
/// <param name="Kind">The action.</param>
/// <param name="ShardIndex">The shard to split, or the lower shard to merge.</param>
/// <param name="AdjacentShardIndex">The upper shard to merge (-1 for a split).</param>
/// <param name="NewStartingHashKey">Where the split's upper child starts (0 for a merge).</param>
internal readonly record struct ScalingDecision(ScalingActionKind Kind, int ShardIndex, int AdjacentShardIndex, UInt128 NewStartingHashKey)
{
    public static ScalingDecision None => default;

    public static ScalingDecision Split(int shard, UInt128 newStartingHashKey) => new(ScalingActionKind.Split, shard, -1, newStartingHashKey);

    public static ScalingDecision Merge(int lower, int upper) => new(ScalingActionKind.Merge, lower, upper, UInt128.Zero);
}

/// <summary>
/// The on-demand scaling policy, pure: from the open shards' load and the time of the stream's last
/// reshard it decides one action. Splitting comes first (a hot shard throttles writers; a cold pair
/// only costs a partition). The rules:
/// <list type="bullet">
/// <item>Nothing while the stream is not ACTIVE (Kinesis refuses reshards while UPDATING) or within
/// <see cref="OnDemandScalingOptions.Cooldown"/> of its last reshard.</item>
/// <item>Split the shard hot for longest, if hot for at least <see cref="OnDemandScalingOptions.SplitWindow"/>,
/// below <see cref="OnDemandScalingOptions.MaxShardCount"/> open shards, at the middle of its range
/// (SplitShard's NewStartingHashKey; a one-key shard cannot be split).</item>
/// <item>Else merge the two adjacent shards (the upper starts right after the lower ends) cold for
/// longest, if both have been cold for at least <see cref="OnDemandScalingOptions.MergeWindow"/>, above
/// <see cref="OnDemandScalingOptions.MinShardCount"/> open shards.</item>
/// </list>
/// </summary>
internal static class OnDemandScalingPolicy
{
    public static ScalingDecision Decide(
        OnDemandScalingOptions options,
        long nowMs,
        StreamStatus status,
        long? lastReshardMs,
        IReadOnlyList<ShardLoad> openShards)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(openShards);
        if (status != StreamStatus.Active || (lastReshardMs is { } last && nowMs - last < (long)options.Cooldown.TotalMilliseconds))
        {
            return ScalingDecision.None;
        }

        var split = PickSplit(options, nowMs, openShards);
        return split.Kind != ScalingActionKind.None ? split : PickMerge(options, nowMs, openShards);
    }

    /// <summary>The middle of a range: the upper child starts here (its lower sibling keeps at least one key).</summary>
    public static UInt128 Midpoint(HashKeyRange range) => range.StartingHashKey + ((range.EndingHashKey - range.StartingHashKey) / 2) + 1;

    private static ScalingDecision PickSplit(OnDemandScalingOptions options, long nowMs, IReadOnlyList<ShardLoad> shards)
    {
        if (shards.Count >= options.MaxShardCount)
        {
            return ScalingDecision.None;
        }

        var window = (long)options.SplitWindow.TotalMilliseconds;
        ShardLoad? best = null;
        foreach (var shard in shards)
        {
            if (shard.HotSinceMs is { } since && nowMs - since >= window && shard.Range.EndingHashKey > shard.Range.StartingHashKey
                && (best is null || since < best.Value.HotSinceMs || (since == best.Value.HotSinceMs && shard.ShardIndex < best.Value.ShardIndex)))
            {
                best = shard;
            }
        }

        return best is { } chosen ? ScalingDecision.Split(chosen.ShardIndex, Midpoint(chosen.Range)) : ScalingDecision.None;
    }

    private static ScalingDecision PickMerge(OnDemandScalingOptions options, long nowMs, IReadOnlyList<ShardLoad> shards)
    {
        if (shards.Count <= options.MinShardCount)
        {
            return ScalingDecision.None;
        }

        var window = (long)options.MergeWindow.TotalMilliseconds;
        var ordered = shards.OrderBy(s => s.Range.StartingHashKey).ToArray();
        var bestIndex = -1;
        var bestSince = long.MaxValue;
        for (var i = 0; i + 1 < ordered.Length; i++)
        {
            var (lower, upper) = (ordered[i], ordered[i + 1]);
            if (lower.Range.EndingHashKey == UInt128.MaxValue || lower.Range.EndingHashKey + 1 != upper.Range.StartingHashKey
                || lower.ColdSinceMs is not { } lowerSince || upper.ColdSinceMs is not { } upperSince)
            {
                continue;
            }

            // The pair has been cold since the later of the two became cold.
            var since = Math.Max(lowerSince, upperSince);
            if (nowMs - since >= window && since < bestSince)
            {
                bestSince = since;
                bestIndex = i;
            }
        }

        return bestIndex < 0 ? ScalingDecision.None : ScalingDecision.Merge(ordered[bestIndex].ShardIndex, ordered[bestIndex + 1].ShardIndex);
    }
}

/// <summary>
/// Turns samples of a shard's cumulative write demand into hot/cold durations, pure. Demand is the
/// larger of the byte share and the record share of the per-shard write limit over the interval
/// between two samples; a shard is hot (cold) since the start of the first interval of an unbroken run
/// above the split threshold (below the merge threshold).
/// </summary>
internal sealed class ShardLoadTracker
{
    private long _lastMs = -1;
    private long _lastBytes;
    private long _lastRecords;

    public long? HotSinceMs { get; private set; }

    public long? ColdSinceMs { get; private set; }

    /// <summary>The demand share of the last interval (0 before two samples).</summary>
    public double LastShare { get; private set; }

    public void Observe(long nowMs, long totalBytes, long totalRecords, long bytesPerSecondLimit, long recordsPerSecondLimit, OnDemandScalingOptions options)
    {
        if (_lastMs < 0 || nowMs <= _lastMs || totalBytes < _lastBytes || totalRecords < _lastRecords)
        {
            // First sample (or a clock or counter that went back): a baseline only.
            (_lastMs, _lastBytes, _lastRecords) = (nowMs, totalBytes, totalRecords);
            return;
        }

        var seconds = (nowMs - _lastMs) / 1000.0;
        var byteShare = (totalBytes - _lastBytes) / seconds / bytesPerSecondLimit;
        var recordShare = (totalRecords - _lastRecords) / seconds / recordsPerSecondLimit;
        var share = Math.Max(byteShare, recordShare);
        LastShare = share;
        HotSinceMs = share >= options.SplitThreshold ? HotSinceMs ?? _lastMs : null;
        ColdSinceMs = share <= options.MergeThreshold ? ColdSinceMs ?? _lastMs : null;
        (_lastMs, _lastBytes, _lastRecords) = (nowMs, totalBytes, totalRecords);
    }
}
