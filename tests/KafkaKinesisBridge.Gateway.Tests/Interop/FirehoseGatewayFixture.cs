using System.Diagnostics;
using System.Text.Json;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// A real S3-compatible server (the npm package s3rver, on local files, port 0) and the real gateway
/// process delivering Firehose objects to it (<c>Firehose:Sink:S3Endpoint</c>, with the fixed
/// credentials s3rver verifies SigV4 with). When node or s3rver is missing, <see cref="SkipReason"/>
/// says so and the tests skip (fail under <c>make test</c>).
/// </summary>
public sealed class FirehoseGatewayFixture : IAsyncLifetime
{
    /// <summary>The buckets s3rver creates at start, one per scenario.</summary>
    public static readonly string[] Buckets = ["cli-bucket", "boto3-bucket", "js-bucket", "raw-bucket"];

    private readonly TempDirectory _data = new("kkb-firehose-gateway");
    private readonly TempDirectory _objects = new("kkb-firehose-s3rver");
    private Process? _s3rver;
    private GatewayProcess? _gateway;

    /// <summary>Why the scenarios cannot run here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The gateway process.</summary>
    public GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException(SkipReason ?? "The gateway is not started.");

    /// <summary>The gateway's endpoint URL.</summary>
    public string Endpoint => Gateway.Address.GetLeftPart(UriPartial.Authority);

    /// <summary>s3rver's endpoint URL.</summary>
    public string S3Endpoint { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var node = ExternalProcess.Find("node");
        var modules = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules");
        if (node is null)
        {
            SkipReason = "node is not installed";
            return;
        }

        foreach (var package in new[] { "s3rver", "@aws-sdk/client-firehose", "@aws-sdk/client-s3", "@aws-sdk/client-kinesis" })
        {
            if (!Directory.Exists(Path.Combine(modules, package)))
            {
                SkipReason = $"npm package {package} is not installed under tests/interop (run `make npm`)";
                return;
            }
        }

        var info = new ProcessStartInfo(node)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "firehose", "s3rver.cjs"));
        info.ArgumentList.Add(_objects.Path);
        foreach (var bucket in Buckets)
        {
            info.ArgumentList.Add(bucket);
        }

        _s3rver = Process.Start(info) ?? throw new InvalidOperationException("s3rver did not start.");
        var line = await _s3rver.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("s3rver exited: " + await _s3rver.StandardError.ReadToEndAsync());
        using var started = JsonDocument.Parse(line);
        S3Endpoint = $"http://127.0.0.1:{started.RootElement.GetProperty("port").GetInt32()}";

        var assembly = GatewayProcess.FindGatewayAssembly()
            ?? throw new InvalidOperationException("KafkaKinesisBridge.Gateway.dll with its runtimeconfig was not found.");
        _gateway = await GatewayProcess.StartAsync(
            assembly,
            _data.Path,
            [$"--Firehose:Sink:S3Endpoint={S3Endpoint}", "--Firehose:Sink:S3Region=us-east-1"],
            new Dictionary<string, string>
            {
                // The S3 client takes its credentials from the SDK's standard chain.
                ["AWS_ACCESS_KEY_ID"] = "S3RVER",
                ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
                ["AWS_REGION"] = "us-east-1",
            },
            TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_s3rver is not null)
        {
            // Closing standard input stops s3rver; kill it if it does not.
            _s3rver.StandardInput.Close();
            if (!_s3rver.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _s3rver.Kill(entireProcessTree: true);
            }

            _s3rver.Dispose();
        }

        _objects.Dispose();
        _data.Dispose();
    }
}
