using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Running;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>What the resharding mode measured.</summary>
/// <param name="Reshards">Reshards done (splits and merges, one after another).</param>
/// <param name="ReshardP50Ms">Median time from the call to the stream being ACTIVE again.</param>
/// <param name="ReshardMaxMs">Longest time from the call to ACTIVE.</param>
/// <param name="OverlappingPuts">PutRecords calls whose time overlapped a reshard.</param>
/// <param name="OverlappingP99Ms">p99 latency of those calls.</param>
/// <param name="OverlappingMaxMs">Longest of those calls (the longest write stall).</param>
/// <param name="OverlappingOver100Ms">Those calls that took longer than 100 ms.</param>
/// <param name="OtherP99Ms">p99 latency of the calls that overlapped no reshard (the baseline).</param>
/// <param name="OtherMaxMs">Longest of the calls that overlapped no reshard.</param>
/// <param name="OtherOver100Ms">Calls that overlapped no reshard and took longer than 100 ms (machine noise).</param>
/// <param name="RecordsPerSecondBefore">Throughput in the first quarter, before any reshard.</param>
/// <param name="RecordsPerSecondDuring">Throughput while resharding.</param>
/// <param name="RecordsPerSecondAfter">Throughput in the last quarter, after the reshards, with more partitions behind the stream.</param>
/// <param name="FailedRecords">Records PutRecords reported failed (none expected).</param>
/// <param name="FailedCalls">Calls that failed.</param>
public sealed record ReshardReport(
    int Reshards,
    double ReshardP50Ms,
    double ReshardMaxMs,
    int OverlappingPuts,
    double OverlappingP99Ms,
    double OverlappingMaxMs,
    int OverlappingOver100Ms,
    double OtherP99Ms,
    double OtherMaxMs,
    int OtherOver100Ms,
    double RecordsPerSecondBefore,
    double RecordsPerSecondDuring,
    double RecordsPerSecondAfter,
    long FailedRecords,
    long FailedCalls);

