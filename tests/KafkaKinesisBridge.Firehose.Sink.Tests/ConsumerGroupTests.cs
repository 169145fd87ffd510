using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Kafka;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

/// <summary>
/// Scale-out on the Kafka backend (librdkafka's mock cluster speaks the group protocol): two sink
/// workers, as two processes would, share a delivery stream's partitions through its consumer
/// group; one joins while records flow, then the other leaves. No record is lost or delivered twice
/// across the rebalances.
/// </summary>
public sealed class ConsumerGroupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ConsumerGroup_WorkerJoinsThenOtherLeaves_EveryRecordInExactlyOneObject()
    {
        using var cluster = KafkaMockCluster.Start();
        const string Topic = "fh-group";
        Assert.Equal(Confluent.Kafka.ErrorCode.NoError, cluster.CreateTopic(Topic, 4));
        await using var log = KafkaLogStore.ForMockCluster(cluster);
        using var directory = new TempDirectory("kkb-sink-group");
        var local = new LocalDirectoryObjectStore(directory.Path, fsync: false);
        var stream = new SinkDeliveryStream("group-stream", 1, new SinkSourceSpec(SinkSourceKind.DirectPut, Topic), new SinkDestination { Bucket = "group", BufferIntervalInSeconds = 0 });
        var options = new SinkOptions { MaxPollWait = TimeSpan.FromMilliseconds(50), CatalogPollInterval = TimeSpan.FromMilliseconds(50), RestartDelay = TimeSpan.FromMilliseconds(100) };
        var factory = new ConsumerGroupSinkSourceFactory(new ConsumerGroupOptions { BootstrapServers = cluster.BootstrapServers, SessionTimeout = TimeSpan.FromSeconds(6) }, options);
        var storeA = new CountingStore(local);
        var storeB = new CountingStore(local);
        using var workerA = new SinkWorker(new StaticDeliveryStreamProvider(stream), factory, storeA, Options.Create(options));
        using var workerB = new SinkWorker(new StaticDeliveryStreamProvider(stream), factory, storeB, Options.Create(options));
        var written = new List<string>();

        await workerA.StartAsync(CancellationToken.None);
        written.AddRange(await WriteAsync(log, Topic, "a", 200));
        await Eventually.UntilAsync(() => Lines(local).Count >= written.Count, Patience, "worker A alone delivers");

        await workerB.StartAsync(CancellationToken.None);
        for (var round = 0; storeB.Puts == 0; round++)
        {
            Assert.True(round < 600, "worker B never got a partition");
            written.AddRange(await WriteAsync(log, Topic, $"b{round}", 8));
            await Task.Yield();
            await Eventually.UntilAsync(() => Lines(local).Count >= written.Count || storeB.Puts > 0, Patience, "delivered while B joins");
        }

        await workerA.StopAsync(CancellationToken.None);
        written.AddRange(await WriteAsync(log, Topic, "c", 200));
        await Eventually.UntilAsync(() => Lines(local).Count >= written.Count, Patience, "worker B takes every partition after A leaves");
        await workerB.StopAsync(CancellationToken.None);

        var lines = Lines(local);
        var duplicates = lines.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).Take(5).ToList();
        Assert.True(duplicates.Count == 0, "delivered twice: " + string.Join(", ", duplicates));
        Assert.Equal(written.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
        Assert.True(storeA.Puts > 0 && storeB.Puts > 0);
    }

    private static async Task<List<string>> WriteAsync(ILogStore log, string topic, string prefix, int count)
    {
        var written = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = $"{prefix}-{i}";
            var outcomes = new AppendOutcome[1];
            Assert.Equal(StorageStatus.Ok, await log.AppendAsync(
                topic, i % 4, new[] { new LogRecord(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(text + "\n"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) }, outcomes, CancellationToken.None));
            written.Add(text);
        }

        return written;
    }

    private static List<string> Lines(LocalDirectoryObjectStore local) =>
        [.. local.ListKeys("group").SelectMany(k => File.ReadAllText(local.PathOf("group", k)).Split('\n', StringSplitOptions.RemoveEmptyEntries))];

    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private int _puts;

        public string Name => inner.Name;

        public int Puts => Volatile.Read(ref _puts);

        public async Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await inner.PutObjectAsync(bucket, key, content, cancellationToken);
            Interlocked.Increment(ref _puts);
        }
    }
}
