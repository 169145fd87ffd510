using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway executable run as a child process (<c>dotnet KafkaKinesisBridge.Gateway.dll</c>)
/// on port 0, so a test can kill it with SIGKILL; the listening address is read from its
/// "Now listening on:" log line.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private GatewayProcess(Process process, StringBuilder output, Uri address)
    {
        _process = process;
        _output = output;
        Address = address;
        Channel = KinesisStreamsClient.CreateChannel(address);
        Kinesis = new KinesisStreamsClient(Channel);
    }

    /// <summary>The gateway's address.</summary>
    public Uri Address { get; }

    /// <summary>The process id (for /proc measurements).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The resident set size now, from /proc/{pid}/status (VmRSS), in bytes.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                return kib * 1024;
            }
        }

        throw new InvalidOperationException("VmRSS not found in /proc status.");
    }

    /// <summary>True once the process has ended (crashed or killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>A gRPC channel to the gateway.</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The typed client.</summary>
    public KinesisStreamsClient Kinesis { get; }

    /// <summary>What the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// The gateway assembly: the Gateway project's own build output (baked in at build time), else
    /// the copy next to the test binaries; null when neither exists.
    /// </summary>
    public static string? FindGatewayAssembly()
    {
        var baked = typeof(GatewayProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "GatewayOutputDirectory")?.Value;
        foreach (var directory in new[] { baked, AppContext.BaseDirectory })
        {
            if (directory is null)
            {
                continue;
            }

            var dll = Path.Combine(directory, "KafkaKinesisBridge.Gateway.dll");
            if (File.Exists(dll) && File.Exists(Path.Combine(directory, "KafkaKinesisBridge.Gateway.runtimeconfig.json")))
            {
                return dll;
            }
        }

        return null;
    }

    /// <summary>Starts the gateway on the embedded log in <paramref name="dataDirectory"/> and waits until it listens.</summary>
    public static Task<GatewayProcess> StartAsync(string gatewayAssembly, string dataDirectory, CancellationToken cancellationToken) =>
        StartAsync(gatewayAssembly, dataDirectory, [], cancellationToken);

    /// <summary>
    /// Starts the gateway on the embedded log in <paramref name="dataDirectory"/> with
    /// <paramref name="extraArguments"/> after the defaults (configuration such as
    /// <c>--KinesisApi:AuthMode=Verify</c>, which then wins), and waits until it listens.
    /// </summary>
    public static Task<GatewayProcess> StartAsync(string gatewayAssembly, string dataDirectory, IEnumerable<string> extraArguments, CancellationToken cancellationToken) =>
        StartAsync(gatewayAssembly, dataDirectory, extraArguments, environment: null, cancellationToken);

    /// <summary>
    /// As above, with <paramref name="environment"/> variables set for the process (runtime
    /// settings such as <c>DOTNET_GCHeapHardLimit</c>).
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(
        string gatewayAssembly,
        string dataDirectory,
        IEnumerable<string> extraArguments,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? ExternalProcess.Find("dotnet")
            ?? throw new InvalidOperationException("dotnet is not on PATH.");
        var info = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(gatewayAssembly)!,
        };
        foreach (var argument in new[]
        {
            gatewayAssembly,
            "--address", "127.0.0.1",
            "--port", "0",
            "--storage", "embedded",
            "--data-dir", dataDirectory,
            "--quotas", "false",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            "--Logging:Console:FormatterName=simple",
        }.Concat(extraArguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["address"].Value));
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"The gateway exited with code {process.ExitCode} before listening."));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new GatewayProcess(process, output, address);
        }
        catch (Exception ex)
        {
            Kill(process);
            process.Dispose();
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            throw new InvalidOperationException($"The gateway process did not start: {ex.Message}\n{text}", ex);
        }
    }

    /// <summary>Kills the process with SIGKILL (no shutdown code runs) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            // Process.Kill sends SIGKILL on Unix.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [GeneratedRegex(@"Now listening on: (?<address>https?://[^\s]+)")]
    private static partial Regex ListeningLine();
}
