using System.IO.Compression;
using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

/// <summary>
/// The sink worker on an embedded log in a temp directory, delivering to a local directory: a test
/// writes records to the delivery stream's topic, as the Firehose API's PutRecordBatch does.
/// </summary>
internal sealed class SinkHarness : IAsyncDisposable
{
    public const string Bucket = "archive";
    private readonly TempDirectory _directory = new("kkb-sink");
    private SinkWorker? _worker;

    public SinkHarness(int partitions = 2)
    {
        Log = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = Path.Combine(_directory.Path, "log") });
        Local = new LocalDirectoryObjectStore(Path.Combine(_directory.Path, "objects"), fsync: false);
        Store = Local;
        Checkpoints = new FileCheckpointStore(Path.Combine(_directory.Path, "checkpoints"), fsync: false);
        Partitions = partitions;
    }

    public EmbeddedLogStore Log { get; }

    public LocalDirectoryObjectStore Local { get; }

    public IObjectStore Store { get; set; }

    public ISinkCheckpointStore Checkpoints { get; set; }

    public int Partitions { get; }

    public StaticDeliveryStreamProvider Provider { get; } = new();

    public SinkOptions Options { get; } = new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        RetryMaxDelay = TimeSpan.FromMilliseconds(20),
        RestartDelay = TimeSpan.FromMilliseconds(10),
        CatalogPollInterval = TimeSpan.FromMilliseconds(20),
        MaxPollWait = TimeSpan.FromMilliseconds(20),
        IdlePollDelay = TimeSpan.FromMilliseconds(5),
    };

    public static SinkDeliveryStream Stream(string topic, Func<SinkDestination, SinkDestination>? configure = null, long version = 1)
    {
        var destination = new SinkDestination { Bucket = Bucket, BufferIntervalInSeconds = 0 };
        return new SinkDeliveryStream("orders", version, new SinkSourceSpec(SinkSourceKind.DirectPut, topic), configure?.Invoke(destination) ?? destination);
    }

    public async Task CreateTopicAsync(string topic) =>
        Assert.Equal(StorageStatus.Ok, await Log.CreateTopicAsync(new TopicSpec(topic, Partitions, Timeout.InfiniteTimeSpan), CancellationToken.None));

    /// <summary>Appends records "prefix-i" round-robin over the partitions; returns them.</summary>
    public async Task<List<string>> WriteAsync(string topic, int count, string prefix = "r")
    {
        var written = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = $"{prefix}-{i}";
            var outcomes = new AppendOutcome[1];
            var status = await Log.AppendAsync(
                topic, i % Partitions, new[] { new LogRecord(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(text + "\n"), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) }, outcomes, CancellationToken.None);
            Assert.Equal(StorageStatus.Ok, status);
            written.Add(text);
        }

        return written;
    }

    public async Task StartAsync(params SinkDeliveryStream[] streams)
    {
        Provider.Set(streams);
        _worker = new SinkWorker(
            Provider,
            new LogStoreSinkSourceFactory(Log, Checkpoints, Options, TimeProvider.System),
            Store,
            Microsoft.Extensions.Options.Options.Create(Options));
        await _worker.StartAsync(CancellationToken.None);
    }

    public async Task StopAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync(CancellationToken.None);
            _worker.Dispose();
            _worker = null;
        }
    }

    /// <summary>Every record line of every object (decompressed by extension), with the object keys.</summary>
    public List<(string Key, string Line)> ReadLines()
    {
        var lines = new List<(string, string)>();
        foreach (var key in Local.ListKeys(Bucket))
        {
            var bytes = File.ReadAllBytes(Local.PathOf(Bucket, key));
            if (key.EndsWith(".gz", StringComparison.Ordinal))
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                var output = new MemoryStream();
                gzip.CopyTo(output);
                bytes = output.ToArray();
            }

            foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                lines.Add((key, line));
            }
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Log.DisposeAsync();
        _directory.Dispose();
    }
}
