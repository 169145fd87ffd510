using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Maps protobuf messages to the core's models and back. Proto3 cannot tell an empty string from an
/// absent one, so empty strings become null ("not given") and the core applies Kinesis' rules for
/// missing members; optional scalars use proto3 <c>optional</c> presence.
/// </summary>
internal static class ProtoMapper
{
    public static string? Optional(string value) => value.Length == 0 ? null : value;

    public static DateTimeOffset? Optional(Timestamp? value) => value?.ToDateTimeOffset();

    public static Timestamp ToTimestamp(DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    /// <summary>A Timestamp from Unix epoch milliseconds without going through DateTimeOffset.</summary>
    public static Timestamp ToTimestamp(long unixMilliseconds) => new()
    {
        Seconds = Math.DivRem(unixMilliseconds, 1000, out var remainder) - (remainder < 0 ? 1 : 0),
        Nanos = (int)((remainder < 0 ? remainder + 1000 : remainder) * 1_000_000),
    };

    public static IReadOnlyDictionary<string, string>? Optional(Google.Protobuf.Collections.MapField<string, string> map) =>
        map.Count == 0 ? null : map;

    // ----- Enums -----------------------------------------------------------------------------

    public static Proto.StreamStatus ToProto(CoreApi.StreamStatus value) => value switch
    {
        CoreApi.StreamStatus.Creating => Proto.StreamStatus.Creating,
        CoreApi.StreamStatus.Deleting => Proto.StreamStatus.Deleting,
        CoreApi.StreamStatus.Active => Proto.StreamStatus.Active,
        CoreApi.StreamStatus.Updating => Proto.StreamStatus.Updating,
        _ => Proto.StreamStatus.Unspecified,
    };

    public static Proto.StreamModeDetails ToProto(CoreApi.StreamModeDetails value) => new()
    {
        StreamMode = value.StreamMode == CoreApi.StreamMode.OnDemand ? Proto.StreamMode.OnDemand : Proto.StreamMode.Provisioned,
    };

    public static CoreApi.StreamModeDetails? ToCore(Proto.StreamModeDetails? value) => value?.StreamMode switch
    {
        null or Proto.StreamMode.Unspecified => null,
        Proto.StreamMode.Provisioned => new CoreApi.StreamModeDetails(CoreApi.StreamMode.Provisioned),
        Proto.StreamMode.OnDemand => new CoreApi.StreamModeDetails(CoreApi.StreamMode.OnDemand),
        var other => throw UnknownEnum("streamModeDetails.streamMode", (int)other),
    };

    public static Proto.EncryptionType ToProto(CoreApi.EncryptionType value) =>
        value == CoreApi.EncryptionType.Kms ? Proto.EncryptionType.Kms : Proto.EncryptionType.None;

    public static CoreApi.ShardIteratorType? ToCore(Proto.ShardIteratorType value) => value switch
    {
        Proto.ShardIteratorType.Unspecified => null,
        Proto.ShardIteratorType.AtSequenceNumber => CoreApi.ShardIteratorType.AtSequenceNumber,
        Proto.ShardIteratorType.AfterSequenceNumber => CoreApi.ShardIteratorType.AfterSequenceNumber,
        Proto.ShardIteratorType.TrimHorizon => CoreApi.ShardIteratorType.TrimHorizon,
        Proto.ShardIteratorType.Latest => CoreApi.ShardIteratorType.Latest,
        Proto.ShardIteratorType.AtTimestamp => CoreApi.ShardIteratorType.AtTimestamp,
        _ => throw UnknownEnum("shardIteratorType", (int)value),
    };

    public static CoreApi.ShardFilter? ToCore(Proto.ShardFilter? value) => value is null
        ? null
        : new CoreApi.ShardFilter
        {
            Type = value.Type switch
            {
                Proto.ShardFilterType.Unspecified => null,
                Proto.ShardFilterType.AfterShardId => CoreApi.ShardFilterType.AfterShardId,
                Proto.ShardFilterType.AtTrimHorizon => CoreApi.ShardFilterType.AtTrimHorizon,
                Proto.ShardFilterType.FromTrimHorizon => CoreApi.ShardFilterType.FromTrimHorizon,
                Proto.ShardFilterType.AtLatest => CoreApi.ShardFilterType.AtLatest,
                Proto.ShardFilterType.AtTimestamp => CoreApi.ShardFilterType.AtTimestamp,
                Proto.ShardFilterType.FromTimestamp => CoreApi.ShardFilterType.FromTimestamp,
                _ => throw UnknownEnum("shardFilter.type", (int)value.Type),
            },
            ShardId = Optional(value.ShardId),
            Timestamp = Optional(value.Timestamp),
        };

    // ----- Shapes ----------------------------------------------------------------------------

    public static Proto.Shard ToProto(CoreApi.Shard shard)
    {
        var result = new Proto.Shard
        {
            ShardId = shard.ShardId,
            ParentShardId = shard.ParentShardId ?? string.Empty,
            AdjacentParentShardId = shard.AdjacentParentShardId ?? string.Empty,
            HashKeyRange = ToProto(shard.HashKeyRange),
            SequenceNumberRange = new Proto.SequenceNumberRange
            {
                StartingSequenceNumber = shard.SequenceNumberRange.StartingSequenceNumber.ToString(),
                EndingSequenceNumber = shard.SequenceNumberRange.EndingSequenceNumber?.ToString() ?? string.Empty,
            },
        };
        return result;
    }

    public static Proto.HashKeyRange ToProto(CoreApi.HashKeyRange range) => new()
    {
        StartingHashKey = range.StartingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
        EndingHashKey = range.EndingHashKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static Proto.ChildShard ToProto(CoreApi.ChildShard child)
    {
        var result = new Proto.ChildShard { ShardId = child.ShardId, HashKeyRange = ToProto(child.HashKeyRange) };
        result.ParentShards.AddRange(child.ParentShards);
        return result;
    }

    public static Proto.EnhancedMonitoringOutput ToProto(CoreApi.EnhancedMonitoringResponse response)
    {
        var output = new Proto.EnhancedMonitoringOutput { StreamName = response.StreamName, StreamArn = response.StreamARN };
        output.CurrentShardLevelMetrics.AddRange(response.CurrentShardLevelMetrics);
        output.DesiredShardLevelMetrics.AddRange(response.DesiredShardLevelMetrics);
        return output;
    }

    public static Proto.EnhancedMetrics ToProto(CoreApi.EnhancedMetrics metrics)
    {
        var result = new Proto.EnhancedMetrics();
        result.ShardLevelMetrics.AddRange(metrics.ShardLevelMetrics);
        return result;
    }

    public static Proto.StreamDescription ToProto(CoreApi.StreamDescription d)
    {
        var result = new Proto.StreamDescription
        {
            StreamName = d.StreamName,
            StreamArn = d.StreamARN,
            StreamStatus = ToProto(d.StreamStatus),
            StreamModeDetails = ToProto(d.StreamModeDetails),
            HasMoreShards = d.HasMoreShards,
            RetentionPeriodHours = d.RetentionPeriodHours,
            StreamCreationTimestamp = ToTimestamp(d.StreamCreationTimestamp),
            EncryptionType = ToProto(d.EncryptionType),
            KeyId = d.KeyId ?? string.Empty,
        };
        foreach (var shard in d.Shards)
        {
            result.Shards.Add(ToProto(shard));
        }

        foreach (var metrics in d.EnhancedMonitoring)
        {
            result.EnhancedMonitoring.Add(ToProto(metrics));
        }

        return result;
    }

    public static Proto.StreamDescriptionSummary ToProto(CoreApi.StreamDescriptionSummary d)
    {
        var result = new Proto.StreamDescriptionSummary
        {
            StreamName = d.StreamName,
            StreamArn = d.StreamARN,
            StreamStatus = ToProto(d.StreamStatus),
            StreamModeDetails = ToProto(d.StreamModeDetails),
            RetentionPeriodHours = d.RetentionPeriodHours,
            StreamCreationTimestamp = ToTimestamp(d.StreamCreationTimestamp),
            EncryptionType = ToProto(d.EncryptionType),
            KeyId = d.KeyId ?? string.Empty,
            OpenShardCount = d.OpenShardCount,
            ConsumerCount = d.ConsumerCount,
            MaxRecordSizeInKib = d.MaxRecordSizeInKiB,
        };
        foreach (var metrics in d.EnhancedMonitoring)
        {
            result.EnhancedMonitoring.Add(ToProto(metrics));
        }

        return result;
    }

    public static Proto.StreamSummary ToProto(CoreApi.StreamSummary s) => new()
    {
        StreamName = s.StreamName,
        StreamArn = s.StreamARN,
        StreamStatus = ToProto(s.StreamStatus),
        StreamModeDetails = ToProto(s.StreamModeDetails),
        StreamCreationTimestamp = ToTimestamp(s.StreamCreationTimestamp),
    };

    /// <summary>
    /// A GetRecords record. The data is wrapped, not copied: the caller keeps the core response (which
    /// owns that memory) alive until the protobuf response has been written.
    /// </summary>
    public static Proto.Record ToProto(in CoreApi.StreamRecord record) => new()
    {
        SequenceNumber = record.SequenceNumber.ToString(),
        ApproximateArrivalTimestamp = ToTimestamp(record.ApproximateArrivalTimestampMs),
        Data = UnsafeByteOperations.UnsafeWrap(record.Data),
        PartitionKey = Encoding.UTF8.GetString(record.PartitionKeyUtf8.Span),
    };

    private static CoreApi.KinesisException UnknownEnum(string member, int value) =>
        CoreApi.KinesisException.ValidationFailed($"'{value}'", member, "Member must be a value of the enum defined in streams.proto");
}
