using System.Diagnostics.Metrics;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>
/// Enhanced fan-out metrics, named after Kinesis' CloudWatch metrics for SubscribeToShard
/// (SubscribeToShardEvent.Records, SubscribeToShardEvent.Bytes) plus the open subscriptions and the
/// times a subscriber was slowed by its read quota. Same meter as the other Kinesis metrics.
/// </summary>
internal sealed class FanOutMetrics
{
    // Declared first: static fields initialize in order, and the constructor uses the meter.
    private static readonly Meter SharedMeter = new(KinesisTelemetry.MeterName);

    public static readonly FanOutMetrics Shared = new();

    private readonly Counter<long> _events;
    private readonly Counter<long> _records;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _throttled;
    private readonly UpDownCounter<long> _open;

    private FanOutMetrics()
    {
        _events = SharedMeter.CreateCounter<long>("kinesis.subscribe_to_shard_event.events", "{event}", "SubscribeToShardEvent: events pushed to subscribers.");
        _records = SharedMeter.CreateCounter<long>("kinesis.subscribe_to_shard_event.records", "{record}", "SubscribeToShardEvent.Records: records pushed to subscribers.");
        _bytes = SharedMeter.CreateCounter<long>("kinesis.subscribe_to_shard_event.bytes", "By", "SubscribeToShardEvent.Bytes: bytes pushed to subscribers.");
        _throttled = SharedMeter.CreateCounter<long>("kinesis.subscribe_to_shard.throttled", "{wait}", "Times a subscription waited for its consumer's 2 MiB/s read quota.");
        _open = SharedMeter.CreateUpDownCounter<long>("kinesis.subscribe_to_shard.open", "{subscription}", "SubscribeToShard subscriptions open on this replica.");
    }

    public void Opened() => _open.Add(1);

    public void Closed() => _open.Add(-1);

    public void Throttled() => _throttled.Add(1);

    public void Event(int records, long bytes)
    {
        _events.Add(1);
        if (records > 0)
        {
            _records.Add(records);
            _bytes.Add(bytes);
        }
    }
}