/// <summary>
/// The resharding mode (workload "reshard", issue 9 Performance): PutRecords at --concurrency callers
/// through the Kinesis JSON API for --duration seconds; the middle half of the time the stream is split
/// and merged repeatedly (split the first open shard at its middle, wait for ACTIVE, merge the two
/// children, wait for ACTIVE, ...). Reports the time from each call to ACTIVE, the p99 and max latency
/// of the puts that overlapped a reshard (against those that did not), and the throughput before,
/// during and after. Run the gateway with Kinesis:Resharding:SplitMergeCallsPerSecond above the Kinesis
/// default of 5 for a fast loop.
/// </summary>
public sealed class ReshardBench(KinesisJsonClient client, BenchSettings settings, TextWriter progress)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Runs the mode.</summary>
    public async Task<ReshardReport> RunAsync(CancellationToken cancellationToken)
    {
        await KinesisRequests.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        var bodies = Enumerable.Range(0, settings.Concurrency).Select(worker =>
        {
            var records = new (string, byte[])[settings.BatchSize];
            for (var i = 0; i < records.Length; i++)
            {
                records[i] = (RecordFactory.PartitionKey(worker, i), RecordFactory.Data(settings.RecordSize, i));
            }

            return KinesisRequests.PutRecords(settings.StreamName, records);
        }).ToArray();

        var calls = new List<Call>[settings.Concurrency];
        long failedRecords = 0, failedCalls = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, settings.Concurrency).Select(worker => Task.Run(
            async () =>
            {
                var list = calls[worker] = new List<Call>(1 << 16);
                using var buffer = new ResponseBuffer();
                while (!stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        var length = await client.CallAsync("PutRecords", bodies[worker], buffer, cancellationToken);
                        var failed = KinesisResponses.FailedRecordCount(buffer.Span(length));
                        Interlocked.Add(ref failedRecords, failed);
                        list.Add(new Call(started, Stopwatch.GetTimestamp(), settings.BatchSize - failed));
                    }
                    catch (KinesisCallException)
                    {
                        Interlocked.Increment(ref failedCalls);
                    }
                }
            },
            cancellationToken)).ToArray();

        var begin = Stopwatch.GetTimestamp();
        var quarter = settings.Duration / 4;
        await Task.Delay(settings.Warmup + quarter, cancellationToken);
        var reshardFrom = Stopwatch.GetTimestamp();
        var reshards = new List<(long Called, long Active)>();
        while (Stopwatch.GetElapsedTime(reshardFrom) < quarter * 2)
        {
            var open = await OpenShardsAsync(cancellationToken);
            var first = open[0];
            var middle = first.Start + ((first.End - first.Start) / 2) + 1;
            reshards.Add(await TimedAsync("SplitShard", new { StreamName = settings.StreamName, ShardToSplit = first.Id, NewStartingHashKey = middle.ToString(CultureInfo.InvariantCulture) }, cancellationToken));
            open = await OpenShardsAsync(cancellationToken);
            reshards.Add(await TimedAsync("MergeShards", new { StreamName = settings.StreamName, ShardToMerge = open[0].Id, AdjacentShardToMerge = open[1].Id }, cancellationToken));
            progress.WriteLine($"reshard: {reshards.Count} done, last split {Ms(reshards[^2]):0} ms, merge {Ms(reshards[^1]):0} ms to ACTIVE");
        }

        var reshardTo = Stopwatch.GetTimestamp();
        await Task.Delay(quarter, cancellationToken);
        var end = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = calls.SelectMany(c => c).ToList();
        var overlapping = all.Where(c => reshards.Any(r => c.Started < r.Active && c.Ended > r.Called)).Select(c => c.Ms).Order().ToList();
        var others = all.Where(c => !reshards.Any(r => c.Started < r.Active && c.Ended > r.Called)).Select(c => c.Ms).Order().ToList();
        var durations = reshards.Select(Ms).Order().ToList();
        var measureFrom = begin + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        return new ReshardReport(
            reshards.Count,
            Percentile(durations, 0.5),
            durations.Count > 0 ? durations[^1] : 0,
            overlapping.Count,
            Percentile(overlapping, 0.99),
            overlapping.Count > 0 ? overlapping[^1] : 0,
            overlapping.Count(ms => ms > 100),
            Percentile(others, 0.99),
            others.Count > 0 ? others[^1] : 0,
            others.Count(ms => ms > 100),
            Rate(all, measureFrom, reshardFrom),
            Rate(all, reshardFrom, reshardTo),
            Rate(all, reshardTo, end),
            failedRecords,
            failedCalls);
    }

    /// <summary>Prints the report and a BENCH_RESHARD JSON line.</summary>
    public static void Print(ReshardReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        Console.WriteLine();
        Console.WriteLine($"== reshard: {r.Reshards} reshards (split, merge, ...) under PutRecords load");
        Console.WriteLine($"   call to ACTIVE: p50 {r.ReshardP50Ms:0.0} ms   max {r.ReshardMaxMs:0.0} ms   (target < 1000 ms)");
        Console.WriteLine($"   puts overlapping a reshard: {r.OverlappingPuts:N0}   p99 {r.OverlappingP99Ms:0.0} ms   max {r.OverlappingMaxMs:0.0} ms   over 100 ms: {r.OverlappingOver100Ms}");
        Console.WriteLine($"   other puts: p99 {r.OtherP99Ms:0.0} ms   max {r.OtherMaxMs:0.0} ms   over 100 ms: {r.OtherOver100Ms}");
        Console.WriteLine($"   records/s before {r.RecordsPerSecondBefore:N0}   during {r.RecordsPerSecondDuring:N0}   after {r.RecordsPerSecondAfter:N0}");
        Console.WriteLine($"   failed records {r.FailedRecords:N0}   failed calls {r.FailedCalls:N0}");
        Console.WriteLine("BENCH_RESHARD " + JsonSerializer.Serialize(r, Json));
    }

    private async Task<(long Called, long Active)> TimedAsync(string operation, object request, CancellationToken cancellationToken)
    {
        var called = Stopwatch.GetTimestamp();
        (await client.CallForDocumentAsync(operation, request, cancellationToken)).Dispose();

        while (true)
        {
            using var summary = await client.CallForDocumentAsync("DescribeStreamSummary", new { StreamName = settings.StreamName }, cancellationToken);
            if (summary.RootElement.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE")
            {
                return (called, Stopwatch.GetTimestamp());
            }

            await Task.Delay(5, cancellationToken);
        }
    }

    private async Task<List<(string Id, UInt128 Start, UInt128 End)>> OpenShardsAsync(CancellationToken cancellationToken)
    {
        using var page = await client.CallForDocumentAsync(
            "ListShards",
            new { StreamName = settings.StreamName, ShardFilter = new { Type = "AT_LATEST" } },
            cancellationToken);
        return [.. page.RootElement.GetProperty("Shards").EnumerateArray()
            .Select(s => (
                s.GetProperty("ShardId").GetString()!,
                UInt128.Parse(s.GetProperty("HashKeyRange").GetProperty("StartingHashKey").GetString()!, CultureInfo.InvariantCulture),
                UInt128.Parse(s.GetProperty("HashKeyRange").GetProperty("EndingHashKey").GetString()!, CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Item2)];
    }

    private static double Ms((long Called, long Active) r) => (r.Active - r.Called) * 1000.0 / Stopwatch.Frequency;

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double Rate(List<Call> calls, long from, long to)
    {
        var records = calls.Where(c => c.Ended > from && c.Ended <= to).Sum(c => (long)c.Records);
        return records / Math.Max((to - from) / (double)Stopwatch.Frequency, 1e-9);
    }

    private readonly record struct Call(long Started, long Ended, int Records)
    {
        public double Ms => (Ended - Started) * 1000.0 / Stopwatch.Frequency;
    }
}
