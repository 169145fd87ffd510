namespace KafkaKinesisBridge.Core.Api;

/// <summary>SplitShard input (Kinesis API reference, SplitShard).</summary>
public sealed class SplitShardRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: the open shard to split.</summary>
    public string? ShardToSplit { get; init; }

    /// <summary>Required: the first hash key of the upper child (decimal, within the shard's range, above its start).</summary>
    public string? NewStartingHashKey { get; init; }
}

/// <summary>MergeShards input (Kinesis API reference, MergeShards).</summary>
public sealed class MergeShardsRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: the open shard to merge; the child's ParentShardId.</summary>
    public string? ShardToMerge { get; init; }

    /// <summary>Required: an open shard whose range is adjacent; the child's AdjacentParentShardId.</summary>
    public string? AdjacentShardToMerge { get; init; }
}

/// <summary>UpdateShardCount input (Kinesis API reference, UpdateShardCount).</summary>
public sealed class UpdateShardCountRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: the new number of open shards, 1 to 100000 by shape.</summary>
    public int? TargetShardCount { get; init; }

    /// <summary>Required: <c>UNIFORM_SCALING</c>, the only scaling type.</summary>
    public string? ScalingType { get; init; }
}

/// <summary>UpdateShardCount output.</summary>
/// <param name="StreamName">The stream.</param>
/// <param name="StreamARN">The stream's ARN.</param>
/// <param name="CurrentShardCount">Open shards before the call.</param>
/// <param name="TargetShardCount">Open shards once the stream is ACTIVE again.</param>
public sealed record UpdateShardCountResponse(string StreamName, string StreamARN, int CurrentShardCount, int TargetShardCount);
