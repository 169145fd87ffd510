using System.Text.Json;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Grpc.Tests.Interop;

/// <summary>
/// Starts the transport (with gzip response compression on, so replies to clients that accept
/// gzip are compressed) and runs one independent client's scenario script against it once; the
/// tests then check each scenario's outcome. When the client is not installed, every test skips
/// with the reason.
/// </summary>
public abstract class InteropFixture : IAsyncLifetime
{
    internal GrpcTestServer? Server { get; private set; }

    /// <summary>Why the client cannot run here, or null when it ran.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The script's JSON output.</summary>
    public JsonElement Results { get; private set; }

    /// <summary>Prefix of the probe names the script uses ("python", "node").</summary>
    public abstract string ProbePrefix { get; }

    internal static string RepositoryRoot => ExternalProcess.RepositoryRoot;

    public async ValueTask InitializeAsync()
    {
        var (fileName, reason) = await FindClientAsync();
        if (fileName is null)
        {
            SkipReason = reason;
            return;
        }

        Server = await GrpcTestServer.StartAsync(o => o.ResponseCompression = GrpcCompression.Gzip, TestContext.Current.CancellationToken);
        var result = await ExternalProcess.RunAsync(fileName, Arguments(Server.Http2EndPoint.ToString()), timeout: TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"The interop client failed.\n{result}");
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        Results = document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>The program to run, or null and the reason it is unavailable.</summary>
    protected abstract Task<(string? FileName, string? Reason)> FindClientAsync();

    protected abstract IEnumerable<string> Arguments(string target);
}

/// <summary>grpcio (the gRPC C core) through Debian's python3-grpcio.</summary>
public sealed class PythonInteropFixture : InteropFixture
{
    public override string ProbePrefix => "python";

    protected override async Task<(string?, string?)> FindClientAsync()
    {
        // Debian's python3-grpcio lives in the system interpreter; a pyenv or venv python3 earlier
        // on PATH usually lacks it, so try /usr/bin/python3 first.
        foreach (var candidate in new[] { "/usr/bin/python3", ExternalProcess.Find("python3") })
        {
            if (candidate is null || ExternalProcess.Find(candidate) is null)
            {
                continue;
            }

            var probe = await ExternalProcess.RunAsync(candidate, ["-c", "import grpc"], timeout: TimeSpan.FromSeconds(30));
            if (probe.ExitCode == 0)
            {
                return (candidate, null);
            }
        }

        return (null, "python3 with the grpc module (Debian package python3-grpcio) is not installed");
    }

    protected override IEnumerable<string> Arguments(string target) =>
        [Path.Combine(RepositoryRoot, "tests", "interop", "grpc-transport", "echo_client.py"), target];
}

/// <summary>@grpc/grpc-js with @grpc/proto-loader on Node.js.</summary>
public sealed class NodeInteropFixture : InteropFixture
{
    public override string ProbePrefix => "node";

    protected override Task<(string?, string?)> FindClientAsync()
    {
        var node = ExternalProcess.Find("node");
        if (node is null)
        {
            return Task.FromResult<(string?, string?)>((null, "node is not installed"));
        }

        var modules = Path.Combine(RepositoryRoot, "tests", "interop", "node_modules");
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader" })
        {
            if (!Directory.Exists(Path.Combine(modules, package)))
            {
                return Task.FromResult<(string?, string?)>((null, $"npm package {package} is not installed under tests/interop (run `make npm`)"));
            }
        }

        return Task.FromResult<(string?, string?)>((node, null));
    }

    protected override IEnumerable<string> Arguments(string target) =>
    [
        Path.Combine(RepositoryRoot, "tests", "interop", "grpc-transport", "echo_client.js"),
        target,
        Path.Combine(RepositoryRoot, "tests", "KafkaKinesisBridge.Grpc.Tests", "Protos", "echo.proto"),
        Path.Combine(RepositoryRoot, "protos"),
    ];
}
