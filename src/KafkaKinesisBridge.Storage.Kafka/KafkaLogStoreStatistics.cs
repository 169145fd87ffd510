namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>Counters of a <see cref="KafkaLogStore"/>, for diagnostics and metrics.</summary>
/// <param name="AppendsInFlight">Append calls waiting for delivery reports.</param>
/// <param name="ProducerReplacements">Producers replaced after fatal errors.</param>
/// <param name="Consumers">The read consumer pool.</param>
public readonly record struct KafkaLogStoreStatistics(int AppendsInFlight, int ProducerReplacements, ConsumerPoolStatistics Consumers);

/// <summary>Counters of the read consumer pool.</summary>
/// <param name="Live">Consumers open now.</param>
/// <param name="Idle">Open consumers not serving a read.</param>
/// <param name="Created">Consumers created so far.</param>
/// <param name="Closed">Consumers closed so far (idle timeout, failure, shutdown).</param>
/// <param name="Continued">Reads served by a consumer already positioned where they started.</param>
/// <param name="Seeks">Reads that moved a consumer within its partition.</param>
/// <param name="Assignments">Reads that assigned a consumer to another partition (or a new consumer).</param>
/// <param name="Waits">Reads that waited because every consumer was busy.</param>
public readonly record struct ConsumerPoolStatistics(
    int Live,
    int Idle,
    long Created,
    long Closed,
    long Continued,
    long Seeks,
    long Assignments,
    long Waits);
