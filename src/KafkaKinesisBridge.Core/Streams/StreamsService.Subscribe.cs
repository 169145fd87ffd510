using System.Threading.Channels;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Streams.FanOut;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// SubscribeToShard: the enhanced fan-out push engine. One pump per subscription reads the shard
// through the shared ShardReader and writes events into a small bounded channel the front door
// drains; when caught up it waits for the partition's append signal (records are pushed as soon as
// they are acknowledged), or IdleReadInterval for writes made through other replicas.
public sealed partial class StreamsService
{
    /// <inheritdoc />
    public async ValueTask<ShardSubscription> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Required(ref errors, request.ConsumerARN, "consumerARN");
        ConsumerArn(ref errors, request.ConsumerARN, "consumerARN");
        Constraints.Name(ref errors, request.ShardId, "shardId", required: true, Constraints.MaxShardIdLength);
        Constraints.Required(ref errors, request.StartingPosition, "startingPosition");
        var position = request.StartingPosition;
        if (position is not null)
        {
            Constraints.Required(ref errors, position.Type, "startingPosition.type");
            Constraints.SequenceNumber(ref errors, position.SequenceNumber, "startingPosition.sequenceNumber");
            if (position.Type is { } shapeType && !Enum.IsDefined(shapeType))
            {
                ValidationErrors.Add(ref errors, ValidationErrors.Render(shapeType.ToString()), "startingPosition.type", "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
            }
        }

        ValidationErrors.ThrowIfAny(errors);
        var consumerArn = request.ConsumerARN!;
        ConsumerArns.TryParse(consumerArn, out var streamArn, out var consumerName, out var createdEpoch);
        var name = ResolveStreamName(null, streamArn);
        var type = position!.Type!.Value;
        CheckIteratorParameters(type, position.SequenceNumber, position.Timestamp);

        var stream = await GetDataStreamAsync(name, cancellationToken);
        var consumer = FindConsumer(stream, stream.Entry, consumerName, createdEpoch);
        if (StatusOf(consumer) != ConsumerStatus.Active)
        {
            Errors.Throw(
                KinesisErrorCode.ResourceInUse,
                $"Consumer {consumerArn} is not ACTIVE, instead in state {StatusOf(consumer).ToWireName()}.");
        }

        var shardId = request.ShardId!;
        if (!ShardIds.TryParse(shardId, out var shardIndex))
        {
            Errors.CouldNotFindShard(shardId, name, _account);
        }

        if (shardIndex >= stream.Shards.Length)
        {
            Errors.ShardNotFound(shardIndex, name, _account);
        }

        var shard = stream.Shards[shardIndex];
        var start = await StartOffsetAsync(stream, shard, type, position.SequenceNumber, position.Timestamp, "SubscribeToShard", cancellationToken);

        var fanOut = _options.FanOut;
        var active = _subscriptions.Open(
            consumerArn,
            shardIndex,
            shard.ShardId,
            fanOut.TakeoverAfter,
            () => new FanOutQuota(_options.Quotas.SubscriptionReadBytesPerSecond, _time));
        var channel = Channel.CreateBounded<SubscribeToShardEvent>(new BoundedChannelOptions(fanOut.EventQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var target = new SubscriptionTarget(name, stream.Incarnation, consumerName, consumer.CreatedAtMs, shardIndex, start);
        var pump = Task.Run(() => PumpAsync(active, target, channel.Writer), CancellationToken.None);
        FanOutMetrics.Shared.Opened();
        return new ShardSubscription(consumerArn, shard.ShardId, channel.Reader, async () =>
        {
            active.Stop();
            await pump.ConfigureAwait(false);
        });
    }

    /// <summary>Subscriptions open on this replica (tests, metrics).</summary>
    internal int OpenSubscriptionCount => _subscriptions.Count;

    /// <summary>
    /// Reads the shard from the subscription's position and writes events until the lifetime is over,
    /// the end of a closed shard was delivered, or the subscription is stopped. Never throws: a failure
    /// completes the channel with the <see cref="KinesisException"/> the client sees.
    /// </summary>
    private async Task PumpAsync(ActiveSubscription active, SubscriptionTarget target, ChannelWriter<SubscribeToShardEvent> writer)
    {
        var fanOut = _options.FanOut;
        var stopping = active.Stopping;
        PartitionSignal? signal = null;
        var deadline = _time.GetTimestamp();
        var lastEvent = long.MinValue;
        Exception? failure = null;
        try
        {
            // Inside the try: a stream deleted between SubscribeToShard and this point ends the
            // subscription with ResourceNotFoundException instead of leaving it open and silent.
            signal = _signals.Acquire(CurrentStream(target).Topic, target.Shard);
            var offset = target.StartOffset;
            while (true)
            {
                stopping.ThrowIfCancellationRequested();
                var now = _time.GetTimestamp();
                var age = _time.GetElapsedTime(deadline, now);
                if (age >= fanOut.SubscriptionLifetime)
                {
                    // The 5-minute lifetime is over: the stream ends normally; the client subscribes again.
                    break;
                }

                var stream = CurrentStream(target);
                var maxBytes = fanOut.MaxEventBytes;
                if (_options.Quotas.Enabled)
                {
                    var available = active.Quota.Available(out var throttle);
                    if (available == 0)
                    {
                        FanOutMetrics.Shared.Throttled();
                        await Task.Delay(throttle, _time, stopping);
                        continue;
                    }

                    maxBytes = (int)Math.Min(maxBytes, available);
                }

                var appended = signal.NextAsync();
                var page = await _reader.ReadAsync(stream, target.Shard, offset, MaxGetRecordsLimit, maxBytes, NowMs, stopping);
                if (page.Status != StorageStatus.Ok)
                {
                    page.Dispose();
                    throw Errors.FromStorage(page.Status, stream.Name, _account, "SubscribeToShard");
                }

                var hasRecords = page.Records.Length > 0;
                var heartbeatDue = lastEvent == long.MinValue || _time.GetElapsedTime(lastEvent, now) >= fanOut.EmptyEventInterval;
                if (hasRecords || page.IsEndOfShard || heartbeatDue)
                {
                    var next = page.NextOffset;
                    var endOfShard = page.IsEndOfShard;
                    var item = new SubscribeToShardEvent(
                        page.Read,
                        new StreamRecordList(target.Shard, page.Records),
                        page.IsEndOfShard ? null : SequenceNumber.Before(target.Shard, next),
                        page.MillisBehindLatest,
                        page.ChildShards);
                    if (_options.Quotas.Enabled)
                    {
                        active.Quota.Charge(page.Bytes);
                    }

                    try
                    {
                        // Bounded: a slow client makes this wait, so the pump never reads ahead of it by
                        // more than EventQueueCapacity events.
                        await writer.WriteAsync(item, stopping);
                    }
                    catch
                    {
                        item.Dispose();
                        throw;
                    }

                    FanOutMetrics.Shared.Event(page.Records.Length, page.Bytes);
                    lastEvent = now;
                    offset = next;
                    if (endOfShard)
                    {
                        break;
                    }

                    if (hasRecords)
                    {
                        continue;
                    }
                }
                else
                {
                    page.Dispose();
                }

                // Caught up: wait for an append, the heartbeat, or the lifetime's end, and at most
                // IdleReadInterval (appends made through other replicas raise no signal here).
                var wait = Min(
                    fanOut.IdleReadInterval,
                    fanOut.EmptyEventInterval - _time.GetElapsedTime(lastEvent, now),
                    fanOut.SubscriptionLifetime - age);
                if (wait > TimeSpan.Zero)
                {
                    await appended.WaitAsync(wait, _time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            failure = active.EndedBy;
        }
        catch (KinesisException exception)
        {
            failure = exception;
        }
        catch (Exception exception)
        {
            Log.SubscriptionFailed(_logger, target.StreamName, target.Shard, exception);
            failure = new KinesisException(KinesisErrorCode.InternalFailure, "SubscribeToShard failed: internal service failure.", exception);
        }
        finally
        {
            if (signal is not null)
            {
                AppendSignals.Release(signal);
            }

            _subscriptions.Remove(active);
            FanOutMetrics.Shared.Closed();
        }

        writer.TryComplete(failure);
    }

    /// <summary>
    /// The stream version the subscription reads now; ResourceNotFoundException once the stream was
    /// deleted (or re-created) or the consumer deregistered.
    /// </summary>
    private StreamRuntime CurrentStream(SubscriptionTarget target)
    {
        if (!_streams.TryGetValue(target.StreamName, out var stream) || stream.Incarnation != target.Incarnation || stream.Router is null && stream.Status != StreamStatus.Active)
        {
            throw new KinesisException(KinesisErrorCode.ResourceNotFound, $"Stream {target.StreamName} under account {_account} not found.");
        }

        var consumers = stream.Entry.Consumers;
        ConsumerEntry? consumer = null;
        if (consumers is not null)
        {
            foreach (var candidate in consumers)
            {
                if (candidate.CreatedAtMs == target.ConsumerCreatedAtMs && string.Equals(candidate.Name, target.ConsumerName, StringComparison.Ordinal))
                {
                    consumer = candidate;
                    break;
                }
            }
        }

        if (consumer is null || consumer.DeletingSinceMs is not null)
        {
            throw new KinesisException(
                KinesisErrorCode.ResourceNotFound,
                $"Consumer {target.ConsumerName} under stream {stream.Arn} under account {_account} not found.");
        }

        return stream;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b, TimeSpan c) => TimeSpan.FromTicks(Math.Min(a.Ticks, Math.Min(b.Ticks, c.Ticks)));

    /// <summary>What a subscription reads: a stream incarnation, a consumer registration, a shard, a start.</summary>
    private sealed record SubscriptionTarget(string StreamName, ulong Incarnation, string ConsumerName, long ConsumerCreatedAtMs, int Shard, long StartOffset);
}
