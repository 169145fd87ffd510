using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka.Internal;
using KafkaKinesisBridge.Storage.Kafka.Internal.Admin;
using KafkaKinesisBridge.Storage.Kafka.Internal.Produce;
using KafkaKinesisBridge.Storage.Kafka.Internal.Read;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>
/// The storage port on Apache Kafka: topics, partitions and offsets are Kafka's own. Appends go
/// through one shared idempotent producer (acks=all); reads through a bounded pool of assigned
/// consumers that stay positioned where the last read stopped; topic administration and offset
/// queries through the admin client, retried with backoff when the cluster answers with a
/// retriable error.
/// </summary>
/// <remarks>
/// On librdkafka's mock cluster (<see cref="ForMockCluster"/>) topics are created and deleted through
/// the mock's C API, adding partitions answers <see cref="StorageStatus.NotSupported"/>, and retention
/// is recorded (and described) but not enforced, since the mock has no topic configs.
/// </remarks>
public sealed class KafkaLogStore : ILogStore
{
    private readonly KafkaStorageOptions _options;
    private readonly ILogger _logger;
    private readonly IAdminClient _adminClient;
    private readonly ITopicAdmin _topicAdmin;
    private readonly ClusterQueries _queries;
    private readonly TopicMetadataCache _metadata;
    private readonly PartitionOffsetsCache _offsets = new();
    private readonly AdminRetry _retry;
    private readonly KafkaAppender _appender;
    private readonly ConsumerPool _pool;
    private readonly KafkaReader _reader;
    private int _disposed;

    /// <summary>A store on the Kafka cluster at <see cref="KafkaStorageOptions.BootstrapServers"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public KafkaLogStore(KafkaStorageOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, mockCluster: null, loggerFactory, timeProvider)
    {
    }

    private KafkaLogStore(KafkaStorageOptions options, KafkaMockCluster? mockCluster, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        if (mockCluster is not null)
        {
            _options.BootstrapServers = mockCluster.BootstrapServers;
        }

        var time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("KafkaKinesisBridge.Storage.Kafka");
        var clientLog = new LibrdkafkaLogging(_logger, time);
        _adminClient = new AdminClientBuilder(KafkaClientConfigs.Admin(_options))
            .SetLogHandler((_, message) => clientLog.Forward(message))
            .Build();
        _queries = new ClusterQueries(_adminClient, _options.RequestTimeout);
        _topicAdmin = mockCluster is null
            ? new AdminClientTopicAdmin(_adminClient, _queries, _options, time, _logger)
            : new MockClusterTopicAdmin(mockCluster, _queries, _options);
        _metadata = new TopicMetadataCache(_queries, _options.MetadataMaxAge, time);
        _retry = new AdminRetry(_options, time, clientLog);
        _appender = new KafkaAppender(_options, _metadata, _offsets, time, clientLog);
        _pool = new ConsumerPool(_options, time, clientLog);
        _reader = new KafkaReader(_options, _metadata, _offsets, _queries, _pool, time, _logger);
    }

    /// <summary>
    /// A store on librdkafka's mock cluster: <paramref name="options"/> apart from the bootstrap
    /// servers, which are the cluster's. Topic creation and deletion use the mock's C API.
    /// </summary>
    public static KafkaLogStore ForMockCluster(
        KafkaMockCluster cluster,
        KafkaStorageOptions? options = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var effective = options?.Clone() ?? new KafkaStorageOptions();
        effective.BootstrapServers = cluster.BootstrapServers;
        return new KafkaLogStore(effective, cluster, loggerFactory, timeProvider);
    }

    /// <inheritdoc />
    public string Name => "kafka";

    /// <summary>The version of the native librdkafka in use.</summary>
    public static string LibrdkafkaVersion => Library.VersionString;

    /// <summary>Counters of appends in flight and of the read consumer pool.</summary>
    public KafkaLogStoreStatistics GetStatistics() =>
        new(_appender.InFlight, _appender.ProducerReplacements, _pool.Statistics);

