using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// Topic operations on librdkafka's mock cluster, which has no CreateTopics, DeleteTopics,
/// CreatePartitions or config APIs: topics are created and deleted through its C API, adding
/// partitions is <see cref="StorageStatus.NotSupported"/>, and a topic's retention is remembered by the
/// <see cref="KafkaMockCluster"/> object (set on creation, changed by <see cref="SetRetentionAsync"/>),
/// so every store on that cluster describes the same value.
/// </summary>
/// <remarks>
/// The mock keeps no topic configs and enforces no retention: the value is only reported back
/// (DescribeStream shows it), records are never removed for being older. Its partition logs are
/// capped in size instead (about 5 MiB), which drops old records whatever the retention says.
/// </remarks>
internal sealed class MockClusterTopicAdmin(KafkaMockCluster cluster, ClusterQueries queries, KafkaStorageOptions options) : ITopicAdmin
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

    public async ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken)
    {
        // A real cluster answers UNKNOWN_TOPIC_OR_PARTITION to IncrementalAlterConfigs on a missing
        // topic; the mock has no such API, so ask its metadata (which never auto-creates here).
        var existing = await queries.DescribePartitionsAsync(topic, cancellationToken);
        if (existing.Status != StorageStatus.Ok)
        {
            return existing.Status;
        }

        // Recorded, not enforced: see the remarks.
        _retention[topic] = retention;
        return StorageStatus.Ok;
    }

    public ValueTask<RetentionResult> DescribeRetentionAsync(string topic, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new RetentionResult(
            StorageStatus.Ok,
            _retention.TryGetValue(topic, out var retention) ? retention : RetentionConfig.KafkaDefault));

    public void Dispose()
    {
        // The cluster belongs to whoever started it.
    }
}
