using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaKinesisBridge.Core.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>Topic operations through Kafka's admin API (CreateTopics, DeleteTopics, CreatePartitions,
/// IncrementalAlterConfigs, DescribeConfigs).</summary>
/// <remarks>
/// Kafka creates and deletes topics asynchronously: the controller answers before every broker's
/// metadata agrees, and a deleted topic's name stays taken until its logs are gone. Create and delete
/// therefore wait (at most the request timeout) until metadata shows the change, so that an append
/// right after a create, or a create right after a delete, behaves as the storage port promises.
/// </remarks>
internal sealed class AdminClientTopicAdmin(
    IAdminClient admin,
    ClusterQueries queries,
    KafkaStorageOptions options,
    TimeProvider timeProvider,
    ILogger logger) : ITopicAdmin
{
    private static readonly TimeSpan MaxPropagationPoll = TimeSpan.FromMilliseconds(500);

    private readonly TimeSpan _timeout = options.RequestTimeout;

    public async ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        var specification = new TopicSpecification
        {
            Name = spec.Name,
            NumPartitions = spec.Partitions,
            // -1: the broker's default.replication.factor (KIP-464).
            ReplicationFactor = options.TopicReplicationFactor,
            Configs = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RetentionConfig.Name] = RetentionConfig.ToConfigValue(spec.Retention),
                // The gateway stamps each record with its arrival time and reads it back as
                // ApproximateArrivalTimestamp; LogAppendTime would overwrite it.
                ["message.timestamp.type"] = "CreateTime",
                ["cleanup.policy"] = "delete",
                ["max.message.bytes"] = options.MaxMessageBytes.ToString(CultureInfo.InvariantCulture),
            },
        };
        try
        {
            await admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout })
                .WaitAsync(cancellationToken);
            await WaitForMetadataAsync(spec.Name, exists: true, cancellationToken);
            return StorageStatus.Ok;
        }
        catch (CreateTopicsException e) when (e.Results.Count > 0)
        {
            return Failed("CreateTopics", spec.Name, e.Results[0].Error);
        }
        catch (KafkaException e)
        {
            return Failed("CreateTopics", spec.Name, e.Error);
        }
    }

    public async ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            await admin.DeleteTopicsAsync([topic], new DeleteTopicsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout })
                .WaitAsync(cancellationToken);
            await WaitForMetadataAsync(topic, exists: false, cancellationToken);
            return StorageStatus.Ok;
        }
        catch (DeleteTopicsException e) when (e.Results.Count > 0)
        {
            return Failed("DeleteTopics", topic, e.Results[0].Error);
        }
        catch (KafkaException e)
        {
            return Failed("DeleteTopics", topic, e.Error);
        }
    }

    public async ValueTask<StorageStatus> CreatePartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken)
    {
        try
        {
            await admin.CreatePartitionsAsync(
                    [new PartitionsSpecification { Topic = topic, IncreaseTo = totalPartitions }],
                    new CreatePartitionsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout })
                .WaitAsync(cancellationToken);
            return StorageStatus.Ok;
        }
        catch (CreatePartitionsException e) when (e.Results.Count > 0)
        {
            return Failed("CreatePartitions", topic, e.Results[0].Error);
        }
        catch (KafkaException e)
        {
            return Failed("CreatePartitions", topic, e.Error);
        }
    }

    public async ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken)
    {
        // IncrementalAlterConfigs (KIP-339) changes only retention.ms; the older AlterConfigs would
        // reset every other topic config (message.timestamp.type, max.message.bytes) to the defaults.
        var changes = new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [new ConfigResource { Type = ResourceType.Topic, Name = topic }] =
            [
                new ConfigEntry
                {
                    Name = RetentionConfig.Name,
                    Value = RetentionConfig.ToConfigValue(retention),
                    IncrementalOperation = AlterConfigOpType.Set,
                },
            ],
        };
        try
        {
            await admin.IncrementalAlterConfigsAsync(changes, new IncrementalAlterConfigsOptions { RequestTimeout = _timeout })
                .WaitAsync(cancellationToken);
            return StorageStatus.Ok;
        }
        catch (IncrementalAlterConfigsException e) when (e.Results.Count > 0)
        {
            return Failed("IncrementalAlterConfigs", topic, e.Results[0].Error);
        }
        catch (KafkaException e)
        {
            return Failed("IncrementalAlterConfigs", topic, e.Error);
        }
    }

    public async ValueTask<RetentionResult> DescribeRetentionAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            var results = await admin.DescribeConfigsAsync(
                    [new ConfigResource { Type = ResourceType.Topic, Name = topic }],
                    new DescribeConfigsOptions { RequestTimeout = _timeout })
                .WaitAsync(cancellationToken);
            return results.Count > 0
                && results[0].Entries.TryGetValue(RetentionConfig.Name, out var entry)
                && RetentionConfig.TryParse(entry.Value, out var retention)
                    ? new RetentionResult(StorageStatus.Ok, retention)
                    : new RetentionResult(StorageStatus.Ok, RetentionConfig.KafkaDefault);
        }
        catch (DescribeConfigsException e) when (e.Results.Count > 0)
        {
            return new RetentionResult(Failed("DescribeConfigs", topic, e.Results[0].Error), default);
        }
        catch (KafkaException e)
        {
            return new RetentionResult(Failed("DescribeConfigs", topic, e.Error), default);
        }
    }

    public void Dispose()
    {
        // The admin client is owned by the store.
    }

    private async ValueTask WaitForMetadataAsync(string topic, bool exists, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        while (timeProvider.GetElapsedTime(started) < _timeout)
        {
            var described = await queries.DescribePartitionsAsync(topic, cancellationToken);
            if (exists ? described.Status == StorageStatus.Ok : described.Status == StorageStatus.TopicNotFound)
            {
                return;
            }

            await Task.Delay(delay, timeProvider, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPropagationPoll.Ticks));
        }
    }

    private StorageStatus Failed(string operation, string topic, Error error)
    {
        var status = KafkaErrors.ToStatus(error.Code);
        // Expected outcomes (exists, not found) are the caller's business, not a warning.
        if (status is not (StorageStatus.TopicAlreadyExists or StorageStatus.TopicNotFound or StorageStatus.InvalidArgument))
        {
            Log.OperationFailed(logger, operation, topic, error.Code.ToString(), error.Reason);
        }

        return status;
    }
}
