using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// Partition counts of topics, so appends and reads can answer TopicNotFound and PartitionNotFound
/// at once instead of after librdkafka's metadata wait (topic.metadata.propagation.max.ms), and
/// without a round trip per call. Only found topics are cached; an entry older than the maximum age,
/// or one that does not cover a partition asked for, is refreshed from the cluster.
/// </summary>
internal sealed class TopicMetadataCache(ClusterQueries queries, TimeSpan maxAge, TimeProvider timeProvider)
{
    // A partition beyond the cached count may have been added since; ask again, but not more often than this.
    private static readonly TimeSpan MissRefreshInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Ok when the topic has the partition; TopicNotFound, PartitionNotFound or a retriable status otherwise.</summary>
    public ValueTask<StorageStatus> CheckPartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(topic, out var entry))
        {
            var age = timeProvider.GetElapsedTime(entry.FetchedAt);
            if (age < maxAge)
            {
                if ((uint)partition < (uint)entry.Partitions)
                {
                    return ValueTask.FromResult(StorageStatus.Ok);
                }

                if (partition < 0 || age < MissRefreshInterval)
                {
                    return ValueTask.FromResult(StorageStatus.PartitionNotFound);
                }
            }
        }

        return RefreshAndCheckAsync(topic, partition, cancellationToken);
    }

    /// <summary>The topic's partition count, from the cluster.</summary>
    public async ValueTask<PartitionCountResult> RefreshAsync(string topic, CancellationToken cancellationToken)
    {
        var result = await queries.DescribePartitionsAsync(topic, cancellationToken);
        if (result.Status == StorageStatus.Ok)
        {
            Update(topic, result.Partitions);
        }
        else if (result.Status == StorageStatus.TopicNotFound)
        {
            _entries.TryRemove(topic, out _);
        }

        return result;
    }

    public void Update(string topic, int partitions) =>
        _entries[topic] = new Entry(partitions, timeProvider.GetTimestamp());

    public void Invalidate(string topic) => _entries.TryRemove(topic, out _);

    private async ValueTask<StorageStatus> RefreshAndCheckAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        var result = await RefreshAsync(topic, cancellationToken);
        if (result.Status != StorageStatus.Ok)
        {
            return result.Status;
        }

        return (uint)partition < (uint)result.Partitions ? StorageStatus.Ok : StorageStatus.PartitionNotFound;
    }

    private sealed record Entry(int Partitions, long FetchedAt);
}
