using System.Reflection;
using System.Text.Json;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Bench;

/// <summary>
/// `make bench` as a user runs it, shortened to about a second per workload: the tool starts its own
/// gateway, drives it through each front door and prints a BENCH_SUMMARY line. This checks the tool
/// works and reports sane numbers (every record stored and read back, latencies ordered), not speed:
/// speed is measured by running the tool itself (README, "Benchmark").
/// </summary>
public sealed class BenchSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("grpc", "put-records,get-records,put-record")]
    [InlineData("kinesis", "put-records,get-records,put-record")]
    [InlineData("kinesis-h2", "put-records")]
    [InlineData("kafka-direct", "put-records")]
    [InlineData("grpc", "fan-out")]
    public async Task Bench_ShortRun_SummaryReportsEveryWorkloadWithoutFailures(string api, string workloads)
    {
        var results = await RunAsync(api, workloads);

        var expected = workloads.Split(',');
        if (api == "kafka-direct")
        {
            // The bare producer's run, then the gateway's, with their ratio.
            Assert.Equal(["kafka-direct", "grpc"], results.Select(r => r.GetProperty("api").GetString()));
            Assert.True(results[1].GetProperty("ratioToDirect").GetDouble() > 0);
        }
        else
        {
            Assert.Equal(expected, results.Select(r => r.GetProperty("workload").GetString()));
            Assert.All(results, r => Assert.Equal(api, r.GetProperty("api").GetString()));
        }

        foreach (var result in results)
        {
            var what = result.GetRawText();
            Assert.True(result.GetProperty("records").GetInt64() > 0, what);
            Assert.Equal(0, result.GetProperty("failedRecords").GetInt64());
            Assert.Equal(0, result.GetProperty("errors").GetInt64());
            Assert.True(result.GetProperty("recordsPerSecond").GetDouble() > 0, what);
            var p50 = result.GetProperty("p50Ms").GetDouble();
            var p99 = result.GetProperty("p99Ms").GetDouble();
            Assert.True(p50 > 0 && p50 <= p99 && p99 <= result.GetProperty("maxMs").GetDouble(), what);
        }

        // What get-records read back is what put-records wrote (the embedded log keeps everything).
        if (expected.Contains("get-records"))
        {
            var written = results.Where(r => r.GetProperty("workload").GetString() is "put-records" or "put-record").Sum(r => r.GetProperty("records").GetInt64());
            var read = results.Single(r => r.GetProperty("workload").GetString() == "get-records").GetProperty("records").GetInt64();
            var writtenBeforeRead = results.Single(r => r.GetProperty("workload").GetString() == "put-records").GetProperty("records").GetInt64();
            Assert.InRange(read, writtenBeforeRead, written);
        }
    }

    private static async Task<JsonElement[]> RunAsync(string api, string workloads)
    {
        var bench = FindBench();
        var result = await ExternalProcess.RunAsync(
            "dotnet",
            [bench, "--api", api, "--workload", workloads, "--duration", "1", "--warmup", "0", "--concurrency", "2", "--batch-size", "50"],
            timeout: TimeSpan.FromMinutes(3),
            cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = result.StandardOutput.Split('\n').Single(l => l.StartsWith("BENCH_SUMMARY ", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(summary["BENCH_SUMMARY ".Length..]);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    private static string FindBench()
    {
        var directory = typeof(BenchSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BenchOutputDirectory")?.Value;
        var dll = directory is null ? null : Path.Combine(directory, "KafkaKinesisBridge.Bench.dll");
        if (dll is null || !File.Exists(dll))
        {
            Prerequisite.Missing($"the bench tool is not built ({dll}); run `make build`");
        }

        return dll;
    }
}
