using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Compression;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Diagnostics;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using KafkaKinesisBridge.Storage.Embedded;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink.Tool;

/// <summary>
/// The sink end to end in one process: writers append records (each carrying its put time) to a
/// DirectPut topic of an embedded log, as PutRecordBatch does (500 records per append), while the
/// sink worker delivers them as objects (GZIP by default) to a local directory. Reports records/s
/// and MB/s in and out, the compression ratio, and delivery latency (put to object durable) p50/p99
/// per record, read back from the objects after the run.
/// </summary>
internal static class SinkBench
{
    private const string Topic = "firehose-bench";
    private const string Bucket = "bench";
    private const int BatchSize = 500;
    private static readonly byte[] Filler = "{\"level\":\"info\",\"user\":\"u\",\"path\":\"/api/orders\",\"ms\":}"u8.ToArray();

    public static async Task<int> RunAsync(Arguments args)
    {
        var seconds = args.Double("seconds", 20);
        var rate = args.Double("rate", 0);
        var recordBytes = Math.Max(16, args.Int("record-bytes", 100));
        var partitions = args.Int("partitions", 4);
        var interval = args.Int("interval", 1);
        var sizeMb = args.Int("size-mb", 128);
        var compression = Enum.Parse<SinkCompressionFormat>(args.String("compression", "GZIP").Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);
        var directory = args.String("dir", Path.Combine(Path.GetTempPath(), $"kkb-sink-bench-{Guid.NewGuid():N}"));
        var fsync = args.Has("fsync");
        Directory.CreateDirectory(directory);
        try
        {
            await using var log = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = Path.Combine(directory, "log") });
            await log.CreateTopicAsync(new TopicSpec(Topic, partitions, Timeout.InfiniteTimeSpan), CancellationToken.None);
            var local = new LocalDirectoryObjectStore(Path.Combine(directory, "objects"), fsync);
            var store = new TimingStore(local);
            var options = new SinkOptions { Fsync = fsync };
            var stream = new SinkDeliveryStream(
                "bench",
                1,
                new SinkSourceSpec(SinkSourceKind.DirectPut, Topic),
                new SinkDestination { Bucket = Bucket, Compression = compression, BufferIntervalInSeconds = interval, BufferSizeInMBs = sizeMb });
            using var worker = new SinkWorker(
                new StaticDeliveryStreamProvider(stream),
                new LogStoreSinkSourceFactory(log, new FileCheckpointStore(Path.Combine(directory, "checkpoints"), fsync), options, TimeProvider.System),
                store,
                Options.Create(options));
            // Delivered records, from the sink's own metric (DeliveryToS3.Records).
            var delivered = 0L;
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SinkMetrics.MeterName && instrument.Name == "firehose.delivery_to_s3.records")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref delivered, value));
            listener.Start();
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            await worker.StartAsync(CancellationToken.None);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sink bench: {seconds} s, {(rate > 0 ? rate.ToString(CultureInfo.InvariantCulture) + " records/s" : "unlimited")}, {recordBytes} B records, {partitions} partitions, {compression}, interval {interval} s, size {sizeMb} MiB"));
            var clock = Stopwatch.StartNew();
            var written = await WriteAsync(log, partitions, recordBytes, rate, TimeSpan.FromSeconds(seconds));
            var writeSeconds = clock.Elapsed.TotalSeconds;
            var peakWorkingSet = Environment.WorkingSet;

            // Wait for the last objects (the interval plus a margin), then stop (which delivers the rest).
            var deadline = Stopwatch.StartNew();
            while (Interlocked.Read(ref delivered) < written && deadline.Elapsed < TimeSpan.FromSeconds(interval + 60))
            {
                await Task.Delay(20);
                peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
            }

            var deliverSeconds = clock.Elapsed.TotalSeconds;
            await worker.StopAsync(CancellationToken.None);

            var latencies = ReadLatencies(local, store, compression, recordBytes);
            latencies.Sort();
            var inBytes = written * (double)recordBytes;
            var outBytes = store.ObjectBytes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"in:  {written:N0} records in {writeSeconds:F1} s = {written / writeSeconds:N0} records/s, {inBytes / writeSeconds / 1e6:F1} MB/s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"out: {latencies.Count:N0} records delivered by {deliverSeconds:F1} s = {latencies.Count / deliverSeconds:N0} records/s, {store.Objects} objects, {outBytes / deliverSeconds / 1e6:F2} MB/s written"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compression ratio {inBytes / Math.Max(1, outBytes):F2} ({compression})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"delivery latency (put to object durable): p50 {Percentile(latencies, 0.50)} ms, p99 {Percentile(latencies, 0.99)} ms, max {(latencies.Count > 0 ? latencies[^1] : 0)} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"memory: peak working set {peakWorkingSet / (1 << 20)} MiB, allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / (1 << 20)} MiB"));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"SUMMARY sink records_in={written} in_rps={written / writeSeconds:F0} in_mbps={inBytes / writeSeconds / 1e6:F1} out_rps={latencies.Count / deliverSeconds:F0} ratio={inBytes / Math.Max(1, outBytes):F2} p50_ms={Percentile(latencies, 0.50)} p99_ms={Percentile(latencies, 0.99)} delivered={latencies.Count} duplicates_or_missing={written - latencies.Count}"));
            return latencies.Count == written ? 0 : 1;
        }
        finally
        {
            if (!args.Has("dir"))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<long> WriteAsync(ILogStore log, int partitions, int recordBytes, double rate, TimeSpan duration)
    {
        var total = 0L;
        var clock = Stopwatch.StartNew();
        var perWriterRate = rate / partitions;
        var writers = Enumerable.Range(0, partitions).Select(partition => Task.Run(async () =>
        {
            var random = new Random(partition);
            var records = new LogRecord[BatchSize];
            var outcomes = new AppendOutcome[BatchSize];
            var sent = 0L;
            while (clock.Elapsed < duration)
            {
                if (perWriterRate > 0)
                {
                    var due = TimeSpan.FromSeconds(sent / perWriterRate);
                    if (due > clock.Elapsed)
                    {
                        await Task.Delay(due - clock.Elapsed);
                    }
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var i = 0; i < BatchSize; i++)
                {
                    // The put time first, then a log-line-like filler: a fixed text with random digits
                    // (compresses about as well as application logs, neither trivially nor not at all).
                    var value = new byte[recordBytes];
                    BinaryPrimitives.WriteInt64LittleEndian(value, now);
                    for (var j = 8; j < recordBytes; j++)
                    {
                        value[j] = j % 3 == 0 ? (byte)('0' + random.Next(10)) : Filler[j % Filler.Length];
                    }

                    records[i] = new LogRecord(ReadOnlyMemory<byte>.Empty, value, now);
                }

                var status = await log.AppendAsync(Topic, partition, records, outcomes, CancellationToken.None);
                if (status != StorageStatus.Ok)
                {
                    throw new InvalidOperationException($"append: {status}");
                }

                sent += BatchSize;
            }

            Interlocked.Add(ref total, sent);
        })).ToArray();
        await Task.WhenAll(writers);
        return total;
    }

    private static List<long> ReadLatencies(LocalDirectoryObjectStore local, TimingStore store, SinkCompressionFormat compression, int recordBytes)
    {
        var latencies = new List<long>();
        foreach (var (key, durableMs) in store.Completed)
        {
            var bytes = File.ReadAllBytes(local.PathOf(Bucket, key));
            if (compression == SinkCompressionFormat.Gzip)
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                var output = new MemoryStream();
                gzip.CopyTo(output);
                bytes = output.ToArray();
            }
            else if (compression != SinkCompressionFormat.Uncompressed)
            {
                throw new NotSupportedException("Latency read-back supports GZIP and UNCOMPRESSED.");
            }

            for (var offset = 0; offset + recordBytes <= bytes.Length; offset += recordBytes)
            {
                latencies.Add(durableMs - BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(offset)));
            }
        }

        return latencies;
    }

    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Notes when each object became durable, and counts what was written.</summary>
    private sealed class TimingStore(IObjectStore inner) : IObjectStore
    {
        private long _objects;
        private long _objectBytes;

        public string Name => inner.Name;

        public ConcurrentBag<(string Key, long DurableMs)> Completed { get; } = [];

        public long Objects => Interlocked.Read(ref _objects);

        public long ObjectBytes => Interlocked.Read(ref _objectBytes);

        public async Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await inner.PutObjectAsync(bucket, key, content, cancellationToken);
            Completed.Add((key, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            Interlocked.Increment(ref _objects);
            Interlocked.Add(ref _objectBytes, content.Length);
        }
    }
}
