namespace KafkaKinesisBridge.Core.Storage;

/// <summary>
/// The storage port: a log shaped like Apache Kafka's. A topic has a number of partitions that can
/// grow but never shrink; each partition is an append-only sequence of records addressed by dense,
/// increasing 64-bit offsets starting at 0. A stream is a topic and a shard is a partition.
/// </summary>
/// <remarks>
/// <para>Backends: the embedded log on local disk (<c>KafkaKinesisBridge.Storage.Embedded</c>) and
/// Apache Kafka (<c>KafkaKinesisBridge.Storage.Kafka</c>). Each passes the contract suite in
/// <c>tests/KafkaKinesisBridge.Storage.Tests</c>, which is the executable form of this contract.</para>
/// <para>Outcomes the caller must handle (missing topic, out-of-range offset, oversize record,
/// unavailable storage) are returned as <see cref="StorageStatus"/> values; exceptions mean a bug
/// or a fault nobody can handle (disk corruption, disposed store), plus
/// <see cref="OperationCanceledException"/> for cancellation.</para>
/// <para>Memory ownership: the memory a caller passes to <see cref="AppendAsync"/> must stay valid
/// until the returned task completes, and the backend copies whatever it keeps longer. The records
/// in a <see cref="ReadResult"/> are valid until that result is disposed.</para>
/// </remarks>
public interface ILogStore : IAsyncDisposable
{
    /// <summary>Short backend name for logs and diagnostics: "embedded", "kafka".</summary>
    string Name { get; }

    /// <summary>Creates a topic. Returns <see cref="StorageStatus.TopicAlreadyExists"/> if it exists.</summary>
    ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken);

    /// <summary>Deletes a topic and its data. Returns <see cref="StorageStatus.TopicNotFound"/> if absent.</summary>
    ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken);

    /// <summary>Describes a topic; <see cref="StorageStatus.TopicNotFound"/> if absent.</summary>
    ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken);

    /// <summary>Lists the names of all topics (including internal ones).</summary>
    ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Grows a topic to <paramref name="totalPartitions"/> partitions. New partitions start empty at
    /// offset 0; existing partitions are untouched. Asking for fewer partitions than the topic has is
    /// <see cref="StorageStatus.InvalidArgument"/>; asking for the current count is a no-op.
    /// </summary>
    ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken);

    /// <summary>Sets how long records are kept (Kafka <c>retention.ms</c>): positive, or
    /// <see cref="Timeout.InfiniteTimeSpan"/>; anything else is <see cref="StorageStatus.InvalidArgument"/>.</summary>
    ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>
    /// Appends records to one partition, in order. On success each record's outcome holds its offset;
    /// within one call offsets increase in record order (they are consecutive on the embedded log; on
    /// Kafka another writer's records may interleave). Completes only when the records are durable by
    /// the backend's definition: written to the operating system (embedded, optionally fsynced) or
    /// acknowledged by all in-sync replicas (Kafka, acks=all).
    /// </summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition, 0-based.</param>
    /// <param name="records">The records to append; at least one.</param>
    /// <param name="outcomes">Receives one outcome per record; same length as <paramref name="records"/>.</param>
    /// <param name="cancellationToken">Cancels waiting; records may still have been appended.</param>
    /// <returns>
    /// <see cref="StorageStatus.Ok"/> when every record was appended; otherwise the status of the
    /// first failure, with per-record detail in <paramref name="outcomes"/>. Whole-call failures
    /// (unknown topic or partition) set every outcome to that status.
    /// </returns>
    ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken);

    /// <summary>
    /// Reads records starting at <see cref="ReadRequest.Offset"/>. Returns at most
    /// <see cref="ReadRequest.MaxRecords"/> records whose total size (key + value + headers) does not
    /// exceed <see cref="ReadRequest.MaxBytes"/>, except that the first record is always returned
    /// whatever its size, so a reader always makes progress. An offset below the log start reads from
    /// the log start (records before it were removed by retention); an offset equal to the high
    /// watermark returns no records; an offset beyond it is <see cref="StorageStatus.OffsetOutOfRange"/>.
    /// A read may return fewer records than are available (for example while a Kafka fetch is in
    /// flight); callers continue from <see cref="ReadResult.NextOffset"/>. A negative offset, or
    /// limits below 1, are <see cref="StorageStatus.InvalidArgument"/>. The caller disposes the result.
    /// </summary>
    ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken);

    /// <summary>The log start offset and high watermark of a partition.</summary>
    ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken);

    /// <summary>
    /// The offset of the first record whose timestamp is at or after <paramref name="timestampMs"/>
    /// (Kafka ListOffsets by timestamp), or the high watermark when there is none.
    /// </summary>
    ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(
        string topic,
        int partition,
        long timestampMs,
        CancellationToken cancellationToken);
}
