using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KafkaKinesisBridge.Bench.Hosting;

/// <summary>
/// A gateway started by the benchmark as a separate process (so its memory is measured alone),
/// on a free loopback port with a fresh data directory, sampled for resident memory while it runs.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _ownedDataDirectory;
    private readonly CancellationTokenSource _samplerStop = new();
    private readonly Task _sampler;
    private long _peakRss;
    private long _currentRss;

    private GatewayProcess(Process process, int port, string? ownedDataDirectory)
    {
        _process = process;
        Port = port;
        _ownedDataDirectory = ownedDataDirectory;
        _sampler = SampleAsync(_samplerStop.Token);
    }

    /// <summary>The port the gateway serves gRPC and the Kinesis API on.</summary>
    public int Port { get; }

    /// <summary>The gateway's base address.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Highest resident set size seen since start or the last <see cref="ResetPeak"/>.</summary>
    public long PeakRssBytes => Interlocked.Read(ref _peakRss);

    /// <summary>Resident set size at the last sample.</summary>
    public long? CurrentRssBytes => Interlocked.Read(ref _currentRss) is var v && v > 0 ? v : null;

    /// <summary>Restarts peak tracking (for example after the warm-up).</summary>
    public void ResetPeak() => Interlocked.Exchange(ref _peakRss, Interlocked.Read(ref _currentRss));

    /// <summary>
    /// Starts the gateway found next to this tool's build output (or at <paramref name="gatewayDll"/>)
    /// and waits until it accepts connections.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(
        string? gatewayDll,
        IReadOnlyList<string> extraArguments,
        TextWriter log,
        CancellationToken cancellationToken)
    {
        var dll = gatewayDll ?? LocateGateway();
        var port = FreePort();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "kkb-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--port");
        info.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--data-dir");
        info.ArgumentList.Add(dataDirectory);
        foreach (var argument in extraArguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["Logging__LogLevel__Default"] = "Warning";
        log.WriteLine($"starting gateway: dotnet {string.Join(' ', info.ArgumentList)}");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the gateway.");
        var stderrTail = new Queue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderrTail)
            {
                stderrTail.Enqueue(e.Data);
                if (stderrTail.Count > 50)
                {
                    stderrTail.Dequeue();
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var gateway = new GatewayProcess(process, port, dataDirectory);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                string tail;
                lock (stderrTail)
                {
                    tail = string.Join('\n', stderrTail);
                }

                await gateway.DisposeAsync();
                throw new InvalidOperationException($"The gateway exited with code {process.ExitCode}:\n{tail}");
            }

            if (await CanConnectAsync(port, cancellationToken))
            {
                return gateway;
            }

            if (DateTime.UtcNow > deadline)
            {
                await gateway.DisposeAsync();
                throw new TimeoutException("The gateway did not start listening within 60 s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _samplerStop.CancelAsync();
        await _sampler;
        if (!_process.HasExited)
        {
            // SIGTERM first: the gateway shuts down gracefully; kill if it does not within 10 s.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        _samplerStop.Dispose();
        if (_ownedDataDirectory is not null && Directory.Exists(_ownedDataDirectory))
        {
            Directory.Delete(_ownedDataDirectory, recursive: true);
        }
    }

    private async Task SampleAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                if (ReadRss(_process.Id) is { } rss)
                {
                    Interlocked.Exchange(ref _currentRss, rss);
                    if (rss > Interlocked.Read(ref _peakRss))
                    {
                        Interlocked.Exchange(ref _peakRss, rss);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>VmRSS of a process from /proc (Linux), in bytes.</summary>
    internal static long? ReadRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kib = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    return kib * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static async Task<bool> CanConnectAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateGateway()
    {
        // Build outputs are laid out as <artifacts>/bin/<Project>/<configuration>/ (UseArtifactsOutput).
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var configuration = Path.GetFileName(here);
        var binRoot = Path.GetDirectoryName(Path.GetDirectoryName(here))!;
        var candidate = Path.Combine(binRoot, "KafkaKinesisBridge.Gateway", configuration, "KafkaKinesisBridge.Gateway.dll");
        return File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException($"Gateway not built at {candidate}; run `make bench` or pass --gateway-dll.");
    }
}
