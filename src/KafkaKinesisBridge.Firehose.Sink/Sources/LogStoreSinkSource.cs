using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Model;

namespace KafkaKinesisBridge.Firehose.Sink.Sources;

/// <summary>
/// Reads every partition of a topic through the storage port (<see cref="ILogStore.ReadAsync"/>),
/// each from its checkpoint (or the log start when there is none), and commits to an
/// <see cref="ISinkCheckpointStore"/>. Serves DirectPut topics and Kinesis streams' topics alike on
/// either backend; it owns all partitions, so one process runs a delivery stream (the Kafka
/// consumer-group source shares them between processes). Partitions added later (a stream's reshard)
/// are found by describing the topic again every few seconds.
/// </summary>
internal sealed class LogStoreSinkSource : ISinkSource
{
    private static readonly TimeSpan TopicRefreshInterval = TimeSpan.FromSeconds(5);
    private readonly ILogStore _log;
    private readonly ISinkCheckpointStore _checkpoints;
    private readonly SinkDeliveryStream _stream;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly List<long> _positions = [];
    private long _lastRefresh = long.MinValue;
    private int _next;

    private LogStoreSinkSource(ILogStore log, ISinkCheckpointStore checkpoints, SinkDeliveryStream stream, SinkOptions options, TimeProvider time)
    {
        _log = log;
        _checkpoints = checkpoints;
        _stream = stream;
        _options = options;
        _time = time;
    }

    private string Topic => _stream.Source.Topic;

    public static async ValueTask<LogStoreSinkSource> OpenAsync(
        ILogStore log, ISinkCheckpointStore checkpoints, SinkDeliveryStream stream, SinkOptions options, TimeProvider time, CancellationToken cancellationToken)
    {
        var source = new LogStoreSinkSource(log, checkpoints, stream, options, time);
        await source.RefreshPartitionsAsync(cancellationToken).ConfigureAwait(false);
        return source;
    }

    public async ValueTask<SinkPoll> PollAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(2);
        while (true)
        {
            if (_time.GetElapsedTime(_lastRefresh) >= TopicRefreshInterval)
            {
                await RefreshPartitionsAsync(cancellationToken).ConfigureAwait(false);
            }

            var batches = await ReadRoundAsync(cancellationToken).ConfigureAwait(false);
            if (batches.Count > 0)
            {
                return new SinkPoll(batches, []);
            }

            var left = maxWait - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return SinkPoll.Empty;
            }

            // The storage port has no long poll: back off briefly (2 ms doubling to the idle delay).
            await Task.Delay(Min(delay, left), _time, cancellationToken).ConfigureAwait(false);
            delay = Min(delay * 2, _options.IdlePollDelay);
        }
    }

    public ValueTask CommitAsync(int partition, long nextOffset, CancellationToken cancellationToken) =>
        _checkpoints.SaveAsync(_stream.Name, Topic, partition, nextOffset, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async ValueTask<List<SinkRecordBatch>> ReadRoundAsync(CancellationToken cancellationToken)
    {
        var batches = new List<SinkRecordBatch>();
        var bytes = 0L;
        var count = _positions.Count;
        for (var n = 0; n < count && bytes < _options.ReadMaxBytes; n++)
        {
            var partition = (_next + n) % count;
            var result = await _log.ReadAsync(
                new ReadRequest(Topic, partition, _positions[partition], _options.ReadMaxRecords, _options.ReadMaxBytes),
                cancellationToken).ConfigureAwait(false);
            if (result.Status == StorageStatus.OffsetOutOfRange)
            {
                // The topic was recreated or truncated below the checkpoint: restart at its start.
                result.Dispose();
                _positions[partition] = 0;
                continue;
            }

            if (result.Status != StorageStatus.Ok || result.Records.IsEmpty)
            {
                if (result.Status.IsRetriable() || result.Status == StorageStatus.Ok)
                {
                    _positions[partition] = Math.Max(_positions[partition], result.NextOffset);
                }

                result.Dispose();
                continue;
            }

            _positions[partition] = result.NextOffset;
            foreach (var record in result.Records.Span)
            {
                bytes += record.Value.Length;
            }

            batches.Add(new SinkRecordBatch(partition, result.Records, result));
        }

        _next = count == 0 ? 0 : (_next + 1) % count;
        return batches;
    }

    private async ValueTask RefreshPartitionsAsync(CancellationToken cancellationToken)
    {
        _lastRefresh = _time.GetTimestamp();
        var topic = await _log.DescribeTopicAsync(Topic, cancellationToken).ConfigureAwait(false);
        if (topic.Status != StorageStatus.Ok || topic.Topic.Partitions <= _positions.Count)
        {
            return;
        }

        var saved = await _checkpoints.LoadAsync(_stream.Name, Topic, cancellationToken).ConfigureAwait(false);
        for (var partition = _positions.Count; partition < topic.Topic.Partitions; partition++)
        {
            _positions.Add(saved.TryGetValue(partition, out var offset) ? offset : 0);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>Opens <see cref="LogStoreSinkSource"/>s over the registered log and checkpoint store.</summary>
internal sealed class LogStoreSinkSourceFactory(ILogStore log, ISinkCheckpointStore checkpoints, SinkOptions options, TimeProvider time) : ISinkSourceFactory
{
    public async ValueTask<ISinkSource> OpenAsync(SinkDeliveryStream stream, CancellationToken cancellationToken) =>
        await LogStoreSinkSource.OpenAsync(log, checkpoints, stream, options, time, cancellationToken).ConfigureAwait(false);
}
