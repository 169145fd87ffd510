using System.Diagnostics;
using KafkaKinesisBridge.Firehose.Sink.Buffering;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Diagnostics;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Naming;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Firehose.Sink.Delivery;

/// <summary>
/// One delivery stream's loop: poll the source, append records to one buffer per partition, and
/// when a buffer reaches BufferingHints.SizeInMBs or IntervalInSeconds (whichever comes first;
/// Firehose API reference, BufferingHints) write it as one object and only then commit the
/// partition's position. One task runs the loop, so while an object is being written (and retried)
/// nothing more is read: memory stays bounded by the buffers.
/// </summary>
/// <remarks>
/// Exactly-once objects: a buffer always starts at the partition's committed position (the first
/// record after the last durable object), and the object's key is derived from that position
/// (<see cref="ObjectIdentity"/>) and the oldest record's arrival time. After a crash, a restart or a
/// consumer-group rebalance, the next reader starts at the same position and writes the same key,
/// replacing the object instead of adding a copy; its records start where the durable objects end.
/// </remarks>
internal sealed partial class DeliveryPipeline
{
    private readonly SinkDeliveryStream _stream;
    private readonly ISinkSource _source;
    private readonly ObjectWriter _writer;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TagList _tags;
    private readonly Dictionary<int, RecordBuffer> _buffers = [];
    private readonly long _sizeLimit;
    private readonly TimeSpan _interval;
    private long _buffered;

    public DeliveryPipeline(
        SinkDeliveryStream stream,
        ISinkSource source,
        IObjectStore store,
        SinkOptions options,
        TimeProvider time,
        ILogger logger)
    {
        _stream = stream;
        _source = source;
        _options = options;
        _time = time;
        _logger = logger;
        _tags = SinkMetrics.Tags(stream.Name);
        _sizeLimit = stream.Destination.BufferSizeInMBs * 1024L * 1024L;
        _interval = TimeSpan.FromSeconds(stream.Destination.BufferIntervalInSeconds);
        _writer = new ObjectWriter(stream, store, options, time, logger, _tags);
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then delivers what is buffered
    /// (within <see cref="SinkOptions.ShutdownFlushTimeout"/>) and returns.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using (var poll = await _source.PollAsync(NextWait(), cancellationToken).ConfigureAwait(false))
                {
                    foreach (var partition in poll.Revoked)
                    {
                        Drop(partition);
                    }

                    foreach (var batch in poll.Batches)
                    {
                        await AppendAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                }

                await FlushDueAsync(cancellationToken).ConfigureAwait(false);
                ReportFreshness();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        await FlushAllOnStopAsync().ConfigureAwait(false);
    }

    private async ValueTask AppendAsync(SinkRecordBatch batch, CancellationToken cancellationToken)
    {
        if (!_buffers.TryGetValue(batch.Partition, out var buffer))
        {
            buffer = new RecordBuffer(batch.Partition, _stream.Destination.AppendDelimiterToRecord);
            _buffers.Add(batch.Partition, buffer);
        }

        var records = batch.Records;
        for (var i = 0; i < records.Length; i++)
        {
            var before = buffer.Length;
            buffer.Append(records.Span[i], _time.GetTimestamp());
            _buffered += buffer.Length - before;
            if (buffer.Length >= _sizeLimit && !await DeliverAsync(buffer, cancellationToken).ConfigureAwait(false))
            {
                // The source rewound the partition to its committed position: the rest of this batch
                // comes again, from there.
                break;
            }
        }

        // Bounded memory across partitions: deliver the largest buffers early.
        while (_buffered > _options.MaxBufferedBytesPerStream)
        {
            var largest = _buffers.Values.MaxBy(static b => b.Length)!;
            await DeliverAsync(largest, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushDueAsync(CancellationToken cancellationToken)
    {
        List<RecordBuffer>? due = null;
        foreach (var buffer in _buffers.Values)
        {
            if (!buffer.IsEmpty && _time.GetElapsedTime(buffer.StartedTimestamp) >= _interval)
            {
                (due ??= []).Add(buffer);
            }
        }

        if (due is null)
        {
            return;
        }

        if (due.Count == 1)
        {
            await DeliverAsync(due[0], cancellationToken).ConfigureAwait(false);
            return;
        }

        // Partitions' buffers usually fall due together: compress and write them in parallel (each
        // partition's object and commit are independent), so the last one is not late by the others.
        await Task.WhenAll(due.Select(buffer => Task.Run(() => DeliverAsync(buffer, cancellationToken).AsTask(), cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Writes the buffer as an object, then commits; false when the commit was refused.</summary>
    private async ValueTask<bool> DeliverAsync(RecordBuffer buffer, CancellationToken cancellationToken)
    {
        await _writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        var committed = true;
        try
        {
            await _source.CommitAsync(buffer.Partition, buffer.NextOffset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && _source is IRevocableSource)
        {
            // A consumer group refuses commits while it rebalances. The source has rewound the
            // partition to its committed position, so the next object of this partition starts where
            // this one did and replaces it under the same key (or the partition's new owner does).
            // Going on from here instead would start the next object at another key, and whoever
            // reads from the committed position later would deliver its records a second time.
            Log.CommitFailed(_logger, _stream.Name, buffer.Partition, buffer.NextOffset, e);
            committed = false;
        }

        Interlocked.Add(ref _buffered, -buffer.Length);
        buffer.Reset();
        return committed;
    }

    private void Drop(int partition)
    {
        if (_buffers.Remove(partition, out var buffer))
        {
            Log.PartitionRevoked(_logger, _stream.Name, partition, buffer.Count);
            SinkMetrics.Shared.Dropped(_tags, buffer.Count);
            _buffered -= buffer.Length;
            buffer.Dispose();
        }
    }

    private TimeSpan NextWait()
    {
        var wait = _options.MaxPollWait;
        foreach (var buffer in _buffers.Values)
        {
            if (!buffer.IsEmpty)
            {
                var left = _interval - _time.GetElapsedTime(buffer.StartedTimestamp);
                if (left < wait)
                {
                    wait = left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : left;
                }
            }
        }

        return wait;
    }

    private void ReportFreshness()
    {
        var oldest = long.MaxValue;
        foreach (var buffer in _buffers.Values)
        {
            if (!buffer.IsEmpty)
            {
                oldest = Math.Min(oldest, buffer.OldestArrivalMs);
            }
        }

        SinkMetrics.Shared.Freshness(_tags, oldest == long.MaxValue ? 0 : Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - oldest));
    }

    private async Task FlushAllOnStopAsync()
    {
        using var timeout = new CancellationTokenSource(_options.ShutdownFlushTimeout, _time);
        try
        {
            foreach (var buffer in _buffers.Values)
            {
                if (!buffer.IsEmpty)
                {
                    await DeliverAsync(buffer, timeout.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Not delivered in time: not committed either, so the next start delivers it (same keys).
        }
        finally
        {
            foreach (var buffer in _buffers.Values)
            {
                buffer.Dispose();
            }

            _buffers.Clear();
        }
    }
}

/// <summary>Marks sources whose partitions can be taken away (consumer groups), where a refused commit is expected.</summary>
/// <remarks>When such a source cannot commit, it rewinds the partition to its committed position before
/// throwing, so the pipeline reads the partition again from there.</remarks>
public interface IRevocableSource
{
}
