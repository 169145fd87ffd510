using System.Diagnostics;
using KafkaKinesisBridge.Bench.Hosting;
using KafkaKinesisBridge.Bench.Measurement;

namespace KafkaKinesisBridge.Bench.Running;

/// <summary>The numbers of one workload run.</summary>
public sealed record RunSummary(
    string Api,
    string Workload,
    int Concurrency,
    int BatchSize,
    int RecordSize,
    double Seconds,
    long Calls,
    long Records,
    long Bytes,
    long FailedRecords,
    long Errors,
    double RecordsPerSecond,
    double MegabytesPerSecond,
    double CallsPerSecond,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    long? GatewayPeakRssBytes,
    string? LastError)
{
    /// <summary>Managed bytes the gateway allocated during the measured period, per record moved
    /// (from <c>GET /debug/runtime</c>); null when the gateway was not sampled.</summary>
    public double? GatewayAllocatedBytesPerRecord { get; init; }

    /// <summary>Gateway CPU time (user + kernel) during the measured period, in microseconds per record.</summary>
    public double? GatewayCpuMicrosPerRecord { get; init; }

    /// <summary>Gateway generation 0, 1 and 2 collections during the measured period.</summary>
    public int[]? GatewayCollections { get; init; }

    /// <summary>For the gateway's run in <c>--api kafka-direct</c>: its records/s divided by the bare producer's.</summary>
    public double? RatioToDirect { get; init; }

    /// <summary>Anything a reader of the numbers must know (for example the mock cluster's capped logs).</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Runs a workload with N concurrent workers for a warm-up and then a measured period (or until
/// the workload finishes), printing progress once a second to standard error.
/// </summary>
public sealed class BenchRunner(TextWriter progress)
{
    /// <summary>Runs <paramref name="workload"/> and returns its summary.</summary>
    public async Task<RunSummary> RunAsync(
        IWorkload workload,
        BenchSettings settings,
        GatewayProcess? gateway,
        GatewayDiagnostics? diagnostics,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(settings);
        await workload.PrepareAsync(cancellationToken);

        if (settings.Warmup > TimeSpan.Zero && workload.SupportsWarmup)
        {
            progress.WriteLine($"[{workload.Name}] warming up for {settings.Warmup.TotalSeconds:0.#} s");
            await RunWorkersAsync(workload, settings, settings.Warmup, null, cancellationToken);
        }

        gateway?.ResetPeak();
        var stats = Enumerable.Range(0, settings.Concurrency).Select(_ => new WorkerStats()).ToArray();
        progress.WriteLine($"[{workload.Name}] measuring for up to {settings.Duration.TotalSeconds:0.#} s with {settings.Concurrency} callers");
        var before = diagnostics is null ? null : await diagnostics.SampleRuntimeAsync(cancellationToken);
        var watch = Stopwatch.StartNew();
        using var reporterStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportProgressAsync(workload.Name, stats, gateway, watch, reporterStop.Token);
        await RunWorkersAsync(workload, settings, settings.Duration, stats, cancellationToken);
        var elapsed = watch.Elapsed.TotalSeconds;
        await reporterStop.CancelAsync();
        await reporter;
        var after = before is null ? null : await diagnostics!.SampleRuntimeAsync(cancellationToken);

        var latency = new LatencyHistogram();
        foreach (var s in stats)
        {
            latency.Add(s.Latency);
        }

        var records = stats.Sum(s => s.Records);
        var bytes = stats.Sum(s => s.Bytes);
        var calls = stats.Sum(s => s.Calls);
        return new RunSummary(
            settings.Api,
            workload.Name,
            settings.Concurrency,
            settings.BatchSize,
            settings.RecordSize,
            Math.Round(elapsed, 3),
            calls,
            records,
            bytes,
            stats.Sum(s => s.FailedRecords),
            stats.Sum(s => s.Errors),
            Math.Round(records / elapsed, 1),
            Math.Round(bytes / elapsed / 1_000_000, 2),
            Math.Round(calls / elapsed, 1),
            latency.PercentileMicros(50) / 1000.0,
            latency.PercentileMicros(99) / 1000.0,
            latency.PercentileMicros(99.9) / 1000.0,
            latency.MaxMicros / 1000.0,
            gateway?.PeakRssBytes,
            stats.Select(s => s.LastError).LastOrDefault(e => e is not null))
        {
            GatewayAllocatedBytesPerRecord = before is null || after is null || records == 0
                ? null
                : Math.Round((double)(after.AllocatedBytes - before.AllocatedBytes) / records, 1),
            GatewayCpuMicrosPerRecord = before is null || after is null || records == 0
                ? null
                : Math.Round((after.CpuTimeMs - before.CpuTimeMs) * 1000 / records, 3),
            GatewayCollections = before is null || after is null
                ? null
                : [after.Gen0Collections - before.Gen0Collections, after.Gen1Collections - before.Gen1Collections, after.Gen2Collections - before.Gen2Collections],
        };
    }

    private static async Task RunWorkersAsync(
        IWorkload workload,
        BenchSettings settings,
        TimeSpan duration,
        WorkerStats[]? stats,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var workers = new Task[settings.Concurrency];
        for (var i = 0; i < workers.Length; i++)
        {
            var worker = i;
            var workerStats = stats?[i] ?? new WorkerStats();
            workers[i] = Task.Run(() => WorkerLoopAsync(workload, worker, workerStats, stop.Token), CancellationToken.None);
        }

        await Task.WhenAll(workers);
    }

    private static async Task WorkerLoopAsync(IWorkload workload, int worker, WorkerStats stats, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && !workload.IsFinished)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var result = await workload.ExecuteAsync(worker, stop);
                stats.AddSuccess(result, start, Stopwatch.GetTimestamp());
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // The period ended while this call was in flight (clients report that as a
                // cancellation of their own kind): not an error of the system under test.
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                stats.AddError(ex);
            }
        }
    }

    private async Task ReportProgressAsync(
        string name,
        WorkerStats[] stats,
        GatewayProcess? gateway,
        Stopwatch watch,
        CancellationToken stop)
    {
        long lastRecords = 0, lastBytes = 0, lastCalls = 0;
        var lastTime = TimeSpan.Zero;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = watch.Elapsed;
                long records = 0, bytes = 0, calls = 0, errors = 0, failed = 0;
                foreach (var s in stats)
                {
                    records += s.Records;
                    bytes += s.Bytes;
                    calls += s.Calls;
                    errors += s.Errors;
                    failed += s.FailedRecords;
                }

                var seconds = (now - lastTime).TotalSeconds;
                var rss = gateway?.CurrentRssBytes is { } bytesRss ? $"  gateway RSS {bytesRss / 1048576.0:0} MiB" : string.Empty;
                progress.WriteLine(
                    $"[{name}] {now.TotalSeconds,5:0}s  {(records - lastRecords) / seconds,12:N0} rec/s  " +
                    $"{(bytes - lastBytes) / seconds / 1_000_000,8:0.0} MB/s  {(calls - lastCalls) / seconds,9:N0} calls/s  " +
                    $"total {records:N0} rec  failed {failed:N0}  errors {errors:N0}{rss}");
                (lastRecords, lastBytes, lastCalls, lastTime) = (records, bytes, calls, now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
