using System.Globalization;

namespace KafkaKinesisBridge.Core.Streams.OnDemand;

/// <summary>
/// How the gateway scales ON_DEMAND streams (section "Kinesis:OnDemand"). Kinesis does not publish its
/// own policy; this one splits a shard whose write demand stays above <see cref="SplitThreshold"/> of the
/// per-shard write limit (Kinesis: 1 MiB/s and 1,000 records/s) for <see cref="SplitWindow"/>, and
/// merges two adjacent shards that both stay below <see cref="MergeThreshold"/> for the longer
/// <see cref="MergeWindow"/> (Kinesis scales up within minutes and down slowly).
/// </summary>
public sealed class OnDemandScalingOptions
{
    /// <summary>Whether the scaler runs.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often per-shard write demand is sampled (and a decision taken).</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Share of the per-shard write limit above which a shard is hot.</summary>
    public double SplitThreshold { get; set; } = 0.75;

    /// <summary>How long a shard must stay hot before it is split.</summary>
    public TimeSpan SplitWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of the per-shard write limit below which a shard is cold.</summary>
    public double MergeThreshold { get; set; } = 0.10;

    /// <summary>How long two adjacent shards must both stay cold before they are merged.</summary>
    public TimeSpan MergeWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Least time between two scaling actions on one stream, measured from the last reshard in the
    /// catalog (shared by all replicas): keeps the scaler inside the Kinesis reshard rate limits and
    /// lets the load settle on the new shards before the next decision.
    /// </summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The scaler never merges below this many open shards (Kinesis: an on-demand stream's 4).</summary>
    public int MinShardCount { get; set; } = KinesisStreamsOptions.DefaultOnDemandShardCountValue;

    /// <summary>The scaler never splits beyond this many open shards.</summary>
    public int MaxShardCount { get; set; } = 200;

    internal void Validate(List<string> failures, int defaultOnDemandShardCount)
    {
        if (SampleInterval <= TimeSpan.Zero || SplitWindow <= TimeSpan.Zero || MergeWindow <= TimeSpan.Zero || Cooldown < TimeSpan.Zero)
        {
            failures.Add("Kinesis:OnDemand SampleInterval, SplitWindow and MergeWindow must be positive, Cooldown not negative.");
        }

        if (SplitThreshold is not (> 0 and <= 10) || MergeThreshold is not (>= 0 and < 1))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:OnDemand SplitThreshold ({SplitThreshold}) must be in (0, 10] and MergeThreshold ({MergeThreshold}) in [0, 1)."));
        }

        // Two merged cold shards carry at most twice the cold share: it must stay below the split
        // threshold, or a merge could be split straight back.
        if (2 * MergeThreshold >= SplitThreshold)
        {
            failures.Add("Kinesis:OnDemand MergeThreshold must be less than half of SplitThreshold.");
        }

        if (MinShardCount < 1 || MaxShardCount < MinShardCount)
        {
            failures.Add("Kinesis:OnDemand MinShardCount must be at least 1 and MaxShardCount at least MinShardCount.");
        }

        if (defaultOnDemandShardCount > MaxShardCount)
        {
            failures.Add("Kinesis:DefaultOnDemandShardCount must not exceed Kinesis:OnDemand:MaxShardCount.");
        }
    }
}
