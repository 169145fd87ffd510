using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// Topic operations on librdkafka's mock cluster, which has no CreateTopics, DeleteTopics,
/// CreatePartitions or config APIs: topics are created and deleted through its C API, the other
/// operations are <see cref="StorageStatus.NotSupported"/>, and a topic's retention is the value it
/// was created with, remembered by the <see cref="KafkaMockCluster"/> object (the mock keeps no configs
/// and enforces no retention).
/// </summary>
internal sealed class MockClusterTopicAdmin(KafkaMockCluster cluster, KafkaStorageOptions options) : ITopicAdmin
{
    private readonly ConcurrentDictionary<string, TimeSpan> _retention = cluster.TopicRetention;

    public ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var replicas = options.TopicReplicationFactor > 0 ? options.TopicReplicationFactor : Math.Min(cluster.BrokerCount, 3);
        if (replicas > cluster.BrokerCount)
        {
            // What a real cluster answers (INVALID_REPLICATION_FACTOR); the mock would accept it.
            return ValueTask.FromResult(StorageStatus.InvalidArgument);
        }

        var status = KafkaErrors.ToStatus(cluster.CreateTopic(spec.Name, spec.Partitions, replicas));
        if (status == StorageStatus.Ok)
        {
            _retention[spec.Name] = spec.Retention;
        }

        return ValueTask.FromResult(status);
    }

    public ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(KafkaErrors.ToStatus(cluster.DeleteTopic(topic)));
    }

    public ValueTask<StorageStatus> CreatePartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken) =>
        ValueTask.FromResult(StorageStatus.NotSupported);

    public ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken) =>
        ValueTask.FromResult(StorageStatus.NotSupported);

    public ValueTask<RetentionResult> DescribeRetentionAsync(string topic, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RetentionResult(
            StorageStatus.Ok,
            _retention.TryGetValue(topic, out var retention) ? retention : RetentionConfig.KafkaDefault));

    public void Dispose()
    {
        // The cluster belongs to whoever started it.
    }
}
