using System.Diagnostics;
using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Benchmarks;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>
/// A real process crash: a child process appends from several writers and reports each
/// acknowledged append; the test kills it with SIGKILL mid-stream and checks, after reopening, that
/// every acknowledged record is there and intact (the operating system survives, so no fsync is needed).
/// </summary>
public sealed class CrashTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task KillDashNine_WhileAppending_EveryAcknowledgedRecordSurvives(bool fsync)
    {
        var writer = FindCrashWriter();
        using var directory = new TempDirectory("kkb-crash");
        var info = new ProcessStartInfo(writer.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in writer.Arguments.Concat(["crash-writer", "--dir", directory.Path, "--writers", "4", "--partitions", "2", "--batch", "10"]))
        {
            info.ArgumentList.Add(argument);
        }

        if (fsync)
        {
            info.ArgumentList.Add("--fsync");
        }

        var acks = new List<(int Partition, long Offset, int Count, int Writer, long Sequence)>();
        using (var process = Process.Start(info)!)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(timeout.Token));
                while (acks.Count < 200 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                {
                    acks.Add(ParseAck(line));
                }
            }
            finally
            {
                // SIGKILL on Unix: no finalizers, no flushes, no clean shutdown.
                process.Kill();
                await process.WaitForExitAsync(Ct);
            }

            // Lines the child printed before it died were acknowledged too.
            while (await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acks.Add(ParseAck(line));
                }
            }

            Assert.True(acks.Count >= 200, $"only {acks.Count} acks; stderr: {await process.StandardError.ReadToEndAsync(Ct)}");
        }

        await using var store = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = directory.Path });
        foreach (var ack in acks)
        {
            using var read = await store.ReadAsync(new ReadRequest(CrashWriter.Topic, ack.Partition, ack.Offset, ack.Count, 1 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            Assert.Equal(ack.Count, read.Records.Length);
            for (var i = 0; i < ack.Count; i++)
            {
                var record = read.Records.Span[i];
                Assert.Equal(ack.Offset + i, record.Offset);
                Assert.Equal(CrashWriter.Value(ack.Writer, ack.Sequence + i), Encoding.UTF8.GetString(record.Value.Span));
            }
        }

        // Whatever else survived (written, not yet acknowledged) is whole and readable too.
        for (var partition = 0; partition < 2; partition++)
        {
            var next = 0L;
            while (true)
            {
                using var read = await store.ReadAsync(new ReadRequest(CrashWriter.Topic, partition, next, 10_000, 1 << 24), Ct);
                if (read.Records.IsEmpty)
                {
                    break;
                }

                next = read.NextOffset;
            }

            Assert.Equal((await store.GetOffsetsAsync(CrashWriter.Topic, partition, Ct)).Offsets.HighWatermark, next);
        }
    }

    private static (int, long, int, int, long) ParseAck(string line)
    {
        var parts = line.Split(' ');
        Assert.Equal("ack", parts[0]);
        return (
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            int.Parse(parts[4], CultureInfo.InvariantCulture),
            long.Parse(parts[5], CultureInfo.InvariantCulture));
    }

    /// <summary>The crash writer is the benchmark tool, built next to the tests (project reference).</summary>
    private static (string FileName, string[] Arguments) FindCrashWriter()
    {
        var appHost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "KafkaKinesisBridge.Storage.Benchmarks.exe" : "KafkaKinesisBridge.Storage.Benchmarks");
        if (File.Exists(appHost))
        {
            return (appHost, []);
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "KafkaKinesisBridge.Storage.Benchmarks.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? ExternalProcess.Find("dotnet");
        if (!File.Exists(dll) || dotnet is null)
        {
            Prerequisite.Missing("the crash writer (KafkaKinesisBridge.Storage.Benchmarks) is not built next to the tests");
        }

        return (dotnet!, [dll]);
    }
}
