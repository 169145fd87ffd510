namespace KafkaKinesisBridge.Firehose.Sink.Checkpoints;

/// <summary>
/// Delivered positions of the sources read by log-store sources (the embedded log, or the Kafka
/// backend without consumer groups): for each delivery stream, topic and partition, the offset of
/// the first record not yet in a durable object.
/// </summary>
public interface ISinkCheckpointStore
{
    /// <summary>The saved positions of a delivery stream's topic, by partition (absent: none saved).</summary>
    ValueTask<IReadOnlyDictionary<int, long>> LoadAsync(string deliveryStream, string topic, CancellationToken cancellationToken);

    /// <summary>Saves a position durably; returns when a crash can no longer lose it.</summary>
    ValueTask SaveAsync(string deliveryStream, string topic, int partition, long nextOffset, CancellationToken cancellationToken);

    /// <summary>Forgets every position of a delivery stream (DeleteDeliveryStream).</summary>
    ValueTask DeleteAsync(string deliveryStream, CancellationToken cancellationToken);
}
