using System.Globalization;

namespace KafkaKinesisBridge.Core.Streams.Resharding;

/// <summary>
/// Limits and timing of SplitShard, MergeShards and UpdateShardCount (section <c>Kinesis:Resharding</c>).
/// Defaults are the Kinesis default limits (API reference, UpdateShardCount, SplitShard, MergeShards).
/// </summary>
public sealed class ReshardingOptions
{
    /// <summary>Kinesis: SplitShard and MergeShards allow 5 transactions per second per account.</summary>
    public const int DefaultSplitMergeCallsPerSecond = 5;

    /// <summary>Kinesis: "Scale more than ten times per rolling 24-hour period per stream" is refused.</summary>
    public const int DefaultUpdateShardCountPerDay = 10;

    /// <summary>Kinesis: at most 10000 shards in a stream through UpdateShardCount.</summary>
    public const int DefaultMaxShardsPerStream = 10000;

    /// <summary>SplitShard and MergeShards calls per second this replica accepts (token bucket, 1 s burst).</summary>
    public int SplitMergeCallsPerSecond { get; set; } = DefaultSplitMergeCallsPerSecond;

    /// <summary>UpdateShardCount calls per stream per rolling 24 hours.</summary>
    public int UpdateShardCountPerDay { get; set; } = DefaultUpdateShardCountPerDay;

    /// <summary>The largest target of UpdateShardCount.</summary>
    public int MaxShardsPerStream { get; set; } = DefaultMaxShardsPerStream;

    /// <summary>
    /// The write fence: a replica acknowledges a write to a shard without re-reading the catalog only
    /// when its view of the catalog was confirmed at most this long before the write completed; a
    /// reshard fixes a parent's end only this long after its close was committed. Shorter: faster
    /// reshards, more catalog reads by writers (coalesced, one at a time per replica).
    /// </summary>
    public TimeSpan FenceLease { get; set; } = TimeSpan.FromMilliseconds(250);

    internal void Validate(List<string> failures)
    {
        Positive(failures, SplitMergeCallsPerSecond, "SplitMergeCallsPerSecond");
        Positive(failures, UpdateShardCountPerDay, "UpdateShardCountPerDay");
        Positive(failures, MaxShardsPerStream, "MaxShardsPerStream");
        if (FenceLease < TimeSpan.FromMilliseconds(1) || FenceLease > TimeSpan.FromMinutes(1))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:Resharding:FenceLease must be between 1 ms and 1 minute (was {FenceLease})."));
        }
    }

    private static void Positive(List<string> failures, int value, string name)
    {
        if (value <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:Resharding:{name} must be positive (was {value})."));
        }
    }
}
