using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Quotas;

namespace KafkaKinesisBridge.Core.Streams.FanOut;

/// <summary>
/// The subscriptions this replica serves, one per consumer and shard (Kinesis API reference,
/// SubscribeToShard: "If you call SubscribeToShard again with the same ConsumerARN and ShardId within
/// 5 seconds of a successful call, you'll get a ResourceInUseException. If you call SubscribeToShard 5
/// seconds or more after a successful call, the second call takes over the subscription and the
/// previous connection expires or fails with a ResourceInUseException.").
/// </summary>
/// <remarks>Enforced per replica: two replicas can each serve one subscription of the same pair.</remarks>
internal sealed class SubscriptionRegistry(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string ConsumerArn, int Shard), ActiveSubscription> _active = [];
    private readonly Dictionary<(string ConsumerArn, int Shard), FanOutQuota> _quotas = [];

    /// <summary>Subscriptions open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>
    /// Installs a subscription for (<paramref name="consumerArn"/>, <paramref name="shard"/>): refused
    /// with ResourceInUseException when the current one started less than <paramref name="takeoverAfter"/>
    /// ago; otherwise the current one ends with ResourceInUseException and this one takes its place
    /// (and its read quota, so resubscribing does not reset the consumer's throughput).
    /// </summary>
    public ActiveSubscription Open(string consumerArn, int shard, string shardId, TimeSpan takeoverAfter, Func<FanOutQuota> newQuota)
    {
        var now = time.GetTimestamp();
        ActiveSubscription? replaced = null;
        ActiveSubscription created;
        lock (_gate)
        {
            var key = (consumerArn, shard);
            if (_active.TryGetValue(key, out var current))
            {
                if (time.GetElapsedTime(current.StartedAt, now) < takeoverAfter)
                {
                    throw new KinesisException(
                        KinesisErrorCode.ResourceInUse,
                        $"Another active subscription exists for consumer {consumerArn} on shard {shardId}; a new one can take over 5 seconds after it started.");
                }

                replaced = current;
            }

            if (!_quotas.TryGetValue(key, out var quota))
            {
                quota = newQuota();
                _quotas[key] = quota;
            }

            created = new ActiveSubscription(consumerArn, shard, now, quota);
            _active[key] = created;
        }

        replaced?.End(new KinesisException(
            KinesisErrorCode.ResourceInUse,
            $"Another SubscribeToShard call for consumer {consumerArn} on shard {shardId} took over this subscription."));
        return created;
    }

    /// <summary>Forgets a subscription that ended (unless another already replaced it).</summary>
    public void Remove(ActiveSubscription subscription)
    {
        lock (_gate)
        {
            var key = (subscription.ConsumerArn, subscription.Shard);
            if (_active.TryGetValue(key, out var current) && ReferenceEquals(current, subscription))
            {
                _active.Remove(key);
            }
        }
    }

    /// <summary>Ends every subscription of a consumer (deregistered) and drops its quotas.</summary>
    public void EndConsumer(string consumerArn, KinesisException reason)
    {
        List<ActiveSubscription> ending = [];
        lock (_gate)
        {
            foreach (var (key, subscription) in _active)
            {
                if (string.Equals(key.ConsumerArn, consumerArn, StringComparison.Ordinal))
                {
                    ending.Add(subscription);
                }
            }

            foreach (var key in _quotas.Keys.Where(k => string.Equals(k.ConsumerArn, consumerArn, StringComparison.Ordinal)).ToList())
            {
                _quotas.Remove(key);
            }
        }

        foreach (var subscription in ending)
        {
            subscription.End(reason);
        }
    }
}

/// <summary>One open subscription: what ends it, and its consumer's read quota on the shard.</summary>
internal sealed class ActiveSubscription(string consumerArn, int shard, long startedAt, FanOutQuota quota)
{
    private readonly CancellationTokenSource _stop = new();
    private KinesisException? _endedBy;

    public string ConsumerArn { get; } = consumerArn;

    public int Shard { get; } = shard;

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the subscription.</summary>
    public long StartedAt { get; } = startedAt;

    public FanOutQuota Quota { get; } = quota;

    /// <summary>Fires when the subscription must stop (client gone, takeover, consumer deregistered).</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Why the server ended it; null when the client went away.</summary>
    public KinesisException? EndedBy => Volatile.Read(ref _endedBy);

    /// <summary>Ends the subscription with an error its client sees.</summary>
    public void End(KinesisException reason)
    {
        Interlocked.CompareExchange(ref _endedBy, reason, null);
        Stop();
    }

    /// <summary>Ends the subscription quietly (the client went away).</summary>
    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>
/// A consumer's read quota on one shard: <see cref="ShardQuotaOptions.SubscriptionReadBytesPerSecond"/>
/// as a token bucket with one second of burst. A subscription at the limit waits for the bucket to
/// refill (its client simply receives records later), as enhanced fan-out throughput is per consumer.
/// </summary>
internal sealed class FanOutQuota(long bytesPerSecond, TimeProvider time)
{
    private readonly Lock _gate = new();
    private TokenBucket _bucket = new(bytesPerSecond, time.GetTimestamp());

    /// <summary>Bytes that may be read now (at least 1 when not in debt), or 0 with the time until there are.</summary>
    public long Available(out TimeSpan wait)
    {
        lock (_gate)
        {
            _bucket.Refill(time.GetTimestamp(), time.TimestampFrequency);
            var tokens = _bucket.Tokens;
            if (tokens >= 1)
            {
                wait = TimeSpan.Zero;
                return (long)tokens;
            }

            wait = TimeSpan.FromSeconds((1 - tokens) / bytesPerSecond);
            return 0;
        }
    }

    /// <summary>Charges bytes pushed to the client.</summary>
    public void Charge(long bytes)
    {
        lock (_gate)
        {
            _bucket.Take(bytes);
        }
    }
}
