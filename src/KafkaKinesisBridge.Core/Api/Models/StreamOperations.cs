namespace KafkaKinesisBridge.Core.Api;

// Requests and responses of the stream lifecycle operations. Members mirror the Kinesis API
// (2013-12-02) one to one; a member Kinesis treats as optional is nullable here, and the core (not
// the front door) validates every value. Front doors map a field that is absent on the wire to null.

/// <summary>CreateStream input.</summary>
public sealed class CreateStreamRequest
{
    /// <summary>Required: 1 to 128 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public string? StreamName { get; init; }

    /// <summary>Required for PROVISIONED streams; 1 or more. ON_DEMAND streams start with the configured default.</summary>
    public int? ShardCount { get; init; }

    /// <summary>Null means PROVISIONED.</summary>
    public StreamModeDetails? StreamModeDetails { get; init; }

    /// <summary>Tags to create the stream with; at most 50.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>1024 to 10240; null means 1024 (1 MiB).</summary>
    public int? MaxRecordSizeInKiB { get; init; }
}

/// <summary>
/// CreateStream output. Kinesis returns an empty body; <see cref="StreamStatus"/> says whether the
/// stream is already ACTIVE (usual) or still CREATING (storage was slow; a reconciler finishes it).
/// </summary>
/// <param name="StreamStatus">The status when the call returned.</param>
public sealed record CreateStreamResponse(StreamStatus StreamStatus);

/// <summary>DeleteStream input.</summary>
public sealed class DeleteStreamRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Delete even if consumers are registered (no consumers exist yet).</summary>
    public bool? EnforceConsumerDeletion { get; init; }
}

/// <summary>DescribeStream input.</summary>
public sealed class DescribeStreamRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }

    /// <summary>Shards per page, 1 to 10000; default 100.</summary>
    public int? Limit { get; init; }

    /// <summary>List shards after this shard id.</summary>
    public string? ExclusiveStartShardId { get; init; }
}

/// <summary>DescribeStream output.</summary>
/// <param name="StreamDescription">The stream.</param>
public sealed record DescribeStreamResponse(StreamDescription StreamDescription);

/// <summary>DescribeStreamSummary input.</summary>
public sealed class DescribeStreamSummaryRequest
{
    /// <summary>The stream name; this or <see cref="StreamARN"/> is required.</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public string? StreamARN { get; init; }
}

/// <summary>DescribeStreamSummary output.</summary>
/// <param name="StreamDescriptionSummary">The stream.</param>
public sealed record DescribeStreamSummaryResponse(StreamDescriptionSummary StreamDescriptionSummary);

/// <summary>ListStreams input.</summary>
public sealed class ListStreamsRequest
{
    /// <summary>1 to 10000; default 100; at most 100 are returned (as Kinesis).</summary>
    public int? Limit { get; init; }

    /// <summary>List streams whose names sort after this one.</summary>
    public string? ExclusiveStartStreamName { get; init; }

    /// <summary>The token of a previous page.</summary>
    public string? NextToken { get; init; }
}

/// <summary>ListStreams output.</summary>
public sealed class ListStreamsResponse
{
    /// <summary>Stream names of this page, in ordinal order.</summary>
    public required IReadOnlyList<string> StreamNames { get; init; }

    /// <summary>True when more streams follow.</summary>
    public required bool HasMoreStreams { get; init; }

    /// <summary>The token for the next page; null on the last page.</summary>
    public string? NextToken { get; init; }

    /// <summary>One summary per name, same order.</summary>
    public required IReadOnlyList<StreamSummary> StreamSummaries { get; init; }
}

/// <summary>Kinesis <c>ShardFilter</c> (ListShards).</summary>
public sealed class ShardFilter
{
    /// <summary>Required.</summary>
    public ShardFilterType? Type { get; init; }

    /// <summary>Required for AFTER_SHARD_ID.</summary>
    public string? ShardId { get; init; }

    /// <summary>Required for AT_TIMESTAMP and FROM_TIMESTAMP.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>ListShards input.</summary>
public sealed class ListShardsRequest
{
    /// <summary>The stream name; required unless <see cref="NextToken"/> is given (not both).</summary>
    public string? StreamName { get; init; }

    /// <summary>The stream ARN (an alternative to <see cref="StreamName"/>).</summary>
    public string? StreamARN { get; init; }

    /// <summary>The token of a previous page; valid for 300 seconds.</summary>
    public string? NextToken { get; init; }

    /// <summary>List shards after this shard id.</summary>
    public string? ExclusiveStartShardId { get; init; }

    /// <summary>1 to 10000; default 1000.</summary>
    public int? MaxResults { get; init; }

    /// <summary>Distinguishes streams that had the same name: must match the stream's creation time.</summary>
    public DateTimeOffset? StreamCreationTimestamp { get; init; }

    /// <summary>Which shards to list; default FROM_TRIM_HORIZON.</summary>
    public ShardFilter? ShardFilter { get; init; }
}

/// <summary>ListShards output.</summary>
public sealed class ListShardsResponse
{
    /// <summary>The shards of this page.</summary>
    public required IReadOnlyList<Shard> Shards { get; init; }

    /// <summary>The token for the next page; null on the last page.</summary>
    public string? NextToken { get; init; }
}
