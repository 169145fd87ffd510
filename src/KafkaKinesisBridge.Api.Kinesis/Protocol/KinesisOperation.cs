using System.Collections.Frozen;

namespace KafkaKinesisBridge.Api.Kinesis.Protocol;

/// <summary>
/// Every operation of the Kinesis Data Streams API (version 2013-12-02), as named in the
/// <c>X-Amz-Target</c> header (<c>Kinesis_20131202.&lt;Operation&gt;</c>). The list follows the
/// service model of the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis 3.1143); an operation
/// the gateway does not serve is still recognized, so it can answer that it is not supported.
/// </summary>
public enum KinesisOperation
{
    AddTagsToStream,
    CreateChannel,
    CreateStream,
    DecreaseStreamRetentionPeriod,
    DeleteChannel,
    DeleteResourcePolicy,
    DeleteStream,
    DeregisterStreamConsumer,
    DescribeAccountSettings,
    DescribeChannel,
    DescribeLimits,
    DescribeStream,
    DescribeStreamConsumer,
    DescribeStreamSummary,
    DisableEnhancedMonitoring,
    EnableEnhancedMonitoring,
    GetRecords,
    GetResourcePolicy,
    GetShardIterator,
    IncreaseStreamRetentionPeriod,
    ListChannels,
    ListShards,
    ListStreamConsumers,
    ListStreams,
    ListTagsForResource,
    ListTagsForStream,
    MergeShards,
    PutRecord,
    PutRecords,
    PutResourcePolicy,
    RegisterStreamConsumer,
    RemoveTagsFromStream,
    SplitShard,
    StartStreamEncryption,
    StopStreamEncryption,
    SubscribeToShard,
    TagResource,
    UntagResource,
    UpdateAccountSettings,
    UpdateChannel,
    UpdateMaxRecordSize,
    UpdateShardCount,
    UpdateStreamMode,
    UpdateStreamRecordDistributionStrategy,
    UpdateStreamWarmThroughput,
}

/// <summary>Parses <c>X-Amz-Target</c> values into <see cref="KinesisOperation"/>s.</summary>
public static class KinesisOperations
{
    /// <summary>The API version prefix of every Kinesis target: <c>Kinesis_20131202</c>.</summary>
    public const string TargetPrefix = "Kinesis_20131202";

    /// <summary>Number of operations (the length of a table indexed by <see cref="KinesisOperation"/>).</summary>
    public static readonly int Count = Enum.GetValues<KinesisOperation>().Length;

    private static readonly string[] Names =
    [
        "AddTagsToStream",
        "CreateChannel",
        "CreateStream",
        "DecreaseStreamRetentionPeriod",
        "DeleteChannel",
        "DeleteResourcePolicy",
        "DeleteStream",
        "DeregisterStreamConsumer",
        "DescribeAccountSettings",
        "DescribeChannel",
        "DescribeLimits",
        "DescribeStream",
        "DescribeStreamConsumer",
        "DescribeStreamSummary",
        "DisableEnhancedMonitoring",
        "EnableEnhancedMonitoring",
        "GetRecords",
        "GetResourcePolicy",
        "GetShardIterator",
        "IncreaseStreamRetentionPeriod",
        "ListChannels",
        "ListShards",
        "ListStreamConsumers",
        "ListStreams",
        "ListTagsForResource",
        "ListTagsForStream",
        "MergeShards",
        "PutRecord",
        "PutRecords",
        "PutResourcePolicy",
        "RegisterStreamConsumer",
        "RemoveTagsFromStream",
        "SplitShard",
        "StartStreamEncryption",
        "StopStreamEncryption",
        "SubscribeToShard",
        "TagResource",
        "UntagResource",
        "UpdateAccountSettings",
        "UpdateChannel",
        "UpdateMaxRecordSize",
        "UpdateShardCount",
        "UpdateStreamMode",
        "UpdateStreamRecordDistributionStrategy",
        "UpdateStreamWarmThroughput",
    ];

    private static readonly FrozenDictionary<string, KinesisOperation> ByName =
        Names.Select((name, index) => KeyValuePair.Create(name, (KinesisOperation)index)).ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, KinesisOperation>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The operation's name as it appears in the target header.</summary>
    public static string GetName(this KinesisOperation operation) => Names[(int)operation];

    /// <summary>The full target header value, e.g. <c>Kinesis_20131202.ListStreams</c>.</summary>
    public static string GetTarget(this KinesisOperation operation) => TargetPrefix + "." + Names[(int)operation];

    /// <summary>Parses a target header value.</summary>
    /// <returns>
    /// <see cref="KinesisTargetStatus.Valid"/> with the operation; <see cref="KinesisTargetStatus.Missing"/>
    /// when the value is empty or has no <c>service.operation</c> shape; <see cref="KinesisTargetStatus.Unknown"/>
    /// for another service or an operation name Kinesis does not have.
    /// </returns>
    public static KinesisTargetStatus ParseTarget(ReadOnlySpan<char> target, out KinesisOperation operation)
    {
        operation = default;
        target = target.Trim();
        var dot = target.IndexOf('.');
        if (dot <= 0 || dot == target.Length - 1)
        {
            return KinesisTargetStatus.Missing;
        }

        if (!target[..dot].SequenceEqual(TargetPrefix))
        {
            return KinesisTargetStatus.Unknown;
        }

        return ByNameSpan.TryGetValue(target[(dot + 1)..], out operation) ? KinesisTargetStatus.Valid : KinesisTargetStatus.Unknown;
    }

    /// <summary>Looks up an operation by its name (the part of the target after the dot).</summary>
    public static bool TryParseName(ReadOnlySpan<char> name, out KinesisOperation operation) => ByNameSpan.TryGetValue(name, out operation);
}

/// <summary>Outcome of <see cref="KinesisOperations.ParseTarget"/>.</summary>
public enum KinesisTargetStatus
{
    /// <summary>A Kinesis operation.</summary>
    Valid,

    /// <summary>No target, or not of the form <c>service.operation</c>.</summary>
    Missing,

    /// <summary>A target naming another service or an operation Kinesis does not have.</summary>
    Unknown,
}
