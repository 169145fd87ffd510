using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka.Internal.Admin;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Produce;

/// <summary>
/// Appends through one shared idempotent producer (acks=all). The records of a call are produced
/// back to back to their partition, without waiting for each other, and the call completes when the
/// last delivery report arrived; librdkafka batches them (linger.ms) together with other calls'.
/// </summary>
internal sealed class KafkaAppender : IAsyncDisposable
{
    // Longest pause between retries of a record librdkafka's full queue refused.
    private static readonly TimeSpan MaxQueueFullBackoff = TimeSpan.FromMilliseconds(50);

    // Never added to: see Fill.
    private static readonly Headers NoHeaders = [];

    private readonly KafkaStorageOptions _options;
    private readonly TopicMetadataCache _metadata;
    private readonly PartitionOffsetsCache _offsets;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LibrdkafkaLogging _clientLog;
    private readonly ProduceBatchPool _batches = new();
    private readonly Lock _gate = new();
    private volatile ProducerSlot _slot;
    private volatile bool _fatal;
    private readonly KafkaClientMetrics? _metrics;
    private volatile bool _disposed;

    public KafkaAppender(KafkaStorageOptions options, TopicMetadataCache metadata, PartitionOffsetsCache offsets, TimeProvider timeProvider, LibrdkafkaLogging clientLog)
    {
        _options = options;
        _metadata = metadata;
        _offsets = offsets;
        _timeProvider = timeProvider;
        _logger = clientLog.Logger;
        _clientLog = clientLog;
        _metrics = options.StatisticsInterval > TimeSpan.Zero ? new KafkaClientMetrics() : null;
        _slot = new ProducerSlot(Build(0), 0);
    }

    /// <summary>Append calls waiting for delivery reports.</summary>
    public int InFlight => _batches.InFlightCount;

    /// <summary>How many producers were replaced after fatal errors.</summary>
    public int ProducerReplacements => _slot.Generation;

    public async ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        var check = await _metadata.CheckPartitionAsync(topic, partition, cancellationToken);
        if (check != StorageStatus.Ok)
        {
            // Whole-call failure: every record gets the status (storage port contract).
            outcomes.Span.Fill(new AppendOutcome(check, -1));
            return check;
        }

        var slot = CurrentProducer();
        var batch = _batches.Rent(records.Length, slot.Generation);
        var target = new TopicPartition(topic, new Partition(partition));
        var index = 0;
        var message = new Message<byte[], byte[]>();
        var queueFullSince = 0L;
        var backoff = TimeSpan.FromMilliseconds(1);
        try
        {
            while (index < records.Length)
            {
                Fill(message, records.Span[index]);
                var refusal = Produce(slot.Producer, target, message, batch, index);
                if (refusal == ErrorCode.NoError)
                {
                    index++;
                    queueFullSince = 0;
                    continue;
                }

                if (refusal == ErrorCode.Local_QueueFull)
                {
                    // librdkafka's queue (queue.buffering.max.kbytes) is full: deliveries, served by
                    // the background poll thread, free it. Back off and retry this record, up to the
                    // delivery timeout.
                    queueFullSince = queueFullSince == 0 ? _timeProvider.GetTimestamp() : queueFullSince;
                    if (_timeProvider.GetElapsedTime(queueFullSince) < _options.DeliveryTimeout)
                    {
                        await Task.Delay(backoff, _timeProvider, cancellationToken);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxQueueFullBackoff.Ticks));
                        continue;
                    }
                }

                var status = KafkaErrors.ToStatus(refusal);
                batch.SetOutcome(index, status);
                index++;
                if (status is StorageStatus.TopicNotFound or StorageStatus.PartitionNotFound
                    or StorageStatus.Unavailable or StorageStatus.Timeout)
                {
                    // The partition cannot take records now: the rest would be refused the same way.
                    if (status is StorageStatus.TopicNotFound or StorageStatus.PartitionNotFound)
                    {
                        _metadata.Invalidate(topic);
                    }

                    for (; index < records.Length; index++)
                    {
                        batch.SetOutcome(index, status);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting for queue space: records not produced stay Timeout (unknown to
            // the caller, who stops waiting anyway).
        }
        finally
        {
            batch.ProducingDone();
        }

        var registration = batch.RegisterCancellation(cancellationToken);
        try
        {
            await new ValueTask(batch, batch.Version);
        }
        catch (OperationCanceledException)
        {
            await registration.DisposeAsync();
            batch.ReleaseByCaller();
            throw;
        }

        await registration.DisposeAsync();
        var result = StorageStatus.Ok;
        var highest = -1L;
        var reported = batch.Outcomes;
        var destination = outcomes.Span;
        for (var i = 0; i < reported.Length; i++)
        {
            destination[i] = reported[i];
            if (reported[i].Status == StorageStatus.Ok)
            {
                highest = Math.Max(highest, reported[i].Offset);
            }
            else if (result == StorageStatus.Ok)
            {
                result = reported[i].Status;
            }
        }

        batch.ReleaseByCaller();
        if (highest >= 0)
        {
            // Readers of this partition now know records up to here exist and wait for their fetch.
            _offsets.Get(topic, partition).Observe(-1, highest + 1);
        }

        if (result is StorageStatus.TopicNotFound or StorageStatus.PartitionNotFound)
        {
            _metadata.Invalidate(topic);
        }

        return result;
    }

    /// <summary>Flushes for at most the flush timeout, then disposes the producer.</summary>
    public async ValueTask DisposeAsync()
    {
        ProducerSlot slot;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            slot = _slot;
        }

        await Task.Run(() => Retire(slot));
        _metrics?.Dispose();
    }

