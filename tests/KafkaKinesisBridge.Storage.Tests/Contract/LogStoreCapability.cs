namespace KafkaKinesisBridge.Storage.Tests.Contract;

/// <summary>
/// Parts of the storage contract a backend (or its test environment) may be unable to exercise.
/// A backend returns a skip reason for each from <see cref="LogStoreContractTests.SkipReason"/>; the
/// tests that need it are then reported as skipped with that reason.
/// </summary>
public enum LogStoreCapability
{
    /// <summary>
    /// <c>CreateTopicAsync</c> through the store, with its statuses (TopicAlreadyExists,
    /// InvalidArgument). Other tests create topics through <see cref="LogStoreContractTests.CreateTopicForTestAsync"/>,
    /// which a backend may route elsewhere (the Kafka mock cluster's C API).
    /// </summary>
    CreateTopic,

    /// <summary><c>DeleteTopicAsync</c>.</summary>
    DeleteTopic,

    /// <summary><c>AddPartitionsAsync</c>.</summary>
    AddPartitions,

    /// <summary><c>SetRetentionAsync</c>.</summary>
    SetRetention,

    /// <summary>A retention that is neither positive nor infinite is refused with InvalidArgument
    /// (by CreateTopicAsync and SetRetentionAsync).</summary>
    RetentionValidation,

    /// <summary>Records older than the retention are removed and the log start moves (needs the
    /// <see cref="LogStoreContractTests.RollSegmentAsync"/> and <see cref="LogStoreContractTests.RunRetentionAsync"/> hooks).</summary>
    Retention,

    /// <summary><c>GetOffsetForTimestampAsync</c> answers (the Kafka mock cluster answers -1).</summary>
    OffsetForTimestamp,

    /// <summary>Closing the store and opening it again over the same data (<see cref="LogStoreContractTests.ReopenStoreAsync"/>).</summary>
    Reopen,

    /// <summary>Operations on a topic that does not exist report TopicNotFound (a broker that creates
    /// topics on first use cannot).</summary>
    UnknownTopic,

    /// <summary>Records with a 10 MiB value.</summary>
    LargeRecords,

    /// <summary>A record above <see cref="LogStoreContractTests.MaxRecordBytes"/> is refused with RecordTooLarge.</summary>
    RecordTooLarge,
}
