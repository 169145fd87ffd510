namespace KafkaKinesisBridge.Core.Api;

/// <summary>IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod input.</summary>
public sealed class UpdateStreamRetentionPeriodRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: 24 to 8760.</summary>
    public int? RetentionPeriodHours { get; init; }
}

/// <summary>UpdateMaxRecordSize input.</summary>
public sealed class UpdateMaxRecordSizeRequest
{
    /// <summary>The stream ARN (the Kinesis request names the stream only by ARN).</summary>
    public string? StreamARN { get; init; }

    /// <summary>Accepted as an alternative to the ARN (gRPC convenience, not in Kinesis).</summary>
    public string? StreamName { get; init; }

    /// <summary>Required: 1024 to 10240.</summary>
    public int? MaxRecordSizeInKiB { get; init; }
}

/// <summary>DescribeLimits output.</summary>
/// <param name="ShardLimit">The account shard limit.</param>
/// <param name="OpenShardCount">Open shards over all streams.</param>
/// <param name="OnDemandStreamCount">Streams in ON_DEMAND mode.</param>
/// <param name="OnDemandStreamCountLimit">The account limit on ON_DEMAND streams.</param>
public sealed record DescribeLimitsResponse(int ShardLimit, int OpenShardCount, int OnDemandStreamCount, int OnDemandStreamCountLimit);

/// <summary>AddTagsToStream input.</summary>
public sealed class AddTagsToStreamRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: 1 to 50 tags (keys 1..128, values 0..256 characters).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>RemoveTagsFromStream input.</summary>
public sealed class RemoveTagsFromStreamRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: 1 to 50 keys; keys the stream does not have are ignored.</summary>
    public IReadOnlyList<string>? TagKeys { get; init; }
}

/// <summary>ListTagsForStream input.</summary>
public sealed class ListTagsForStreamRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>List tags whose keys sort after this one.</summary>
    public string? ExclusiveStartTagKey { get; init; }

    /// <summary>1 to 50; default 50.</summary>
    public int? Limit { get; init; }
}

/// <summary>ListTagsForStream output.</summary>
/// <param name="Tags">Tags of this page, ordered by key (ordinal).</param>
/// <param name="HasMoreTags">True when more tags follow.</param>
public sealed record ListTagsForStreamResponse(IReadOnlyList<Tag> Tags, bool HasMoreTags);

/// <summary>EnableEnhancedMonitoring and DisableEnhancedMonitoring input.</summary>
public sealed class EnhancedMonitoringRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>
    /// Required: 1 to 7 of IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords,
    /// WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds,
    /// or ALL (every one of them).
    /// </summary>
    public IReadOnlyList<string>? ShardLevelMetrics { get; init; }
}

/// <summary>EnableEnhancedMonitoring and DisableEnhancedMonitoring output (Kinesis <c>EnhancedMonitoringOutput</c>).</summary>
/// <param name="StreamName">The stream.</param>
/// <param name="StreamARN">The stream's ARN.</param>
/// <param name="CurrentShardLevelMetrics">The shard-level metrics on before the call.</param>
/// <param name="DesiredShardLevelMetrics">The shard-level metrics on after the call.</param>
public sealed record EnhancedMonitoringResponse(
    string StreamName,
    string StreamARN,
    IReadOnlyList<string> CurrentShardLevelMetrics,
    IReadOnlyList<string> DesiredShardLevelMetrics);

/// <summary>UpdateStreamMode input.</summary>
public sealed class UpdateStreamModeRequest
{
    /// <summary>The stream ARN (the Kinesis request names the stream only by ARN; required there).</summary>
    public string? StreamARN { get; init; }

    /// <summary>Accepted as an alternative to the ARN (gRPC convenience, not in Kinesis).</summary>
    public string? StreamName { get; init; }

    /// <summary>Required: the capacity mode to switch to.</summary>
    public StreamModeDetails? StreamModeDetails { get; init; }
}
