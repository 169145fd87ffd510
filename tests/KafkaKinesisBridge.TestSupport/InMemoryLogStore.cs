using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.TestSupport;

/// <summary>Operations of <see cref="InMemoryLogStore"/> that faults can be injected into.</summary>
public enum LogStoreOperation
{
    CreateTopic,
    DeleteTopic,
    DescribeTopic,
    AddPartitions,
    SetRetention,
    Append,
    Read,
    GetOffsets,
    GetOffsetForTimestamp,
}

/// <summary>
/// An honest, thread-safe, in-memory implementation of the storage port for unit tests: Kafka-like
/// topics of growing partitions with dense offsets, log start offsets (trimmed by tests to simulate
/// retention), timestamps, and the status contract of <see cref="ILogStore"/>. Tests inject faults
/// ("fail the next append with Unavailable") and hooks (hold a create until released), and read
/// counters (appends per partition).
/// </summary>
public sealed class InMemoryLogStore : ILogStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly List<Fault> _faults = [];
    private long _appendCalls;

    /// <inheritdoc />
    public string Name => "in-memory";

    /// <summary>Records larger than this (key + value + headers) are refused with RecordTooLarge.</summary>
    public int MaxRecordBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Called before every append (after fault injection), for example to hold it until released.</summary>
    public Func<string, int, CancellationToken, Task>? BeforeAppend { get; set; }

    /// <summary>Called before every topic creation, for example to make it slow.</summary>
    public Func<TopicSpec, CancellationToken, Task>? BeforeCreateTopic { get; set; }

    /// <summary>
    /// When set, a read returns at most this many records (0: none) though more exist below the high
    /// watermark, as the storage port allows: a Kafka consumer whose fetch is still in flight returns
    /// what it has.
    /// </summary>
    public int? MaxRecordsPerRead { get; set; }

    /// <summary>Number of AppendAsync calls so far.</summary>
    public long AppendCalls => Interlocked.Read(ref _appendCalls);

    /// <summary>
    /// Makes the next <paramref name="count"/> calls of <paramref name="operation"/> (on
    /// <paramref name="topic"/>, or any topic when null) fail with <paramref name="status"/>.
    /// </summary>
    public void InjectFault(LogStoreOperation operation, StorageStatus status, int count = 1, string? topic = null, int? partition = null)
    {
        lock (_gate)
        {
            _faults.Add(new Fault(operation, status, count, topic, partition));
        }
    }

    /// <summary>Removes every pending fault.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Simulates retention: records below <paramref name="newLogStart"/> are removed.</summary>
    public void Trim(string topic, int partition, long newLogStart)
    {
        lock (_gate)
        {
            var log = _topics[topic].Partitions[partition];
            log.LogStart = Math.Min(Math.Max(log.LogStart, newLogStart), log.HighWatermark);
        }
    }

    /// <summary>The topic's retention, or null when it does not exist.</summary>
    public TimeSpan? RetentionOf(string topic)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var state) ? state.Retention : null;
        }
    }

    /// <summary>The records stored in a partition (from the log start), for assertions.</summary>
    public IReadOnlyList<StoredRecord> RecordsOf(string topic, int partition)
    {
        lock (_gate)
        {
            var log = _topics[topic].Partitions[partition];
            return [.. log.Records.Skip((int)log.LogStart)];
        }
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.CreateTopic, spec.Name, null) is { } fault)
        {
            return fault;
        }

        if (BeforeCreateTopic is { } hook)
        {
            await hook(spec, cancellationToken);
        }

        if (!IsLegalTopicName(spec.Name) || spec.Partitions < 1 || !IsValidRetention(spec.Retention))
        {
            return StorageStatus.InvalidArgument;
        }

        lock (_gate)
        {
            if (_topics.ContainsKey(spec.Name))
            {
                return StorageStatus.TopicAlreadyExists;
            }

            var state = new TopicState(spec.Retention);
            for (var i = 0; i < spec.Partitions; i++)
            {
                state.Partitions.Add(new PartitionLog());
            }

            _topics[spec.Name] = state;
            return StorageStatus.Ok;
        }
    }

    /// <inheritdoc />
    public ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.DeleteTopic, topic, null) is { } fault)
        {
            return ValueTask.FromResult(fault);
        }

        lock (_gate)
        {
            return ValueTask.FromResult(_topics.Remove(topic) ? StorageStatus.Ok : StorageStatus.TopicNotFound);
        }
    }

    /// <inheritdoc />
    public ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.DescribeTopic, topic, null) is { } fault)
        {
            return ValueTask.FromResult(new TopicInfoResult(fault, default));
        }

        lock (_gate)
        {
            return ValueTask.FromResult(_topics.TryGetValue(topic, out var state)
                ? new TopicInfoResult(StorageStatus.Ok, new TopicInfo(topic, state.Partitions.Count, state.Retention))
                : new TopicInfoResult(StorageStatus.TopicNotFound, default));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _topics.Keys.Order(StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    public ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.AddPartitions, topic, null) is { } fault)
        {
            return ValueTask.FromResult(fault);
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                return ValueTask.FromResult(StorageStatus.TopicNotFound);
            }

            if (totalPartitions < state.Partitions.Count)
            {
                return ValueTask.FromResult(StorageStatus.InvalidArgument);
            }

            while (state.Partitions.Count < totalPartitions)
            {
                state.Partitions.Add(new PartitionLog());
            }

            return ValueTask.FromResult(StorageStatus.Ok);
        }
    }

    /// <inheritdoc />
    public ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.SetRetention, topic, null) is { } fault)
        {
            return ValueTask.FromResult(fault);
        }

        if (!IsValidRetention(retention))
        {
            return ValueTask.FromResult(StorageStatus.InvalidArgument);
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                return ValueTask.FromResult(StorageStatus.TopicNotFound);
            }

            state.Retention = retention;
            return ValueTask.FromResult(StorageStatus.Ok);
        }
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (records.Length == 0 || outcomes.Length != records.Length)
        {
            throw new ArgumentException("One outcome per record, at least one record.", nameof(outcomes));
        }

        Interlocked.Increment(ref _appendCalls);
        if (TakeFault(LogStoreOperation.Append, topic, partition) is { } fault)
        {
            outcomes.Span.Fill(new AppendOutcome(fault, -1));
            return fault;
        }

        if (BeforeAppend is { } hook)
        {
            await hook(topic, partition, cancellationToken);
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                outcomes.Span.Fill(new AppendOutcome(StorageStatus.TopicNotFound, -1));
                return StorageStatus.TopicNotFound;
            }

            if ((uint)partition >= (uint)state.Partitions.Count)
            {
                outcomes.Span.Fill(new AppendOutcome(StorageStatus.PartitionNotFound, -1));
                return StorageStatus.PartitionNotFound;
            }

            var log = state.Partitions[partition];
            var result = StorageStatus.Ok;
            var source = records.Span;
            var target = outcomes.Span;
            for (var i = 0; i < source.Length; i++)
            {
                ref readonly var record = ref source[i];
                if (record.Size > MaxRecordBytes)
                {
                    target[i] = new AppendOutcome(StorageStatus.RecordTooLarge, -1);
                    result = result == StorageStatus.Ok ? StorageStatus.RecordTooLarge : result;
                    continue;
                }

                // The backend copies what it keeps: the caller's memory is only valid during the call.
                var offset = log.Records.Count;
                log.Records.Add(new StoredRecord(
                    offset,
                    record.TimestampMs,
                    record.Key.ToArray(),
                    record.Value.ToArray(),
                    record.Headers is null ? null : [.. record.Headers.Select(h => new LogHeader(h.Key, h.Value.ToArray()))]));
                target[i] = new AppendOutcome(StorageStatus.Ok, offset);
            }

            return result;
        }
    }

    /// <inheritdoc />
    public ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Offset < 0 || request.MaxRecords < 1 || request.MaxBytes < 1)
        {
            return ValueTask.FromResult(ReadResult.Empty(StorageStatus.InvalidArgument, request.Offset, default));
        }

        if (TakeFault(LogStoreOperation.Read, request.Topic, request.Partition) is { } fault)
        {
            return ValueTask.FromResult(ReadResult.Empty(fault, request.Offset, default));
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(request.Topic, out var state))
            {
                return ValueTask.FromResult(ReadResult.Empty(StorageStatus.TopicNotFound, request.Offset, default));
            }

            if ((uint)request.Partition >= (uint)state.Partitions.Count)
            {
                return ValueTask.FromResult(ReadResult.Empty(StorageStatus.PartitionNotFound, request.Offset, default));
            }

            var log = state.Partitions[request.Partition];
            var offsets = new PartitionOffsets(log.LogStart, log.HighWatermark);
            if (request.Offset > log.HighWatermark)
            {
                return ValueTask.FromResult(ReadResult.Empty(StorageStatus.OffsetOutOfRange, request.Offset, offsets));
            }

            var start = Math.Max(request.Offset, log.LogStart);
            var taken = new List<StoredRecord>();
            long bytes = 0;
            var limit = Math.Min(request.MaxRecords, MaxRecordsPerRead ?? int.MaxValue);
            for (var offset = start; offset < log.HighWatermark && taken.Count < limit; offset++)
            {
                var record = log.Records[(int)offset];
                if (taken.Count > 0 && bytes + record.Size > request.MaxBytes)
                {
                    break;
                }

                bytes += record.Size;
                taken.Add(record);
            }

            var next = taken.Count > 0 ? taken[^1].Offset + 1 : start;
            return ValueTask.FromResult<ReadResult>(new ArrayReadResult([.. taken], next, offsets));
        }
    }

    /// <inheritdoc />
    public ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.GetOffsets, topic, partition) is { } fault)
        {
            return ValueTask.FromResult(new PartitionOffsetsResult(fault, default));
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                return ValueTask.FromResult(new PartitionOffsetsResult(StorageStatus.TopicNotFound, default));
            }

            if ((uint)partition >= (uint)state.Partitions.Count)
            {
                return ValueTask.FromResult(new PartitionOffsetsResult(StorageStatus.PartitionNotFound, default));
            }

            var log = state.Partitions[partition];
            return ValueTask.FromResult(new PartitionOffsetsResult(StorageStatus.Ok, new PartitionOffsets(log.LogStart, log.HighWatermark)));
        }
    }

    /// <inheritdoc />
    public ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(string topic, int partition, long timestampMs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (TakeFault(LogStoreOperation.GetOffsetForTimestamp, topic, partition) is { } fault)
        {
            return ValueTask.FromResult(new OffsetLookupResult(fault, -1));
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var state))
            {
                return ValueTask.FromResult(new OffsetLookupResult(StorageStatus.TopicNotFound, -1));
            }

            if ((uint)partition >= (uint)state.Partitions.Count)
            {
                return ValueTask.FromResult(new OffsetLookupResult(StorageStatus.PartitionNotFound, -1));
            }

            var log = state.Partitions[partition];
            for (var offset = log.LogStart; offset < log.HighWatermark; offset++)
            {
                if (log.Records[(int)offset].TimestampMs >= timestampMs)
                {
                    return ValueTask.FromResult(new OffsetLookupResult(StorageStatus.Ok, offset));
                }
            }

            return ValueTask.FromResult(new OffsetLookupResult(StorageStatus.Ok, log.HighWatermark));
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private StorageStatus? TakeFault(LogStoreOperation operation, string topic, int? partition)
    {
        lock (_gate)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                if (fault.Operation == operation
                    && (fault.Topic is null || fault.Topic == topic)
                    && (fault.Partition is null || fault.Partition == partition))
                {
                    if (--fault.Remaining <= 0)
                    {
                        _faults.RemoveAt(i);
                    }

                    return fault.Status;
                }
            }

            return null;
        }
    }

    // The port: a retention is positive or infinite (TopicSpec.Retention, SetRetentionAsync).
    private static bool IsValidRetention(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan || retention > TimeSpan.Zero;

    private static bool IsLegalTopicName(string name) =>
        name.Length is > 0 and <= 249 && name is not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private sealed class TopicState(TimeSpan retention)
    {
        public List<PartitionLog> Partitions { get; } = [];

        public TimeSpan Retention { get; set; } = retention;
    }

    private sealed class PartitionLog
    {
        public List<StoredRecord> Records { get; } = [];

        public long LogStart { get; set; }

        public long HighWatermark => Records.Count;
    }

    private sealed class Fault(LogStoreOperation operation, StorageStatus status, int count, string? topic, int? partition)
    {
        public LogStoreOperation Operation { get; } = operation;

        public StorageStatus Status { get; } = status;

        public string? Topic { get; } = topic;

        public int? Partition { get; } = partition;

        public int Remaining { get; set; } = count;
    }

    private sealed class ArrayReadResult(StoredRecord[] records, long nextOffset, PartitionOffsets offsets) : ReadResult
    {
        private StoredRecord[]? _records = records;

        public override StorageStatus Status => StorageStatus.Ok;

        public override ReadOnlyMemory<StoredRecord> Records =>
            _records ?? throw new ObjectDisposedException(nameof(ReadResult));

        public override long NextOffset { get; } = nextOffset;

        public override PartitionOffsets Offsets { get; } = offsets;

        protected override void Dispose(bool disposing)
        {
            _records = null;
            base.Dispose(disposing);
        }
    }
}
