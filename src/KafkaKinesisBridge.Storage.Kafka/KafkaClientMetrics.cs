using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>
/// The producer's librdkafka statistics (STATISTICS.md of librdkafka: the JSON emitted every
/// <c>statistics.interval.ms</c>) as gauges and counters of the <see cref="MeterName"/> meter, tagged
/// with the client's instance name (and the broker for round-trip times). The last report is kept and
/// read when metrics are collected; nothing runs per record.
/// </summary>
public sealed class KafkaClientMetrics : IDisposable
{
    /// <summary>The meter of the Kafka client metrics.</summary>
    public const string MeterName = "KafkaKinesisBridge.Kafka";

    // One meter for the process, never disposed (see the core's StreamsMetrics): its instruments
    // report every live producer's last statistics.
    private static readonly Meter SharedMeter = new(MeterName);
    private static readonly ConcurrentDictionary<KafkaClientMetrics, bool> Live = new();

    private volatile Snapshot? _last;

    static KafkaClientMetrics()
    {
        SharedMeter.CreateObservableGauge("kafka.client.queue.messages", () => Observe(s => s.MessageCount), "{message}", "msg_cnt: messages waiting in the producer's queues.");
        SharedMeter.CreateObservableGauge("kafka.client.queue.bytes", () => Observe(s => s.MessageBytes), "By", "msg_size: bytes waiting in the producer's queues.");
        SharedMeter.CreateObservableCounter("kafka.client.tx.messages", () => Observe(s => s.TxMessages), "{message}", "txmsgs: messages sent to brokers.");
        SharedMeter.CreateObservableCounter("kafka.client.tx.bytes", () => Observe(s => s.TxBytes), "By", "tx_bytes: bytes sent to brokers.");
        SharedMeter.CreateObservableCounter("kafka.client.rx.bytes", () => Observe(s => s.RxBytes), "By", "rx_bytes: bytes received from brokers.");
        SharedMeter.CreateObservableCounter("kafka.client.tx.requests", () => Observe(s => s.TxRequests), "{request}", "tx: requests sent to brokers.");
        SharedMeter.CreateObservableGauge("kafka.client.broker.rtt.avg", ObserveRtt, "s", "Broker round-trip time (average over the last statistics window).");
    }

    internal KafkaClientMetrics() => Live[this] = true;

    /// <summary>Statistics reports parsed so far.</summary>
    public long Reports { get; private set; }

    /// <summary>Takes one statistics report (librdkafka's background thread).</summary>
    internal void OnStatistics(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var name = root.TryGetProperty("name", out var n) ? n.GetString() ?? "producer" : "producer";
            var brokers = new List<(string Broker, double RttSeconds)>();
            if (root.TryGetProperty("brokers", out var brokerMap) && brokerMap.ValueKind == JsonValueKind.Object)
            {
                foreach (var broker in brokerMap.EnumerateObject())
                {
                    // Bootstrap entries (nodeid -1) are not real brokers; rtt is in microseconds.
                    if (broker.Value.TryGetProperty("nodeid", out var id) && id.GetInt32() >= 0
                        && broker.Value.TryGetProperty("rtt", out var rtt) && rtt.TryGetProperty("avg", out var avg))
                    {
                        brokers.Add((broker.Name, avg.GetInt64() / 1_000_000.0));
                    }
                }
            }

            _last = new Snapshot(
                [new("client", name)],
                Long(root, "msg_cnt"),
                Long(root, "msg_size"),
                Long(root, "txmsgs"),
                Long(root, "tx_bytes"),
                Long(root, "rx_bytes"),
                Long(root, "tx"),
                brokers);
            Reports++;
        }
        catch (JsonException)
        {
            // A malformed report is skipped; the next one replaces it.
        }
    }

    /// <inheritdoc />
    public void Dispose() => Live.TryRemove(this, out _);

    private static long Long(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : 0;

    private static IEnumerable<Measurement<long>> Observe(Func<Snapshot, long> value) =>
        [.. Live.Keys.Select(m => m._last).OfType<Snapshot>().Select(last => new Measurement<long>(value(last), last.Tags))];

    private static IEnumerable<Measurement<double>> ObserveRtt() =>
        [.. Live.Keys.Select(m => m._last).OfType<Snapshot>()
            .SelectMany(last => last.Brokers.Select(b => new Measurement<double>(b.RttSeconds, last.Tags[0], new KeyValuePair<string, object?>("broker", b.Broker))))];

    private sealed record Snapshot(
        KeyValuePair<string, object?>[] Tags,
        long MessageCount,
        long MessageBytes,
        long TxMessages,
        long TxBytes,
        long RxBytes,
        long TxRequests,
        List<(string Broker, double RttSeconds)> Brokers);
}
