using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using KafkaKinesisBridge.Core;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Streams;
using Microsoft.Extensions.Options;

// The core's share of PutRecords: 500 records of 100 bytes with random partition keys, over a storage
// port that only assigns offsets (so what is measured is routing, MD5, grouping, quota bookkeeping and
// results, not storage). Reports ns/record and bytes allocated per record, single caller and 8 callers.
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var shards = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4;
const int BatchSize = 500;

// "metrics" as the third argument listens to the core's meter (as an exporter would), to measure
// what recording the Kinesis metrics costs the hot path.
using var listener = new MeterListener();
long measurements = 0;
if (args.Length > 2 && args[2] == "metrics")
{
    listener.InstrumentPublished = (instrument, l) =>
    {
        if (instrument.Meter.Name == KafkaKinesisBridge.Core.Diagnostics.KinesisTelemetry.MeterName)
        {
            l.EnableMeasurementEvents(instrument);
        }
    };
    listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measurements, 1));
    listener.SetMeasurementEventCallback<double>((_, value, _, _) => Interlocked.Add(ref measurements, 1));
    listener.Start();
}

await using var store = new OffsetOnlyLogStore();
var options = Options.Create(new KinesisStreamsOptions { Quotas = { Enabled = false } });
var service = new StreamsService(store, options, TimeProvider.System);
await service.StartAsync(CancellationToken.None);
await service.CreateStreamAsync(new CreateStreamRequest { StreamName = "bench", ShardCount = shards }, CancellationToken.None);

var random = new Random(42);
var data = new byte[100];
random.NextBytes(data);
var batches = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, BatchSize)
    .Select(_ => new PutRecordsRequestEntry(data, "pk-" + random.NextInt64().ToString(CultureInfo.InvariantCulture)))
    .ToArray()).ToArray();
var requests = batches.Select(b => new PutRecordsRequest { StreamName = "bench", Records = b }).ToArray();

// Warm up (tiering, pools).
await RunAsync(1, TimeSpan.FromSeconds(1));
Console.WriteLine($"shards={shards} batch={BatchSize} record=100 B, duration {seconds} s per run");
var single = await RunAsync(1, TimeSpan.FromSeconds(seconds));
Report("1 caller ", single);
var eight = await RunAsync(8, TimeSpan.FromSeconds(seconds));
Report("8 callers", eight);
Console.WriteLine($"metrics measurements seen: {measurements}");

void Report(string label, (long Records, TimeSpan Elapsed, TimeSpan Cpu, long Bytes, int Gen0) r)
{
    // CPU time, not wall time: the machine is shared, and CPU per record is what the core costs.
    var cpuNsPerRecord = r.Cpu.TotalNanoseconds / r.Records;
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"{label}: {r.Records / r.Elapsed.TotalSeconds:N0} records/s wall, {cpuNsPerRecord:F1} CPU ns/record, {cpuNsPerRecord * BatchSize / 1000:F2} CPU us/batch, {(double)r.Bytes / r.Records:F2} B allocated/record, gen0 GCs {r.Gen0}"));
}

async Task<(long Records, TimeSpan Elapsed, TimeSpan Cpu, long Bytes, int Gen0)> RunAsync(int callers, TimeSpan duration)
{
    long records = 0;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var gen0 = GC.CollectionCount(0);
    var bytes = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, callers).Select(worker => Task.Run(async () =>
    {
        long mine = 0;
        var i = worker;
        while (watch.Elapsed < duration)
        {
            using var response = await service.PutRecordsAsync(requests[i++ % requests.Length], CancellationToken.None);
            if (response.FailedRecordCount != 0)
            {
                throw new InvalidOperationException("Unexpected failures.");
            }

            mine += BatchSize;
        }

        Interlocked.Add(ref records, mine);
    })).ToArray();
    await Task.WhenAll(workers);
    watch.Stop();
    return (records, watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes(precise: true) - bytes, GC.CollectionCount(0) - gen0);
}

/// <summary>A storage port that keeps only the catalog and assigns offsets to stream appends.</summary>
internal sealed class OffsetOnlyLogStore : ILogStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long[]> _next = [];
    private readonly List<StoredRecord> _catalog = [];
    private string? _catalogTopic;

    public string Name => "offsets-only";

    public ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (spec.Retention == Timeout.InfiniteTimeSpan)
            {
                _catalogTopic = spec.Name;
            }

            return ValueTask.FromResult(_next.TryAdd(spec.Name, new long[spec.Partitions]) ? StorageStatus.Ok : StorageStatus.TopicAlreadyExists);
        }
    }

    public ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken) => ValueTask.FromResult(StorageStatus.Ok);

    public ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(new TopicInfoResult(StorageStatus.Ok, new TopicInfo(topic, _next[topic].Length, TimeSpan.Zero)));
        }
    }

    public ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<string>>([]);

    public ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken) => ValueTask.FromResult(StorageStatus.NotSupported);

    public ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken) => ValueTask.FromResult(StorageStatus.Ok);

    public ValueTask<StorageStatus> AppendAsync(string topic, int partition, ReadOnlyMemory<LogRecord> records, Memory<AppendOutcome> outcomes, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var next = _next[topic];
            var span = outcomes.Span;
            for (var i = 0; i < records.Length; i++)
            {
                if (topic == _catalogTopic)
                {
                    var record = records.Span[i];
                    _catalog.Add(new StoredRecord(next[partition], record.TimestampMs, record.Key.ToArray(), record.Value.ToArray(), null));
                }

                span[i] = new AppendOutcome(StorageStatus.Ok, next[partition]++);
            }
        }

        return ValueTask.FromResult(StorageStatus.Ok);
    }

    public ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var records = _catalog.Where(r => r.Offset >= request.Offset).Take(request.MaxRecords).ToArray();
            var next = records.Length > 0 ? records[^1].Offset + 1 : request.Offset;
            return ValueTask.FromResult<ReadResult>(new ListReadResult(records, next, new PartitionOffsets(0, _catalog.Count)));
        }
    }

    public ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(new PartitionOffsetsResult(StorageStatus.Ok, new PartitionOffsets(0, _next[topic][partition])));
        }
    }

    public ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(string topic, int partition, long timestampMs, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new OffsetLookupResult(StorageStatus.Ok, 0));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class ListReadResult(StoredRecord[] records, long next, PartitionOffsets offsets) : ReadResult
    {
        public override StorageStatus Status => StorageStatus.Ok;

        public override ReadOnlyMemory<StoredRecord> Records => records;

        public override long NextOffset => next;

        public override PartitionOffsets Offsets => offsets;
    }
}
