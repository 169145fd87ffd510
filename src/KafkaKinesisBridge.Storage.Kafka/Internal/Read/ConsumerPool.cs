using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>
/// A bounded pool of read consumers. A read takes, in this order: an idle consumer already positioned
/// where it starts, one assigned to its partition, an unassigned one, a new one while the pool is not
/// full, or else the least recently used one. Reads beyond the pool size wait, so the number of
/// librdkafka clients, their threads and their prefetch memory (queued.max.messages.kbytes each) stay
/// bounded however many iterators are open. Idle consumers are closed after a timeout.
/// </summary>
internal sealed class ConsumerPool : IDisposable
{
    private readonly KafkaStorageOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LibrdkafkaLogging _clientLog;
    private readonly Lock _gate = new();
    private readonly List<PooledConsumer> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly ITimer _sweeper;
    private int _live;
    private bool _disposed;
    private long _created;
    private long _closed;
    private long _continued;
    private long _seeks;
    private long _assignments;
    private long _waits;

    public ConsumerPool(KafkaStorageOptions options, TimeProvider timeProvider, LibrdkafkaLogging clientLog)
    {
        _options = options;
        _timeProvider = timeProvider;
        _logger = clientLog.Logger;
        _clientLog = clientLog;
        _slots = new SemaphoreSlim(options.ConsumerPoolSize, options.ConsumerPoolSize);
        var period = TimeSpan.FromTicks(Math.Clamp(options.ConsumerIdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _sweeper = timeProvider.CreateTimer(static state => ((ConsumerPool)state!).CloseIdle(), this, period, period);
    }

    public ConsumerPoolStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new ConsumerPoolStatistics(
                    _live,
                    _idle.Count,
                    Interlocked.Read(ref _created),
                    Interlocked.Read(ref _closed),
                    Interlocked.Read(ref _continued),
                    Interlocked.Read(ref _seeks),
                    Interlocked.Read(ref _assignments),
                    Interlocked.Read(ref _waits));
            }
        }
    }

    public async ValueTask<PooledConsumer> AcquireAsync(string topic, int partition, long offset, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0))
        {
            Interlocked.Increment(ref _waits);
            await _slots.WaitAsync(cancellationToken);
        }

        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, typeof(KafkaLogStore));
                var best = -1;
                var bestScore = 0;
                // Least recently used first, so ties go to the consumer idle longest.
                for (var i = 0; i < _idle.Count && bestScore < 4; i++)
                {
                    var candidate = _idle[i];
                    var score = candidate.IsPositionedAt(topic, partition, offset) ? 4
                        : candidate.IsAt(topic, partition) ? 3
                        : candidate.Assigned is null ? 2
                        : 1;
                    if (score > bestScore)
                    {
                        best = i;
                        bestScore = score;
                    }
                }

                // A consumer positioned elsewhere is taken only when no new one may be created: it
                // probably serves another reader that will come back.
                if (best >= 0 && (bestScore > 1 || _live >= _options.ConsumerPoolSize))
                {
                    var chosen = _idle[best];
                    _idle.RemoveAt(best);
                    return chosen;
                }

                _live++;
            }

            try
            {
                var created = Create();
                Interlocked.Increment(ref _created);
                return created;
            }
            catch
            {
                lock (_gate)
                {
                    _live--;
                }

                throw;
            }
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Counts how a read positioned its consumer.</summary>
    public void Record(PositionChange change)
    {
        switch (change)
        {
            case PositionChange.None:
                Interlocked.Increment(ref _continued);
                break;
            case PositionChange.Seek:
                Interlocked.Increment(ref _seeks);
                break;
            default:
                Interlocked.Increment(ref _assignments);
                break;
        }
    }

    public void Release(PooledConsumer consumer)
    {
        consumer.Deserializer.Target = null;
        consumer.LastUsed = _timeProvider.GetTimestamp();
        var close = false;
        lock (_gate)
        {
            if (_disposed || consumer.Broken)
            {
                close = true;
                _live--;
            }
            else
            {
                _idle.Add(consumer);
            }
        }

        if (close)
        {
            Close(consumer);
        }

        _slots.Release();
    }

    /// <summary>Unassigns idle consumers of a topic that was deleted (a new topic of that name starts at 0).</summary>
    public void Forget(string topic)
    {
        lock (_gate)
        {
            foreach (var consumer in _idle)
            {
                if (consumer.Assigned is { } assigned && string.Equals(assigned.Topic, topic, StringComparison.Ordinal))
                {
                    consumer.Unassign();
                }
            }
        }
    }

    public void Dispose()
    {
        List<PooledConsumer> idle;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            idle = [.. _idle];
            _live -= _idle.Count;
            _idle.Clear();
        }

        _sweeper.Dispose();
        foreach (var consumer in idle)
        {
            Close(consumer);
        }
    }

    private PooledConsumer Create()
    {
        var deserializer = new ArenaDeserializer();
        var consumer = new ConsumerBuilder<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(KafkaClientConfigs.Consumer(_options))
            .SetKeyDeserializer(deserializer)
            .SetValueDeserializer(deserializer)
            .SetErrorHandler((_, error) => _clientLog.ClientError("consumer", error))
            .SetLogHandler((_, message) => _clientLog.Forward(message))
            .Build();
        return new PooledConsumer(consumer, deserializer);
    }

    private void CloseIdle()
    {
        List<PooledConsumer>? expired = null;
        lock (_gate)
        {
            for (var i = _idle.Count - 1; i >= 0; i--)
            {
                if (_timeProvider.GetElapsedTime(_idle[i].LastUsed) >= _options.ConsumerIdleTimeout)
                {
                    (expired ??= []).Add(_idle[i]);
                    _idle.RemoveAt(i);
                    _live--;
                }
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var consumer in expired)
        {
            Close(consumer);
        }

        Log.IdleConsumersClosed(_logger, expired.Count);
    }

    private void Close(PooledConsumer consumer)
    {
        Interlocked.Increment(ref _closed);
        try
        {
            consumer.Dispose();
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            Log.ConsumerError(_logger, "Close", e.Message, 0);
        }
    }
}
