using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>A topic's partition count, or why it is unknown.</summary>
internal readonly record struct PartitionCountResult(StorageStatus Status, int Partitions);

/// <summary>A topic's retention, or why it is unknown.</summary>
internal readonly record struct RetentionResult(StorageStatus Status, TimeSpan Retention);

/// <summary>The topics of the cluster, or why they could not be listed.</summary>
internal readonly record struct TopicListResult(StorageStatus Status, IReadOnlyList<string> Topics);

/// <summary>One offset answered by ListOffsets.</summary>
internal readonly record struct OffsetQueryResult(StorageStatus Status, long Offset);
