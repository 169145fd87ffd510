using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// Read-only questions to the cluster through the admin client: topic partitions (Metadata through
/// DescribeTopics), the topic list (Metadata) and partition offsets (ListOffsets). These work the same on
/// a real cluster and on librdkafka's mock cluster.
/// </summary>
internal sealed class ClusterQueries(IAdminClient admin, TimeSpan requestTimeout)
{
    public async ValueTask<PartitionCountResult> DescribePartitionsAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            var result = await admin.DescribeTopicsAsync(
                    TopicCollection.OfTopicNames([topic]),
                    new DescribeTopicsOptions { RequestTimeout = requestTimeout })
                .WaitAsync(cancellationToken);
            var description = result.TopicDescriptions[0];
            return description.Error.IsError
                ? new PartitionCountResult(KafkaErrors.ToStatus(description.Error.Code), 0)
                : new PartitionCountResult(StorageStatus.Ok, description.Partitions.Count);
        }
        catch (DescribeTopicsException e) when (e.Results.TopicDescriptions.Count > 0)
        {
            return new PartitionCountResult(KafkaErrors.ToStatus(e.Results.TopicDescriptions[0].Error.Code), 0);
        }
        catch (KafkaException e)
        {
            return new PartitionCountResult(KafkaErrors.ToStatus(e.Error.Code), 0);
        }
    }

    public async ValueTask<TopicListResult> ListTopicsAsync(CancellationToken cancellationToken)
    {
        try
        {
            // GetMetadata blocks; keep it off the caller's thread.
            var metadata = await Task.Run(() => admin.GetMetadata(requestTimeout), cancellationToken).WaitAsync(cancellationToken);
            var topics = new List<string>(metadata.Topics.Count);
            foreach (var topic in metadata.Topics)
            {
                if (!topic.Error.IsError)
                {
                    topics.Add(topic.Topic);
                }
            }

            topics.Sort(StringComparer.Ordinal);
            return new TopicListResult(StorageStatus.Ok, topics);
        }
        catch (KafkaException e)
        {
            return new TopicListResult(KafkaErrors.ToStatus(e.Error.Code), []);
        }
    }

    /// <summary>One ListOffsets query. Kafka answers -1 for a timestamp with no record at or after it.</summary>
    public async ValueTask<OffsetQueryResult> ListOffsetAsync(string topic, int partition, OffsetSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            var result = await admin.ListOffsetsAsync(
                    [new TopicPartitionOffsetSpec { TopicPartition = new TopicPartition(topic, partition), OffsetSpec = spec }],
                    new ListOffsetsOptions { RequestTimeout = requestTimeout, IsolationLevel = IsolationLevel.ReadUncommitted })
                .WaitAsync(cancellationToken);
            var answer = result.ResultInfos[0].TopicPartitionOffsetError;
            return answer.Error.IsError
                ? new OffsetQueryResult(KafkaErrors.ToStatus(answer.Error.Code), -1)
                : new OffsetQueryResult(StorageStatus.Ok, answer.Offset.Value);
        }
        catch (ListOffsetsException e) when (e.Result.ResultInfos.Count > 0)
        {
            var error = e.Result.ResultInfos[0].TopicPartitionOffsetError.Error;
            return new OffsetQueryResult(KafkaErrors.ToStatus(error.IsError ? error.Code : e.Error.Code), -1);
        }
        catch (KafkaException e)
        {
            // librdkafka answers Local_NoEnt ("no leaders found") when the partition has no leader.
            return new OffsetQueryResult(
                e.Error.Code == ErrorCode.Local_NoEnt ? StorageStatus.Unavailable : KafkaErrors.ToStatus(e.Error.Code),
                -1);
        }
    }
}
