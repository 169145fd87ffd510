using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Tool;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

/// <summary>
/// Issue 10, item 8: a writer appends continuously to a DirectPut topic while the sink delivers;
/// the process (writer and sink, as in the gateway) is killed with SIGKILL at random moments,
/// several times, then started once more to drain. Every acknowledged record must be in exactly one
/// object, and no record in two.
/// </summary>
public sealed class CrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SinkKilledRepeatedly_EveryAcknowledgedRecordInExactlyOneObject()
    {
        using var directory = new TempDirectory("kkb-sink-crash");
        var acknowledged = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(Environment.TickCount);
        const int Kills = 5;
        for (var generation = 0; generation < Kills; generation++)
        {
            using var process = Start(directory.Path, generation, drain: false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(timeout.Token));
                // Kill after a random number of acknowledged appends: somewhere while objects are being
                // written, checkpoints saved, or neither.
                var acksBeforeKill = random.Next(50, 400);
                for (var i = 0; i < acksBeforeKill && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line; i++)
                {
                    Acknowledge(line, acknowledged);
                }
            }
            finally
            {
                process.Kill(); // SIGKILL: no shutdown, no flush.
                await process.WaitForExitAsync(Ct);
            }

            while (await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                Acknowledge(line, acknowledged);
            }
        }

        using (var drain = Start(directory.Path, Kills, drain: true))
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            Assert.Equal("ready", await drain.StandardOutput.ReadLineAsync(timeout.Token));
            Assert.Equal("drained", await drain.StandardOutput.ReadLineAsync(timeout.Token));
            await drain.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, drain.ExitCode);
        }

        var delivered = new Dictionary<string, string>(StringComparer.Ordinal);
        var store = new LocalDirectoryObjectStore(Path.Combine(directory.Path, "objects"));
        foreach (var key in store.ListKeys(CrashChild.Bucket))
        {
            using var gzip = new GZipStream(File.OpenRead(store.PathOf(CrashChild.Bucket, key)), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            while (await reader.ReadLineAsync(Ct) is { } record)
            {
                Assert.True(delivered.TryAdd(record, key), $"{record} is in {delivered.GetValueOrDefault(record)} and in {key}");
            }
        }

        Assert.True(acknowledged.Count > Kills * 50, $"only {acknowledged.Count} acknowledged records");
        var missing = acknowledged.Where(a => !delivered.ContainsKey(a)).Take(5).ToList();
        Assert.True(missing.Count == 0, $"acknowledged but not delivered: {string.Join(", ", missing)}");
    }

    private static void Acknowledge(string line, HashSet<string> acknowledged)
    {
        var parts = line.Split(' ');
        if (parts is not ["ack", _, _, _])
        {
            return;
        }

        var generation = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var first = long.Parse(parts[2], CultureInfo.InvariantCulture);
        var count = int.Parse(parts[3], CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            acknowledged.Add(CrashChild.Value(generation, first + i));
        }
    }

    private static Process Start(string directory, int generation, bool drain)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "kkb-sink.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? ExternalProcess.Find("dotnet");
        if (!File.Exists(tool) || dotnet is null)
        {
            Prerequisite.Missing("the crash child (kkb-sink, KafkaKinesisBridge.Firehose.Sink.Tool) is not built next to the tests");
        }

        var info = new ProcessStartInfo(dotnet!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { tool, "crash-child", "--dir", directory, "--generation", generation.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        if (drain)
        {
            info.ArgumentList.Add("--drain");
        }

        return Process.Start(info)!;
    }
}
