using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using KafkaKinesisBridge.Firehose.Sink.Diagnostics;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

public sealed class SinkMetricsTests
{
    [Fact]
    public async Task Worker_Delivering_RecordsFirehoseMetricsPerDeliveryStream()
    {
        const string Name = "metrics-probe";
        var totals = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SinkTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "delivery_stream", Value: Name })
                {
                    totals.AddOrUpdate(instrument.Name, value, (_, old) => old + value);
                }
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await using var sink = new SinkHarness(partitions: 1);
        var store = new FailingOnceStore(sink.Local);
        sink.Store = store;
        await sink.CreateTopicAsync("fh-metrics");
        var written = await sink.WriteAsync("fh-metrics", 40);
        await sink.StartAsync(SinkHarness.Stream("fh-metrics") with { Name = Name });
        await Eventually.UntilAsync(() => totals.GetValueOrDefault("firehose.delivery_to_s3.records") >= 40, TimeSpan.FromSeconds(30), "records counted");

        Assert.Equal(written.Sum(w => w.Length + 1), totals["firehose.delivery_to_s3.bytes"]);
        Assert.True(totals["firehose.delivery_to_s3.object_bytes"] > 0);
        Assert.True(totals["firehose.delivery_to_s3.success"] >= 1);
        Assert.True(totals.ContainsKey("firehose.delivery_to_s3.latency"));
        Assert.Equal(1, totals["firehose.delivery_to_s3.retries"]);
    }

    private sealed class FailingOnceStore(Destinations.IObjectStore inner) : Destinations.IObjectStore
    {
        private int _calls;

        public string Name => inner.Name;

        public Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new IOException("first write fails (injected)")
                : inner.PutObjectAsync(bucket, key, content, cancellationToken);
    }
}