    /// <inheritdoc />
    public async ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNameRules.IsValid(spec.Name) || spec.Partitions < 1 || !RetentionConfig.IsValid(spec.Retention))
        {
            return StorageStatus.InvalidArgument;
        }

        var timedOut = false;
        var status = await _retry.RunAsync(
            "CreateTopics",
            async token =>
            {
                var attempt = await _topicAdmin.CreateTopicAsync(spec, token);
                // An attempt that timed out may have created the topic: the retry then finds it.
                if (attempt == StorageStatus.TopicAlreadyExists && timedOut)
                {
                    return StorageStatus.Ok;
                }

                timedOut |= attempt == StorageStatus.Timeout;
                return attempt;
            },
            cancellationToken);
        if (status == StorageStatus.Ok)
        {
            _metadata.Invalidate(spec.Name);
            _offsets.Forget(spec.Name);
            Log.TopicCreated(_logger, spec.Name, spec.Partitions, RetentionConfig.Describe(spec.Retention));
        }

        return status;
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNameRules.IsValid(topic))
        {
            return StorageStatus.InvalidArgument;
        }

        var timedOut = false;
        var status = await _retry.RunAsync(
            "DeleteTopics",
            async token =>
            {
                var attempt = await _topicAdmin.DeleteTopicAsync(topic, token);
                if (attempt == StorageStatus.TopicNotFound && timedOut)
                {
                    return StorageStatus.Ok;
                }

                timedOut |= attempt == StorageStatus.Timeout;
                return attempt;
            },
            cancellationToken);
        if (status is StorageStatus.Ok or StorageStatus.TopicNotFound)
        {
            _metadata.Invalidate(topic);
            _offsets.Forget(topic);
            _pool.Forget(topic);
        }

        if (status == StorageStatus.Ok)
        {
            Log.TopicDeleted(_logger, topic);
        }

        return status;
    }

    /// <inheritdoc />
    public async ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNameRules.IsValid(topic))
        {
            return new TopicInfoResult(StorageStatus.InvalidArgument, default);
        }

        var partitions = await _retry.RunAsync("DescribeTopics", token => _metadata.RefreshAsync(topic, token), cancellationToken);
        if (partitions.Status != StorageStatus.Ok)
        {
            return new TopicInfoResult(partitions.Status, default);
        }

        var retention = await _retry.RunAsync("DescribeConfigs", token => _topicAdmin.DescribeRetentionAsync(topic, token), cancellationToken);
        return retention.Status != StorageStatus.Ok
            ? new TopicInfoResult(retention.Status, default)
            : new TopicInfoResult(StorageStatus.Ok, new TopicInfo(topic, partitions.Partitions, retention.Retention));
    }

    /// <inheritdoc />
    /// <exception cref="KafkaStorageException">The cluster did not answer (after retries).</exception>
    public async ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var result = await _retry.RunAsync("ListTopics", _queries.ListTopicsAsync, cancellationToken);
        return result.Status == StorageStatus.Ok
            ? result.Topics
            : throw new KafkaStorageException(result.Status, "Listing the Kafka topics failed: " + result.Status);
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNameRules.IsValid(topic) || totalPartitions < 1)
        {
            return StorageStatus.InvalidArgument;
        }

        var current = await _retry.RunAsync("DescribeTopics", token => _metadata.RefreshAsync(topic, token), cancellationToken);
        if (current.Status != StorageStatus.Ok)
        {
            return current.Status;
        }

        if (totalPartitions == current.Partitions)
        {
            return StorageStatus.Ok;
        }

        if (totalPartitions < current.Partitions)
        {
            return StorageStatus.InvalidArgument;
        }

        var timedOut = false;
        var status = await _retry.RunAsync(
            "CreatePartitions",
            async token =>
            {
                var attempt = await _topicAdmin.CreatePartitionsAsync(topic, totalPartitions, token);
                if (attempt == StorageStatus.InvalidArgument && timedOut)
                {
                    // INVALID_PARTITIONS after a timed-out attempt: did that attempt grow the topic?
                    var now = await _metadata.RefreshAsync(topic, token);
                    return now.Status == StorageStatus.Ok && now.Partitions == totalPartitions ? StorageStatus.Ok : attempt;
                }

                timedOut |= attempt == StorageStatus.Timeout;
                return attempt;
            },
            cancellationToken);
        _metadata.Invalidate(topic);
        if (status == StorageStatus.Ok)
        {
            Log.PartitionsAdded(_logger, topic, totalPartitions);
        }

        return status;
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNameRules.IsValid(topic) || !RetentionConfig.IsValid(retention))
        {
            return StorageStatus.InvalidArgument;
        }

        var status = await _retry.RunAsync("IncrementalAlterConfigs", token => _topicAdmin.SetRetentionAsync(topic, retention, token), cancellationToken);
        if (status == StorageStatus.Ok)
        {
            Log.RetentionSet(_logger, topic, RetentionConfig.Describe(retention));
        }

        return status;
    }

    /// <inheritdoc />
    public ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (records.IsEmpty)
        {
            throw new ArgumentException("At least one record is required.", nameof(records));
        }

        if (outcomes.Length != records.Length)
        {
            throw new ArgumentException("outcomes must have one element per record.", nameof(outcomes));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!TopicNameRules.IsValid(topic) || partition < 0)
        {
            var status = TopicNameRules.IsValid(topic) ? StorageStatus.PartitionNotFound : StorageStatus.InvalidArgument;
            outcomes.Span.Fill(new AppendOutcome(status, -1));
            return ValueTask.FromResult(status);
        }

        return _appender.AppendAsync(topic, partition, records, outcomes, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (!TopicNameRules.IsValid(request.Topic) || request.Offset < 0 || request.MaxRecords < 1 || request.MaxBytes < 1)
        {
            return ValueTask.FromResult(ReadResult.Empty(StorageStatus.InvalidArgument, Math.Max(0, request.Offset), default));
        }

        if (request.Partition < 0)
        {
            return ValueTask.FromResult(ReadResult.Empty(StorageStatus.PartitionNotFound, request.Offset, default));
        }

        return _reader.ReadAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var check = await CheckPartitionAsync(topic, partition, cancellationToken);
        if (check != StorageStatus.Ok)
        {
            return new PartitionOffsetsResult(check, default);
        }

        var state = _offsets.Get(topic, partition);
        // Two requests: ListOffsets takes a partition once per request.
        var earliest = _retry.RunAsync("ListOffsets", token => _queries.ListOffsetAsync(topic, partition, OffsetSpec.Earliest(), token), cancellationToken);
        var latest = _retry.RunAsync("ListOffsets", token => _queries.ListOffsetAsync(topic, partition, OffsetSpec.Latest(), token), cancellationToken);
        var start = await earliest;
        var end = await latest;
        var status = start.Status != StorageStatus.Ok ? start.Status : end.Status;
        if (status != StorageStatus.Ok)
        {
            return new PartitionOffsetsResult(status, default);
        }

        state.Observe(start.Offset, end.Offset);
        return new PartitionOffsetsResult(StorageStatus.Ok, new PartitionOffsets(start.Offset, end.Offset));
    }

    /// <inheritdoc />
    public async ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(string topic, int partition, long timestampMs, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var check = await CheckPartitionAsync(topic, partition, cancellationToken);
        if (check != StorageStatus.Ok)
        {
            return new OffsetLookupResult(check, -1);
        }

        // ListOffsets by timestamp (KIP-79): the earliest offset whose timestamp is at or after the
        // one asked for, or -1 when there is none, which the storage port answers with the high watermark.
        var found = await _retry.RunAsync("ListOffsets", token => _queries.ListOffsetAsync(topic, partition, OffsetSpec.ForTimestamp(timestampMs), token), cancellationToken);
        if (found.Status != StorageStatus.Ok || found.Offset >= 0)
        {
            return new OffsetLookupResult(found.Status, found.Offset);
        }

        var end = await _retry.RunAsync("ListOffsets", token => _queries.ListOffsetAsync(topic, partition, OffsetSpec.Latest(), token), cancellationToken);
        return new OffsetLookupResult(end.Status, end.Status == StorageStatus.Ok ? end.Offset : -1);
    }

    /// <summary>
    /// Flushes unacknowledged appends (for at most <see cref="KafkaStorageOptions.FlushTimeout"/>),
    /// then closes the producer, the read consumers and the admin client.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _appender.DisposeAsync();
        await Task.Run(_pool.Dispose);
        _topicAdmin.Dispose();
        _adminClient.Dispose();
    }

    private ValueTask<StorageStatus> CheckPartitionAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        if (!TopicNameRules.IsValid(topic))
        {
            return ValueTask.FromResult(StorageStatus.InvalidArgument);
        }

        return partition < 0
            ? ValueTask.FromResult(StorageStatus.PartitionNotFound)
            : _metadata.CheckPartitionAsync(topic, partition, cancellationToken);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
