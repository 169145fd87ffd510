using System.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;

namespace KafkaKinesisBridge.Storage.Benchmarks;

/// <summary>
/// A console micro-benchmark of the embedded log, shaped like the gateway's load: batches of records
/// from concurrent callers, single-record appends, and sequential reads. Prints throughput, latency
/// percentiles and allocations per operation.
/// </summary>
public static class StorageBenchmark
{
    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var seconds = options.Int("seconds", 5);
        var writers = options.Int("writers", 8);
        var partitions = options.Int("partitions", 4);
        var batch = options.Int("batch", 125);
        var recordBytes = options.Int("record-bytes", 100);
        var fsync = options.Flag("fsync");
        var ownDirectory = options.Text("dir") is null;
        var directory = options.Text("dir") ?? Path.Combine(Path.GetTempPath(), "kkb-bench-" + Guid.NewGuid().ToString("N"));
        Console.WriteLine($"embedded log benchmark: {writers} writers, {partitions} partitions, batches of {batch} x {recordBytes} B, " +
            $"{seconds} s per phase, fsync {(fsync ? "on" : "off")}, {Environment.ProcessorCount} cores, {directory}");

        try
        {
            await using (var store = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = directory, FsyncOnAppend = fsync }))
            {
                await store.CreateTopicAsync(new TopicSpec("bench", partitions, Timeout.InfiniteTimeSpan), CancellationToken.None);
                await store.CreateTopicAsync(new TopicSpec("single", partitions, Timeout.InfiniteTimeSpan), CancellationToken.None);

                // Warm-up: JIT tiers, pools, page cache of the first segment.
                await AppendPhaseAsync(store, "bench", writers, partitions, batch, recordBytes, TimeSpan.FromSeconds(1), print: null);

                await AppendPhaseAsync(store, "bench", writers, partitions, batch, recordBytes, TimeSpan.FromSeconds(seconds), $"append batches of {batch} x {recordBytes} B, {writers} writers, as fast as possible");
                await AppendPhaseAsync(store, "bench", writers, partitions, batch, recordBytes, TimeSpan.FromSeconds(seconds), $"append batches of {batch} x {recordBytes} B, {writers} writers, paced at the target 200,000 records/s", recordsPerSecond: 200_000);
                await AppendPhaseAsync(store, "single", writers, partitions, 1, recordBytes, TimeSpan.FromSeconds(seconds), $"append single records of {recordBytes} B, {writers} writers, as fast as possible");
                await AppendPhaseAsync(store, "single", writers, partitions, 1, recordBytes, TimeSpan.FromSeconds(seconds), $"append single records of {recordBytes} B, {writers} writers, paced at 20,000 appends/s", recordsPerSecond: 20_000);
                await AppendPhaseAsync(store, "single", 1, partitions, 1, recordBytes, TimeSpan.FromSeconds(seconds), $"append single records of {recordBytes} B, 1 writer, as fast as possible");
                MeasureLeaderPathAllocations(store, "bench", batch, recordBytes, "index every 4 KiB (default)");
                await ReadPhaseAsync(store, "bench", partitions);
            }

            // The same uncontended append with indexing effectively off: what remains is the append path itself.
            await using (var store = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = directory + "-noindex", IndexIntervalBytes = 16 * 1024 * 1024 }))
            {
                await store.CreateTopicAsync(new TopicSpec("bench", 1, Timeout.InfiniteTimeSpan), CancellationToken.None);
                MeasureLeaderPathAllocations(store, "bench", batch, recordBytes, "index every 16 MiB");
            }
        }
        finally
        {
            if (ownDirectory)
            {
                Directory.Delete(directory, recursive: true);
                Directory.Delete(directory + "-noindex", recursive: true);
            }
        }

        return 0;
    }

    private static async Task AppendPhaseAsync(EmbeddedLogStore store, string topic, int writers, int partitions, int batch, int recordBytes, TimeSpan duration, string? print, int recordsPerSecond = 0)
    {
        // Paced phases: each writer sends its share of the rate on a fixed schedule (open loop), so
        // latency is measured at the load, not at saturation.
        var interval = recordsPerSecond > 0 ? (long)(Stopwatch.Frequency * (double)batch * writers / recordsPerSecond) : 0;
        var latencies = Enumerable.Range(0, writers).Select(_ => new List<long>(1 << 20)).ToArray();
        var counts = new long[writers];
        using var start = new ManualResetEventSlim();
        var deadline = 0L;
        var tasks = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var value = new byte[recordBytes];
            Random.Shared.NextBytes(value);
            var records = new LogRecord[batch];
            var key = "partition-key-0001"u8.ToArray();
            var outcomes = new AppendOutcome[batch];
            var partition = writer % partitions;
            var mine = latencies[writer];
            start.Wait();
            long appends = 0;
            var due = Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
            {
                if (interval > 0)
                {
                    due += interval;
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromTicks(wait * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
                    }
                }

                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                for (var i = 0; i < batch; i++)
                {
                    records[i] = new LogRecord(key, value, now);
                }

                var began = Stopwatch.GetTimestamp();
                var status = await store.AppendAsync(topic, partition, records, outcomes, CancellationToken.None);
                mine.Add(Stopwatch.GetTimestamp() - began);
                if (status != StorageStatus.Ok)
                {
                    throw new InvalidOperationException($"append failed: {status}");
                }

                appends++;
            }

            counts[writer] = appends;
        })).ToArray();

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gen0Before = GC.CollectionCount(0);
        var watch = Stopwatch.StartNew();
        Volatile.Write(ref deadline, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
        start.Set();
        await Task.WhenAll(tasks);
        watch.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (print is null)
        {
            return;
        }

        var total = counts.Sum();
        var all = latencies.SelectMany(l => l).Order().ToArray();
        var elapsed = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{print}:");
        Console.WriteLine($"  {total / elapsed,12:N0} appends/s {total * batch / elapsed,14:N0} records/s {total * batch * (double)recordBytes / elapsed / 1e6,8:N1} MB/s of values");
        Console.WriteLine($"  latency p50 {Micros(all, 0.50)} p99 {Micros(all, 0.99)} p99.9 {Micros(all, 0.999)} max {Micros(all, 1.0)}");
        Console.WriteLine($"  allocated {allocated / (double)total:N1} B per append (whole process, incl. the benchmark's task machinery), gen0 GCs {GC.CollectionCount(0) - gen0Before}");
    }

    /// <summary>
    /// An uncontended append runs entirely on the caller's thread (it becomes the writer), so the
    /// thread's allocation counter measures exactly what the append path allocates.
    /// </summary>
    private static void MeasureLeaderPathAllocations(EmbeddedLogStore store, string topic, int batch, int recordBytes, string indexing)
    {
        var value = new byte[recordBytes];
        var records = new LogRecord[batch];
        var outcomes = new AppendOutcome[batch];
        for (var i = 0; i < batch; i++)
        {
            records[i] = new LogRecord("k"u8.ToArray(), value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }

        const int Appends = 20_000;
        for (var i = 0; i < 1000; i++)
        {
            Append();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Appends; i++)
        {
            Append();
        }

        var after = GC.GetAllocatedBytesForCurrentThread();
        Console.WriteLine($"uncontended append of {batch} x {recordBytes} B on the caller's thread, {indexing}: {(after - before) / (double)Appends:N2} B allocated per append");

        void Append()
        {
            var pending = store.AppendAsync(topic, 0, records, outcomes, CancellationToken.None);
            if (!pending.IsCompleted)
            {
                throw new InvalidOperationException("an uncontended append should complete synchronously");
            }

            if (pending.Result != StorageStatus.Ok)
            {
                throw new InvalidOperationException("append failed");
            }
        }
    }

    private static async Task ReadPhaseAsync(EmbeddedLogStore store, string topic, int partitions)
    {
        // Sequential reads of everything appended, shaped like GetRecords (up to 10,000 records, 10 MiB).
        long records = 0, bytes = 0, reads = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        for (var partition = 0; partition < partitions; partition++)
        {
            var offset = 0L;
            while (true)
            {
                using var read = await store.ReadAsync(new ReadRequest(topic, partition, offset, 10_000, 10 * 1024 * 1024), CancellationToken.None);
                if (read.Records.IsEmpty)
                {
                    break;
                }

                foreach (var record in read.Records.Span)
                {
                    bytes += record.Value.Length;
                }

                records += read.Records.Length;
                reads++;
                offset = read.NextOffset;
            }
        }

        watch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Console.WriteLine($"sequential read of {records:N0} records in {reads:N0} reads of up to 10,000 records / 10 MiB:");
        Console.WriteLine($"  {records / watch.Elapsed.TotalSeconds,14:N0} records/s {bytes / watch.Elapsed.TotalSeconds / 1e6,8:N1} MB/s of values, " +
            $"{watch.Elapsed.TotalMilliseconds / reads:N2} ms per read, {allocated / (double)reads:N0} B allocated per read");
    }

    private static string Micros(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }

        var index = Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length));
        return $"{sorted[index] * 1e6 / Stopwatch.Frequency,8:N1} us";
    }
}
