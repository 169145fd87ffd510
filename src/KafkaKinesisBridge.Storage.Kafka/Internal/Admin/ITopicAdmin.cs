using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// The topic operations that differ between a real cluster (Kafka's admin API) and librdkafka's mock
/// cluster (C API for create and delete, nothing for partitions and configs). Metadata and offset
/// queries work the same on both and go through <see cref="ClusterQueries"/>.
/// </summary>
/// <remarks>Implementations return statuses; they throw only for cancellation and disposal.</remarks>
internal interface ITopicAdmin : IDisposable
{
    ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken);

    ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken);

    /// <summary>Grows the topic to <paramref name="totalPartitions"/> (more than it has now).</summary>
    ValueTask<StorageStatus> CreatePartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken);

    ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken);

    ValueTask<RetentionResult> DescribeRetentionAsync(string topic, CancellationToken cancellationToken);
}
