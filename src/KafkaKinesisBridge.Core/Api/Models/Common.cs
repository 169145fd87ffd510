namespace KafkaKinesisBridge.Core.Api;

/// <summary>Kinesis <c>StreamModeDetails</c>.</summary>
/// <param name="StreamMode">The capacity mode.</param>
public sealed record StreamModeDetails(StreamMode StreamMode);

/// <summary>
/// Kinesis <c>HashKeyRange</c>: an inclusive range of unsigned 128-bit hash keys. Kinesis writes them
/// as decimal strings: use <c>value.ToString(CultureInfo.InvariantCulture)</c> (or TryFormat).
/// </summary>
public readonly record struct HashKeyRange(UInt128 StartingHashKey, UInt128 EndingHashKey)
{
    /// <summary>True when <paramref name="hashKey"/> is in the range.</summary>
    public bool Contains(UInt128 hashKey) => hashKey >= StartingHashKey && hashKey <= EndingHashKey;
}

/// <summary>
/// Kinesis <c>SequenceNumberRange</c>. <see cref="EndingSequenceNumber"/> is null while the shard is
/// open; for a closed shard it is the sequence number of its end offset (no record of the shard has
/// a larger one).
/// </summary>
public readonly record struct SequenceNumberRange(SequenceNumber StartingSequenceNumber, SequenceNumber? EndingSequenceNumber);

/// <summary>Kinesis <c>Shard</c>. Instances are immutable and shared between calls.</summary>
public sealed class Shard
{
    /// <summary>The shard index: the partition of the stream's topic.</summary>
    public required int ShardIndex { get; init; }

    /// <summary>The shard id, <c>shardId-000000000000</c>.</summary>
    public required string ShardId { get; init; }

    /// <summary>The shard this one was split from or merged from; null for an original shard.</summary>
    public string? ParentShardId { get; init; }

    /// <summary>The other parent of a merged shard; null otherwise.</summary>
    public string? AdjacentParentShardId { get; init; }

    /// <summary>The hash keys the shard owns.</summary>
    public required HashKeyRange HashKeyRange { get; init; }

    /// <summary>The shard's sequence numbers.</summary>
    public required SequenceNumberRange SequenceNumberRange { get; init; }

    /// <summary>True while the shard accepts writes (no ending sequence number).</summary>
    public bool IsOpen => SequenceNumberRange.EndingSequenceNumber is null;
}

/// <summary>Kinesis <c>ChildShard</c>: a shard created when its parent was closed (GetRecords, SubscribeToShard).</summary>
public sealed class ChildShard
{
    /// <summary>The child's shard id.</summary>
    public required string ShardId { get; init; }

    /// <summary>The child's parents (one for a split, two for a merge).</summary>
    public required IReadOnlyList<string> ParentShards { get; init; }

    /// <summary>The hash keys the child owns.</summary>
    public required HashKeyRange HashKeyRange { get; init; }
}

/// <summary>Kinesis <c>EnhancedMetrics</c>: the shard-level metrics EnableEnhancedMonitoring turned on (empty when none).</summary>
/// <param name="ShardLevelMetrics">The enabled metric names.</param>
public sealed record EnhancedMetrics(IReadOnlyList<string> ShardLevelMetrics);

/// <summary>Kinesis <c>Tag</c>.</summary>
/// <param name="Key">The key, 1 to 128 characters.</param>
/// <param name="Value">The value, 0 to 256 characters; Kinesis may omit an empty value.</param>
public readonly record struct Tag(string Key, string? Value);

/// <summary>Kinesis <c>StreamDescription</c> (DescribeStream).</summary>
public sealed class StreamDescription
{
    /// <summary>The stream name.</summary>
    public required string StreamName { get; init; }

    /// <summary>The stream ARN, <c>arn:aws:kinesis:{region}:{account}:stream/{name}</c>.</summary>
    public required string StreamARN { get; init; }

    /// <summary>The stream status.</summary>
    public required StreamStatus StreamStatus { get; init; }

    /// <summary>The capacity mode.</summary>
    public required StreamModeDetails StreamModeDetails { get; init; }

    /// <summary>The shards of this page, in shard id order (empty while the stream is CREATING).</summary>
    public required IReadOnlyList<Shard> Shards { get; init; }

    /// <summary>True when more shards follow (use the last shard id as ExclusiveStartShardId).</summary>
    public required bool HasMoreShards { get; init; }

    /// <summary>The retention period in hours.</summary>
    public required int RetentionPeriodHours { get; init; }

    /// <summary>When the stream was created.</summary>
    public required DateTimeOffset StreamCreationTimestamp { get; init; }

    /// <summary>Enhanced monitoring: one entry with no metrics, as Kinesis reports it when disabled.</summary>
    public required IReadOnlyList<EnhancedMetrics> EnhancedMonitoring { get; init; }

    /// <summary>Always <see cref="EncryptionType.None"/>.</summary>
    public EncryptionType EncryptionType { get; init; }

    /// <summary>Always null (no KMS key).</summary>
    public string? KeyId { get; init; }
}

/// <summary>Kinesis <c>StreamDescriptionSummary</c> (DescribeStreamSummary).</summary>
public sealed class StreamDescriptionSummary
{
    /// <summary>The stream name.</summary>
    public required string StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public required string StreamARN { get; init; }

    /// <summary>The stream status.</summary>
    public required StreamStatus StreamStatus { get; init; }

    /// <summary>The capacity mode.</summary>
    public required StreamModeDetails StreamModeDetails { get; init; }

    /// <summary>The retention period in hours.</summary>
    public required int RetentionPeriodHours { get; init; }

    /// <summary>When the stream was created.</summary>
    public required DateTimeOffset StreamCreationTimestamp { get; init; }

    /// <summary>Enhanced monitoring: one entry with no metrics.</summary>
    public required IReadOnlyList<EnhancedMetrics> EnhancedMonitoring { get; init; }

    /// <summary>Always <see cref="EncryptionType.None"/>.</summary>
    public EncryptionType EncryptionType { get; init; }

    /// <summary>Always null.</summary>
    public string? KeyId { get; init; }

    /// <summary>The number of open shards.</summary>
    public required int OpenShardCount { get; init; }

    /// <summary>Registered enhanced fan-out consumers (0 until consumers exist).</summary>
    public int ConsumerCount { get; init; }

    /// <summary>The maximum record size in KiB (1024 to 10240).</summary>
    public required int MaxRecordSizeInKiB { get; init; }
}

/// <summary>Kinesis <c>StreamSummary</c> (ListStreams).</summary>
public sealed class StreamSummary
{
    /// <summary>The stream name.</summary>
    public required string StreamName { get; init; }

    /// <summary>The stream ARN.</summary>
    public required string StreamARN { get; init; }

    /// <summary>The stream status.</summary>
    public required StreamStatus StreamStatus { get; init; }

    /// <summary>The capacity mode.</summary>
    public required StreamModeDetails StreamModeDetails { get; init; }

    /// <summary>When the stream was created.</summary>
    public required DateTimeOffset StreamCreationTimestamp { get; init; }
}
