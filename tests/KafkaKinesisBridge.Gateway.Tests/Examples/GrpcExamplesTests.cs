using System.Reflection;
using System.Text.RegularExpressions;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Examples;

/// <summary>One gateway on the embedded log for the examples, and a folder for the Python example's generated code.</summary>
public sealed class ExamplesGatewayFixture : IAsyncLifetime
{
    private readonly TempDirectory _files = new("kkb-examples");
    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <summary>The endpoint as a user passes it to an example: http://127.0.0.1:port.</summary>
    public string Endpoint => Host.Address.GetLeftPart(UriPartial.Authority);

    public string FilesDirectory => _files.Path;

    public async ValueTask InitializeAsync() =>
        _host = await GatewayHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _files.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// The gRPC examples of examples/ (what a new user copies from) run as a user runs them, each as a
/// child process against a real gateway: each creates a stream, puts three records, reads them back
/// from TRIM_HORIZON, prints them and deletes the stream. The test checks the exit code and that what
/// each printed as read is exactly what it printed as put, in order.
/// </summary>
public sealed partial class GrpcExamplesTests(ExamplesGatewayFixture fixture) : IClassFixture<ExamplesGatewayFixture>
{
    private static readonly TimeSpan ExampleTimeout = TimeSpan.FromMinutes(1);

    private static string ExamplesDirectory => Path.Combine(ExternalProcess.RepositoryRoot, "examples");

    [Fact]
    public async Task CSharpExample_AgainstGateway_ReadsBackWhatItPut()
    {
        var dll = FindCSharpExample();
        if (dll is null)
        {
            Prerequisite.Missing("the C# example is not built (examples/csharp is part of KafkaKinesisBridge.sln: `make build`)");
        }

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? ExternalProcess.Find("dotnet")
            ?? throw new InvalidOperationException("dotnet is not on PATH.");
        var stream = GatewayHost.NewStreamName("cs");
        var result = await ExternalProcess.RunAsync(
            dotnet, [dll, fixture.Endpoint, stream], timeout: ExampleTimeout, cancellationToken: TestContext.Current.CancellationToken);

        AssertReadBackWhatItPut(result, stream);
    }

    [Fact]
    public async Task PythonExample_AgainstGateway_ReadsBackWhatItPut()
    {
        if (ExternalProcess.Find("protoc") is null)
        {
            Prerequisite.Missing("protoc is not installed (Debian protobuf-compiler)");
        }

        if (!File.Exists("/usr/include/google/protobuf/timestamp.proto") && !File.Exists("/usr/local/include/google/protobuf/timestamp.proto"))
        {
            Prerequisite.Missing("the well-known .proto files protoc imports (google/protobuf/timestamp.proto) are not installed (Debian libprotobuf-dev)");
        }

        var python = await InteropPython.FindWithGrpcAsync();
        if (python is null)
        {
            Prerequisite.Missing("python3 with the grpc and google.protobuf modules (Debian python3-grpcio, python3-protobuf) is not installed");
        }

        var stream = GatewayHost.NewStreamName("py");
        var result = await ExternalProcess.RunAsync(
            "bash",
            [Path.Combine(ExamplesDirectory, "python", "run.sh"), fixture.Endpoint, stream],
            environment: new Dictionary<string, string?>
            {
                ["PYTHON"] = python,
                ["GENERATED_DIR"] = Path.Combine(fixture.FilesDirectory, "python-generated"),
                ["PYTHONIOENCODING"] = "utf-8",
                ["PYTHONDONTWRITEBYTECODE"] = "1",
            },
            timeout: ExampleTimeout,
            cancellationToken: TestContext.Current.CancellationToken);

        AssertReadBackWhatItPut(result, stream);
    }

    [Fact]
    public async Task NodeExample_AgainstGateway_ReadsBackWhatItPut()
    {
        var node = ExternalProcess.Find("node");
        if (node is null)
        {
            Prerequisite.Missing("node is not installed");
        }

        var directory = Path.Combine(ExamplesDirectory, "node");
        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs" })
        {
            if (!Directory.Exists(Path.Combine(directory, "node_modules", package)))
            {
                Prerequisite.Missing($"npm package {package} is not installed under examples/node (run `make npm`)");
            }
        }

        var stream = GatewayHost.NewStreamName("js");
        var result = await ExternalProcess.RunAsync(
            node,
            [Path.Combine(directory, "kinesis_example.js"), fixture.Endpoint, stream],
            workingDirectory: directory,
            timeout: ExampleTimeout,
            cancellationToken: TestContext.Current.CancellationToken);

        AssertReadBackWhatItPut(result, stream);
    }

    /// <summary>
    /// The example's output: the stream's lifecycle lines, three "put KEY -> SHARD SEQUENCE" lines
    /// and three "read SEQUENCE KEY DATA" lines with the same sequence numbers, in put order.
    /// </summary>
    private static void AssertReadBackWhatItPut(ProcessResult result, string stream)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length > 0, result.ToString());
        Assert.Equal($"created stream {stream}", lines[0]);
        Assert.Contains($"stream {stream} is ACTIVE", lines);
        Assert.Equal($"deleted stream {stream}", lines[^1]);

        var puts = lines.Select(l => PutLine().Match(l)).Where(m => m.Success)
            .Select(m => (Key: m.Groups["key"].Value, Shard: m.Groups["shard"].Value, Sequence: m.Groups["sequence"].Value))
            .ToList();
        Assert.Equal(["key-1", "key-2", "key-3"], puts.Select(p => p.Key));
        Assert.All(puts, p => Assert.Equal("shardId-000000000000", p.Shard));

        var reads = lines.Select(l => ReadLine().Match(l)).Where(m => m.Success)
            .Select(m => (Sequence: m.Groups["sequence"].Value, Key: m.Groups["key"].Value, Data: m.Groups["data"].Value))
            .ToList();
        Assert.Equal(
            puts.Select((p, i) => (p.Sequence, p.Key, $"record {i + 1}")),
            reads);
        Assert.Contains("read 3 records", lines);
    }

    private static string? FindCSharpExample()
    {
        var directory = typeof(GrpcExamplesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CSharpExampleOutputDirectory")?.Value;
        if (directory is null)
        {
            return null;
        }

        var dll = Path.Combine(directory, "KafkaKinesisBridge.Examples.Grpc.dll");
        return File.Exists(dll) && File.Exists(Path.Combine(directory, "KafkaKinesisBridge.Examples.Grpc.runtimeconfig.json")) ? dll : null;
    }

    [GeneratedRegex(@"^put (?<key>\S+) -> (?<shard>\S+) (?<sequence>\d+)$")]
    private static partial Regex PutLine();

    [GeneratedRegex(@"^read (?<sequence>\d+) (?<key>\S+) (?<data>.+)$")]
    private static partial Regex ReadLine();
}
