using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Streams.FanOut;

/// <summary>
/// The storage port as the core uses it: every call goes to the backend; an append to a partition
/// that a subscription follows signals <see cref="AppendSignals"/> once the backend acknowledged it
/// (durable by the backend's definition, so a subscriber never sees a record a crash could lose).
/// </summary>
/// <remarks>
/// Appends made through other replicas (Kafka backend) raise no signal here; subscriptions find
/// those by reading again after <see cref="FanOutOptions.IdleReadInterval"/>.
/// </remarks>
internal sealed class NotifyingLogStore(ILogStore inner, AppendSignals signals) : ILogStore
{
    public string Name => inner.Name;

    public ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var append = inner.AppendAsync(topic, partition, records, outcomes, cancellationToken);
        if (!signals.IsFollowed(topic, partition))
        {
            return append;
        }

        if (append.IsCompletedSuccessfully)
        {
            signals.Notify(topic, partition);
            return append;
        }

        return AppendThenNotifyAsync(append, topic, partition);
    }

    public ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken) => inner.CreateTopicAsync(spec, cancellationToken);

    public ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken) => inner.DeleteTopicAsync(topic, cancellationToken);

    public ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken) => inner.DescribeTopicAsync(topic, cancellationToken);

    public ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) => inner.ListTopicsAsync(cancellationToken);

    public ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken) =>
        inner.AddPartitionsAsync(topic, totalPartitions, cancellationToken);

    public ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken) =>
        inner.SetRetentionAsync(topic, retention, cancellationToken);

    public ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken) => inner.ReadAsync(request, cancellationToken);

    public ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken) =>
        inner.GetOffsetsAsync(topic, partition, cancellationToken);

    public ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(string topic, int partition, long timestampMs, CancellationToken cancellationToken) =>
        inner.GetOffsetForTimestampAsync(topic, partition, timestampMs, cancellationToken);

    /// <summary>The backend is owned by whoever created it (the DI container), not by this view.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async ValueTask<StorageStatus> AppendThenNotifyAsync(ValueTask<StorageStatus> append, string topic, int partition)
    {
        try
        {
            return await append;
        }
        finally
        {
            // Also after a partial failure: some records may have been appended.
            signals.Notify(topic, partition);
        }
    }
}
