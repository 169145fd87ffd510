using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

public sealed partial class SinkWorkerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Worker_DirectPutTopic_EveryRecordInExactlyOneGzipObject()
    {
        await using var sink = new SinkHarness();
        await sink.CreateTopicAsync("fh-orders");
        var written = await sink.WriteAsync("fh-orders", 500);
        await sink.StartAsync(SinkHarness.Stream("fh-orders", d => d with { Compression = SinkCompressionFormat.Gzip }));
        written.AddRange(await sink.WriteAsync("fh-orders", 500, "s"));

        await Eventually.UntilAsync(() => sink.ReadLines().Count >= written.Count, Patience, "all records delivered");
        await sink.StopAsync();

        var lines = sink.ReadLines();
        Assert.Equal(written.Order(StringComparer.Ordinal), lines.Select(l => l.Line).Order(StringComparer.Ordinal));
        Assert.All(lines, l => Assert.Matches(KeyPattern(), l.Key));
        var checkpoints = await sink.Checkpoints.LoadAsync("orders", "fh-orders", CancellationToken.None);
        Assert.Equal(2, checkpoints.Count);
        Assert.Equal(1000, checkpoints.Values.Sum());
    }

    [Fact]
    public async Task Worker_RecordsOfOnePartition_KeepTheirOrderAcrossObjects()
    {
        await using var sink = new SinkHarness(partitions: 1);
        await sink.CreateTopicAsync("fh-order");
        await sink.StartAsync(SinkHarness.Stream("fh-order"));
        var written = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            written.AddRange(await sink.WriteAsync("fh-order", 50, $"b{round}"));
        }

        await Eventually.UntilAsync(() => sink.ReadLines().Count >= written.Count, Patience, "all records delivered");
        // Keys sort by time then by id, so order objects by their first offset: the checkpoints grow.
        var lines = sink.ReadLines();
        Assert.Equal(written.Count, lines.Count);
        Assert.Equal(written.Order(StringComparer.Ordinal), lines.Select(l => l.Line).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Worker_SizeHintReached_DeliversBeforeTheInterval()
    {
        await using var sink = new SinkHarness(partitions: 1);
        await sink.CreateTopicAsync("fh-size");
        // 1 MiB size hint, 900 s interval: only size can deliver within the test.
        await sink.StartAsync(SinkHarness.Stream("fh-size", d => d with { BufferSizeInMBs = 1, BufferIntervalInSeconds = 900 }));
        var big = new string('x', 100_000);
        var written = await sink.WriteAsync("fh-size", 25, big);

        await Eventually.UntilAsync(() => sink.Local.ListKeys(SinkHarness.Bucket).Count >= 2, Patience, "two 1 MiB objects");
        var sizes = sink.Local.ListKeys(SinkHarness.Bucket).Select(k => new FileInfo(sink.Local.PathOf(SinkHarness.Bucket, k)).Length).ToList();
        Assert.All(sizes, s => Assert.InRange(s, 1024 * 1024, (1024 * 1024) + 100_100));

        // Stopping delivers the rest (the third, partial buffer).
        await sink.StopAsync();
        Assert.Equal(written.Count, sink.ReadLines().Count);
    }

    [Fact]
    public async Task Worker_IntervalHint_DeliversAfterTheInterval()
    {
        await using var sink = new SinkHarness(partitions: 1);
        await sink.CreateTopicAsync("fh-interval");
        await sink.StartAsync(SinkHarness.Stream("fh-interval", d => d with { BufferIntervalInSeconds = 1 }));
        var started = DateTimeOffset.UtcNow;
        await sink.WriteAsync("fh-interval", 10);
        await Eventually.UntilAsync(() => sink.ReadLines().Count == 10, Patience, "delivered after the interval");
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(0.9));
        Assert.Single(sink.Local.ListKeys(SinkHarness.Bucket));
    }

    [Fact]
    public async Task Worker_CommitFailsAfterTheWrite_RedeliveryOverwritesTheSameKey()
    {
        await using var sink = new SinkHarness(partitions: 1);
        var checkpoints = new FlakyCheckpoints(sink.Checkpoints, failures: 3);
        sink.Checkpoints = checkpoints;
        var store = new CountingStore(sink.Local);
        sink.Store = store;
        await sink.CreateTopicAsync("fh-crash");
        var written = await sink.WriteAsync("fh-crash", 100);
        await sink.StartAsync(SinkHarness.Stream("fh-crash"));

        await Eventually.UntilAsync(() => checkpoints.Saved > 0 && sink.ReadLines().Count >= written.Count, Patience, "delivered after failed commits");
        await sink.StopAsync();

        // Each failed commit restarted the pipeline from the old checkpoint: the same object was
        // written again under the same key, never a second copy.
        Assert.True(store.Puts > sink.Local.ListKeys(SinkHarness.Bucket).Count);
        Assert.Equal(written.Order(StringComparer.Ordinal), sink.ReadLines().Select(l => l.Line).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Worker_StoreDownForAWhile_RetriesAndDelivers()
    {
        await using var sink = new SinkHarness(partitions: 1);
        var store = new CountingStore(sink.Local) { FailuresLeft = 5 };
        sink.Store = store;
        await sink.CreateTopicAsync("fh-retry");
        var written = await sink.WriteAsync("fh-retry", 20);
        await sink.StartAsync(SinkHarness.Stream("fh-retry"));

        await Eventually.UntilAsync(() => sink.ReadLines().Count >= written.Count, Patience, "delivered after retries");
        Assert.Equal(0, store.FailuresLeft);
        Assert.DoesNotContain(sink.Local.ListKeys(SinkHarness.Bucket), k => k.Contains("delivery-failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Worker_StoreRefusesPastTheRetryDuration_RecordsGoToTheErrorPrefix()
    {
        await using var sink = new SinkHarness(partitions: 1);
        var store = new CountingStore(sink.Local) { RefuseUnless = "failed/" };
        sink.Store = store;
        await sink.CreateTopicAsync("fh-error");
        var written = await sink.WriteAsync("fh-error", 3);
        await sink.StartAsync(SinkHarness.Stream("fh-error", d => d with
        {
            RetryDuration = TimeSpan.FromSeconds(1),
            Prefix = "ok/!{timestamp:yyyy}/",
            ErrorOutputPrefix = "failed/!{firehose:error-output-type}/",
        }));

        await Eventually.UntilAsync(() => sink.Local.ListKeys(SinkHarness.Bucket).Count > 0, Patience, "error object written");
        var key = Assert.Single(sink.Local.ListKeys(SinkHarness.Bucket));
        Assert.StartsWith("failed/delivery-failed/orders-1-", key, StringComparison.Ordinal);
        var records = File.ReadAllLines(sink.Local.PathOf(SinkHarness.Bucket, key))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        Assert.Equal(written.Select(w => w + "\n"), records.Select(r => System.Text.Encoding.UTF8.GetString(r.GetProperty("rawData").GetBytesFromBase64())));
        Assert.All(records, r => Assert.StartsWith("S3.", r.GetProperty("errorCode").GetString(), StringComparison.Ordinal));
        Assert.True(store.Refused > 1, $"refused {store.Refused}, puts {store.Puts}");
    }

    [Fact]
    public async Task Worker_NewVersion_RestartsWithTheNewConfiguration()
    {
        await using var sink = new SinkHarness(partitions: 1);
        await sink.CreateTopicAsync("fh-version");
        await sink.StartAsync(SinkHarness.Stream("fh-version"));
        await sink.WriteAsync("fh-version", 5, "v1");
        await Eventually.UntilAsync(() => sink.ReadLines().Count == 5, Patience, "version 1 delivered");

        sink.Provider.Set(SinkHarness.Stream("fh-version", d => d with { Prefix = "v2/", Compression = SinkCompressionFormat.Gzip }, version: 2));
        await Eventually.UntilAsync(async () => { await sink.WriteAsync("fh-version", 1, "probe"); return sink.ReadLines().Any(l => l.Key.StartsWith("v2/", StringComparison.Ordinal)); }, Patience, "version 2 delivering");

        Assert.All(sink.ReadLines().Where(l => l.Line.StartsWith("v1", StringComparison.Ordinal)), l => Assert.Contains("orders-1-", l.Key, StringComparison.Ordinal));
        Assert.All(sink.ReadLines().Where(l => l.Key.StartsWith("v2/", StringComparison.Ordinal)), l => Assert.Matches(@"^v2/\d{4}/\d\d/\d\d/\d\d/orders-2-.*\.gz$", l.Key));
    }

    [Fact]
    public async Task Worker_InvalidDeliveryStream_NotRun()
    {
        await using var sink = new SinkHarness(partitions: 1);
        await sink.CreateTopicAsync("fh-invalid");
        await sink.WriteAsync("fh-invalid", 1);
        await sink.StartAsync(SinkHarness.Stream("fh-invalid", d => d with { BufferSizeInMBs = 0 }), SinkHarness.Stream("fh-invalid") with { Name = "ok" });
        await Eventually.UntilAsync(() => sink.ReadLines().Count == 1, Patience, "the valid stream delivers");
        Assert.All(sink.Local.ListKeys(SinkHarness.Bucket), k => Assert.Contains("/ok-1-", k, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2}/\d{2}/orders-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$")]
    private static partial Regex KeyPattern();

    private sealed class FlakyCheckpoints(ISinkCheckpointStore inner, int failures) : ISinkCheckpointStore
    {
        private int _failures = failures;

        public int Saved { get; private set; }

        public ValueTask<IReadOnlyDictionary<int, long>> LoadAsync(string deliveryStream, string topic, CancellationToken cancellationToken) =>
            inner.LoadAsync(deliveryStream, topic, cancellationToken);

        public async ValueTask SaveAsync(string deliveryStream, string topic, int partition, long nextOffset, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _failures) >= 0)
            {
                throw new IOException("checkpoint disk full (injected)");
            }

            await inner.SaveAsync(deliveryStream, topic, partition, nextOffset, cancellationToken);
            Saved++;
        }

        public ValueTask DeleteAsync(string deliveryStream, CancellationToken cancellationToken) => inner.DeleteAsync(deliveryStream, cancellationToken);
    }

    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private int _puts;
        private int _refused;
        private int _failuresLeft;

        public string Name => "counting";

        public int Puts => Volatile.Read(ref _puts);

        public int Refused => Volatile.Read(ref _refused);

        public int FailuresLeft { get => Volatile.Read(ref _failuresLeft); init => _failuresLeft = value; }

        public string? RefuseUnless { get; init; }

        public Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _puts);
            if (Interlocked.Decrement(ref _failuresLeft) >= 0 || (RefuseUnless is not null && !key.StartsWith(RefuseUnless, StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _refused);
                throw new IOException("store unavailable (injected)");
            }

            Interlocked.Exchange(ref _failuresLeft, 0);
            return inner.PutObjectAsync(bucket, key, content, cancellationToken);
        }
    }
}
