using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>A mock cluster and a store on it, for one test; helpers to append and read.</summary>
internal sealed class KafkaMockStore : IAsyncDisposable
{
    private KafkaMockStore(KafkaMockCluster cluster, KafkaLogStore store)
    {
        Cluster = cluster;
        Store = store;
    }

    public KafkaMockCluster Cluster { get; }

    public KafkaLogStore Store { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static KafkaMockStore Start(Action<KafkaStorageOptions>? configure = null, int brokers = 1, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null)
    {
        var options = KafkaTestOptions.ForTests();
        configure?.Invoke(options);
        var cluster = KafkaMockCluster.Start(brokers);
        return new KafkaMockStore(cluster, KafkaLogStore.ForMockCluster(cluster, options, loggerFactory));
    }

    public async Task<string> CreateTopicAsync(int partitions = 1, [System.Runtime.CompilerServices.CallerMemberName] string hint = "topic")
    {
        var name = $"{hint}-{Guid.NewGuid():N}";
        Assert.Equal(StorageStatus.Ok, await Store.CreateTopicAsync(new TopicSpec(name, partitions, TimeSpan.FromDays(1)), Ct));
        return name;
    }

    public static LogRecord Record(string key, string value) =>
        new(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public static LogRecord[] Records(string prefix, int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => Record("k", $"{prefix}-{i}"))];

    public async Task<(StorageStatus Status, AppendOutcome[] Outcomes)> AppendAsync(string topic, int partition, LogRecord[] records, CancellationToken? cancellationToken = null)
    {
        var outcomes = new AppendOutcome[records.Length];
        var status = await Store.AppendAsync(topic, partition, records, outcomes, cancellationToken ?? Ct);
        return (status, outcomes);
    }

    /// <summary>Reads [from, until) in reads of at most <paramref name="maxRecords"/>; returns the values.</summary>
    public async Task<List<string>> ReadValuesAsync(string topic, int partition, long from, long until, int maxRecords = 1000)
    {
        var values = new List<string>();
        var next = from;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (next < until)
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading {topic}/{partition} stalled at {next}");
            using var read = await Store.ReadAsync(new ReadRequest(topic, partition, next, maxRecords, 1 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            foreach (var record in read.Records.Span)
            {
                Assert.Equal(next, record.Offset);
                values.Add(Encoding.UTF8.GetString(record.Value.Span));
                next++;
            }

            Assert.Equal(next, read.NextOffset);
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Cluster.Dispose();
    }
}