    private ErrorCode Produce(IProducer<byte[], byte[]> producer, TopicPartition target, Message<byte[], byte[]> message, ProduceBatch batch, int index)
    {
        batch.RecordProducing();
        try
        {
            producer.Produce(target, message, batch.HandlerFor(index));
            return ErrorCode.NoError;
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            batch.RecordRefused();
            return e.Error.Code;
        }
        catch (KafkaException e)
        {
            batch.RecordRefused();
            return e.Error.Code;
        }
        catch (ObjectDisposedException) when (!_disposed)
        {
            // The producer was replaced after a fatal error while this call was producing.
            batch.RecordRefused();
            return ErrorCode.Local_Fatal;
        }
        catch
        {
            batch.RecordRefused();
            throw;
        }
    }

    private ProducerSlot CurrentProducer()
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(KafkaLogStore));
        if (!_fatal)
        {
            return _slot;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(KafkaLogStore));
            if (_fatal)
            {
                // An idempotent producer that hit a fatal error (for example OUT_OF_ORDER_SEQUENCE_NUMBER)
                // fails everything from then on; librdkafka requires a new instance.
                var old = _slot;
                _slot = new ProducerSlot(Build(old.Generation + 1), old.Generation + 1);
                _fatal = false;
                _ = Task.Run(() => Retire(old));
            }

            return _slot;
        }
    }

    private void Retire(ProducerSlot slot)
    {
        try
        {
            var remaining = slot.Producer.Flush(_options.FlushTimeout);
            if (remaining > 0)
            {
                Log.FlushIncomplete(_logger, remaining, _options.FlushTimeout);
            }
        }
        catch (KafkaException)
        {
            // A fatal producer may refuse to flush; its records fail below.
        }
        finally
        {
            slot.Producer.Dispose();
            // Reports that did not arrive by now never will: complete those calls with Timeout.
            _batches.ForceComplete(slot.Generation);
        }
    }

    private IProducer<byte[], byte[]> Build(int generation)
    {
        var builder = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(_options))
            .SetErrorHandler((_, error) => OnError(generation, error))
            .SetLogHandler((_, message) => _clientLog.Forward(message));
        if (_metrics is { } metrics)
        {
            // Called on librdkafka's background thread every statistics.interval.ms.
            builder.SetStatisticsHandler((_, json) => metrics.OnStatistics(json));
        }

        return builder.Build();
    }

    private void OnError(int generation, Error error)
    {
        if (error.IsFatal)
        {
            Log.ProducerFatal(_logger, error.Code.ToString(), error.Reason);
            if (generation == _slot.Generation)
            {
                _fatal = true;
            }
        }
        else
        {
            _clientLog.ClientError("producer", error);
        }
    }

    /// <summary>
    /// Points the call's one message object at a record. Confluent.Kafka keeps neither the message nor
    /// its arrays once Produce returns: librdkafka copies key and value during the call
    /// (RD_KAFKA_MSG_F_COPY), and with <c>dotnet.producer.enable.delivery.report.fields=status</c> the
    /// delivery report does not hold them. So one message per call, shared empty headers, and key and
    /// value as whole arrays (the caller's own, or per-thread scratch copies) serve every record
    /// without allocating.
    /// </summary>
    private static void Fill(Message<byte[], byte[]> message, in LogRecord record)
    {
        // No key is a null key in Kafka; an empty value stays a value (null would be a tombstone).
        message.Key = record.Key.IsEmpty ? null! : ScratchArrays.Key(record.Key);
        message.Value = record.Value.IsEmpty ? [] : ScratchArrays.Value(record.Value);
        message.Timestamp = new Timestamp(record.TimestampMs, TimestampType.CreateTime);
        message.Headers = ToHeaders(record.Headers);
    }

    private static Headers ToHeaders(IReadOnlyList<LogHeader>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            // Confluent.Kafka would otherwise create an empty Headers per record; it only reads this one.
            return NoHeaders;
        }

        var result = new Headers();
        for (var i = 0; i < headers.Count; i++)
        {
            result.Add(headers[i].Key, ScratchArrays.Owned(headers[i].Value));
        }

        return result;
    }

    private sealed record ProducerSlot(IProducer<byte[], byte[]> Producer, int Generation);
}
