using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Delivery;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Sources;

namespace KafkaKinesisBridge.Firehose.Sink.Kafka;

/// <summary>
/// A delivery stream's source on the Kafka backend, shared between processes: every sink worker
/// joins the consumer group of the delivery stream (<c>&lt;prefix&gt;&lt;delivery stream&gt;</c>) and
/// Kafka assigns each partition to one member (cooperative-sticky, KIP-429, so a rebalance moves
/// only the partitions that change owner). Positions are the group's committed offsets, committed
/// after each durable object.
/// </summary>
/// <remarks>
/// <para>No record twice across a rebalance: librdkafka calls the revoke handler inside
/// <c>Consume</c>, which runs only inside <see cref="PollAsync"/>, never while the pipeline writes an
/// object; the pipeline then drops what it buffered of those partitions, uncommitted. The new owner
/// starts at the last committed offset, the first record of the dropped buffer, and writes the
/// object under the same key (derived from that position).</para>
/// <para>A member that does not poll within <c>max.poll.interval.ms</c> (a delivery retried longer
/// than that) is removed from the group; it is set above the destination's retry duration.</para>
/// </remarks>
internal sealed class ConsumerGroupSinkSource : ISinkSource, IRevocableSource
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly string _topic;
    private readonly int _maxRecords;
    private readonly Lock _gate = new();
    private readonly List<int> _revoked = [];

    public ConsumerGroupSinkSource(ConsumerConfig config, SinkDeliveryStream stream, int maxRecords)
    {
        _topic = stream.Source.Topic;
        _maxRecords = maxRecords;
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsRevokedHandler((_, partitions) => Revoke(partitions))
            .SetPartitionsLostHandler((_, partitions) => Revoke(partitions))
            .Build();
        _consumer.Subscribe(_topic);
    }

    public string MemberId => _consumer.MemberId;

    /// <summary>The partitions this member owns now.</summary>
    public IReadOnlyList<int> Assigned => [.. _consumer.Assignment.Select(static p => p.Partition.Value)];

    public ValueTask<SinkPoll> PollAsync(TimeSpan maxWait, CancellationToken cancellationToken) =>
        new(Task.Run(() => Poll(maxWait, cancellationToken), cancellationToken));

    public ValueTask CommitAsync(int partition, long nextOffset, CancellationToken cancellationToken)
    {
        // Kafka's committed offset is the next record to read, as the sink's position is.
        var topicPartition = new TopicPartition(_topic, new Partition(partition));
        try
        {
            _consumer.Commit([new TopicPartitionOffset(topicPartition, new Offset(nextOffset))]);
        }
        catch (KafkaException)
        {
            // Refused (a rebalance is in progress, or the partition is gone): read again from the
            // committed position, so the next object starts there and keeps its key.
            Rewind(topicPartition);
            throw;
        }

        return ValueTask.CompletedTask;
    }

    private void Rewind(TopicPartition topicPartition)
    {
        try
        {
            var committed = _consumer.Committed([topicPartition], TimeSpan.FromSeconds(10)).Single().Offset;
            _consumer.Seek(new TopicPartitionOffset(topicPartition, committed.IsSpecial ? Offset.Beginning : committed));
        }
        catch (KafkaException)
        {
            // Not ours any more (or the coordinator is away): the revoke that follows drops the partition.
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            // Leaves the group now (LeaveGroup), so the partitions move without waiting for the session timeout.
            _consumer.Close();
        }
        catch (KafkaException)
        {
        }

        _consumer.Dispose();
        return ValueTask.CompletedTask;
    }

    private SinkPoll Poll(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var byPartition = new Dictionary<int, List<StoredRecord>>();
        var revokedDuringPoll = new HashSet<int>();
        var count = 0;
        var wait = maxWait;
        while (count < _maxRecords && !cancellationToken.IsCancellationRequested)
        {
            var result = _consumer.Consume(wait);

            // Revocations run inside Consume: drop what was read of a revoked partition so far, at
            // once, so records read after a re-assignment of it within this same loop are kept.
            DropRevoked(byPartition, revokedDuringPoll, ref count);
            if (result is null)
            {
                break;
            }

            wait = TimeSpan.Zero;
            if (result.IsPartitionEOF || result.Message is null)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (!byPartition.TryGetValue(partition, out var list))
            {
                list = [];
                byPartition.Add(partition, list);
            }

            var message = result.Message;
            list.Add(new StoredRecord(result.Offset.Value, message.Timestamp.UnixTimestampMs, message.Key ?? [], message.Value ?? [], null));
            count++;
        }

        DropRevoked(byPartition, revokedDuringPoll, ref count);
        var batches = byPartition.Select(static p => new SinkRecordBatch(p.Key, p.Value.ToArray(), null)).ToList();
        return new SinkPoll(batches, [.. revokedDuringPoll]);
    }

    /// <summary>Records of a partition revoked so far belong to its new owner now.</summary>
    private void DropRevoked(Dictionary<int, List<StoredRecord>> byPartition, HashSet<int> revokedDuringPoll, ref int count)
    {
        lock (_gate)
        {
            foreach (var partition in _revoked)
            {
                revokedDuringPoll.Add(partition);
                if (byPartition.Remove(partition, out var dropped))
                {
                    count -= dropped.Count;
                }
            }

            _revoked.Clear();
        }
    }

    private void Revoke(List<TopicPartitionOffset> partitions)
    {
        lock (_gate)
        {
            foreach (var partition in partitions)
            {
                _revoked.Add(partition.Partition.Value);
            }
        }
    }
}

/// <summary>Opens consumer-group sources with the Kafka backend's connection settings.</summary>
internal sealed class ConsumerGroupSinkSourceFactory(ConsumerGroupOptions options, SinkOptions sinkOptions) : ISinkSourceFactory
{
    public ValueTask<ISinkSource> OpenAsync(SinkDeliveryStream stream, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId + "-sink",
            GroupId = options.GroupIdPrefix + stream.Name,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            SessionTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds,
            HeartbeatIntervalMs = (int)Math.Max(100, options.SessionTimeout.TotalMilliseconds / 5),
            // Longer than any delivery's retries, so a member is not removed while it retries a write.
            MaxPollIntervalMs = (int)Math.Min(int.MaxValue, Math.Max(300_000, (stream.Destination.RetryDuration + TimeSpan.FromMinutes(1)).TotalMilliseconds)),
            FetchWaitMaxMs = 50,
            ConsumeResultFields = "timestamp",
            IsolationLevel = IsolationLevel.ReadUncommitted,
        };
        foreach (var (key, value) in options.ClientConfig)
        {
            config.Set(key, value);
        }

        return ValueTask.FromResult<ISinkSource>(new ConsumerGroupSinkSource(config, stream, sinkOptions.ReadMaxRecords));
    }
}
