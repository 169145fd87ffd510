using Confluent.Kafka;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Kafka.Benchmarking;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

public sealed class KafkaMockClusterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_ThreeBrokers_ServeTheKafkaProtocolToAPlainClient()
    {
        using var cluster = KafkaMockCluster.Start(brokers: 3);
        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
        Assert.Equal(ErrorCode.NoError, cluster.CreateTopic("plain", partitions: 2, replicationFactor: 3));
        Assert.Equal(ErrorCode.TopicAlreadyExists, cluster.CreateTopic("plain", partitions: 2));

        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var delivered = await producer.ProduceAsync(new TopicPartition("plain", 1), new Message<Null, string> { Value = "hello" }, Ct);

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Equal(0, delivered.Offset.Value);
    }

    [Fact]
    public void DeleteTopic_UnknownTopic_ReportsUnknownTopic()
    {
        using var cluster = KafkaMockCluster.Start();

        Assert.Equal(ErrorCode.UnknownTopicOrPart, cluster.DeleteTopic("never-created"));
        Assert.Equal(ErrorCode.NoError, cluster.CreateTopic("t", 1));
        Assert.Equal(ErrorCode.NoError, cluster.DeleteTopic("t"));
    }

    [Fact]
    public void Dispose_Twice_IsHarmlessAndLaterCallsThrow()
    {
        var cluster = KafkaMockCluster.Start();
        cluster.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("t", 1));
    }

    [Fact]
    public async Task BareProducerBenchmark_OnMockCluster_WritesEveryRecord()
    {
        using var cluster = KafkaMockCluster.Start();
        cluster.CreateTopic("bench", partitions: 2);
        using var benchmark = new BareProducerBenchmark(new KafkaStorageOptions { BootstrapServers = cluster.BootstrapServers });

        var result = await benchmark.RunAsync(new BareProducerRun("bench", Batches: 6, RecordsPerBatch: 500, RecordBytes: 100, Partitions: 2, Concurrency: 3), Ct);

        Assert.Equal(3000, result.Records);
        Assert.Equal(0, result.Failed);
        Assert.Equal(3000 * (100 + "pk-0000".Length), result.Bytes);
        Assert.True(result.BatchLatencyP50 <= result.BatchLatencyP99 && result.BatchLatencyP99 <= result.BatchLatencyMax);
        Assert.True(result.RecordsPerSecond > 0);
        await using var store = KafkaLogStore.ForMockCluster(cluster);
        Assert.Equal(1500, (await store.GetOffsetsAsync("bench", 0, Ct)).Offsets.HighWatermark);
        Assert.Equal(1500, (await store.GetOffsetsAsync("bench", 1, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task BareProducerBenchmark_ProduceBatch_SpreadsRecordsOverPartitionsAndAcknowledgesAll()
    {
        using var cluster = KafkaMockCluster.Start();
        cluster.CreateTopic("direct", partitions: 4);
        using var benchmark = new BareProducerBenchmark(new KafkaStorageOptions { BootstrapServers = cluster.BootstrapServers });
        var keys = Enumerable.Range(0, 10).Select(i => System.Text.Encoding.UTF8.GetBytes($"pk-{i}")).ToArray();
        var values = Enumerable.Range(0, 10).Select(_ => new byte[100]).ToArray();

        var acknowledged = await benchmark.ProduceBatchAsync("direct", partitions: 4, firstPartition: 1, keys, values, Ct);

        Assert.Equal(10, acknowledged);
        await using var store = KafkaLogStore.ForMockCluster(cluster);
        // Record i went to partition (1 + i) % 4: partitions 1 and 2 got three records, 3 and 0 two.
        long[] expected = [2, 3, 3, 2];
        for (var p = 0; p < 4; p++)
        {
            Assert.Equal(expected[p], (await store.GetOffsetsAsync("direct", p, Ct)).Offsets.HighWatermark);
        }
    }
}
