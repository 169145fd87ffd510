using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>An embedded store in a temporary directory with a manual clock, for the embedded-specific tests.</summary>
internal sealed class EmbeddedHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("kkb-embedded");

    public EmbeddedHarness(Action<EmbeddedLogOptions>? configure = null)
    {
        Options = new EmbeddedLogOptions
        {
            DataDirectory = _directory.Path,
            SegmentBytes = 64 * 1024,
            IndexIntervalBytes = 256,
            RetentionCheckInterval = TimeSpan.FromMinutes(1),
        };
        configure?.Invoke(Options);
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public EmbeddedLogOptions Options { get; }

    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public string DataDirectory => _directory.Path;

    public EmbeddedLogStore? Store { get; private set; }

    public long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public EmbeddedLogStore Open()
    {
        Store = EmbeddedLogStore.Open(Options, timeProvider: Clock);
        return Store;
    }

    public async Task<EmbeddedLogStore> ReopenAsync()
    {
        await CloseAsync();
        return Open();
    }

    public async Task CloseAsync()
    {
        if (Store is not null)
        {
            await Store.DisposeAsync();
            Store = null;
        }
    }

    public string PartitionDirectory(string topic, int partition) =>
        Path.Combine(_directory.Path, "topics", topic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The partition's segment log files, oldest first.</summary>
    public string[] SegmentFiles(string topic, int partition = 0) =>
        [.. Directory.GetFiles(PartitionDirectory(topic, partition), "*.log").Order(StringComparer.Ordinal)];

    public async Task<string> CreateTopicAsync(string name = "t", int partitions = 1, TimeSpan? retention = null)
    {
        Assert.Equal(StorageStatus.Ok, await Store!.CreateTopicAsync(new TopicSpec(name, partitions, retention ?? Timeout.InfiniteTimeSpan), Ct));
        return name;
    }

    public LogRecord Record(string value, long? timestampMs = null) =>
        new(Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes(value), timestampMs ?? NowMs);

    public async Task<long[]> AppendAsync(string topic, int partition, params LogRecord[] records)
    {
        var outcomes = new AppendOutcome[records.Length];
        Assert.Equal(StorageStatus.Ok, await Store!.AppendAsync(topic, partition, records, outcomes, Ct));
        return [.. outcomes.Select(o => o.Offset)];
    }

    /// <summary>Appends <paramref name="count"/> records with values "v0", "v1", ... in batches of <paramref name="batch"/>.</summary>
    public async Task AppendValuesAsync(string topic, int partition, int from, int count, int batch = 1, int padding = 100, long? timestampMs = null)
    {
        for (var start = from; start < from + count; start += batch)
        {
            var size = Math.Min(batch, from + count - start);
            await AppendAsync(topic, partition, [.. Enumerable.Range(start, size).Select(i => Record(Value(i, padding), timestampMs))]);
        }
    }

    public static string Value(int i, int padding = 100) => $"v{i}:" + new string('x', padding);

    /// <summary>Reads everything from <paramref name="from"/> to the high watermark (every read returns records on the embedded log).</summary>
    public async Task<List<(long Offset, string Value, long TimestampMs)>> ReadAllAsync(string topic, int partition = 0, long from = 0, int maxRecords = 1000)
    {
        var records = new List<(long, string, long)>();
        var next = from;
        while (true)
        {
            using var read = await Store!.ReadAsync(new ReadRequest(topic, partition, next, maxRecords, 64 * 1024 * 1024), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            if (read.Records.IsEmpty)
            {
                return records;
            }

            foreach (var record in read.Records.Span)
            {
                records.Add((record.Offset, Encoding.UTF8.GetString(record.Value.Span), record.TimestampMs));
            }

            next = read.NextOffset;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _directory.Dispose();
    }
}
