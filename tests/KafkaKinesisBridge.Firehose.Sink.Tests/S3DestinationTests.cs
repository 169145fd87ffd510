using System.Diagnostics;
using System.Text.Json;
using Amazon.Runtime;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

/// <summary>
/// The S3 destination against a real S3-compatible server (the npm package s3rver, which checks
/// SigV4 with the fixed credentials S3RVER/S3RVER and needs path-style addressing), read back with
/// independent tools: the AWS CLI downloads the objects and python's gzip module decompresses them.
/// </summary>
public sealed class S3DestinationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Worker_S3Destination_ObjectsReadBackWithTheAwsCliAndPythonGzip()
    {
        var node = ExternalProcess.Find("node");
        var modules = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules");
        var aws = File.Exists("/usr/bin/aws") ? "/usr/bin/aws" : ExternalProcess.Find("aws");
        var python = ExternalProcess.Find("python3");
        if (node is null || !Directory.Exists(Path.Combine(modules, "s3rver")) || aws is null || python is null)
        {
            Prerequisite.Missing("node with s3rver (cd tests/interop && npm ci), the AWS CLI and python3 are needed");
        }

        using var s3Directory = new TempDirectory("kkb-s3rver");
        using var s3rver = StartS3rver(node!, modules, s3Directory.Path);
        try
        {
            var port = await ReadPortAsync(s3rver);
            var endpoint = $"http://127.0.0.1:{port}";
            await using var sink = new SinkHarness(partitions: 2);
            using var store = new S3ObjectStore(endpoint, "us-east-1", new BasicAWSCredentials("S3RVER", "S3RVER"));
            var counting = new CountingStore(store);
            sink.Store = counting;
            await sink.CreateTopicAsync("fh-s3");
            var written = await sink.WriteAsync("fh-s3", 300);
            await sink.StartAsync(SinkHarness.Stream("fh-s3", d => d with { Compression = SinkCompressionFormat.Gzip, Prefix = "clicks/!{timestamp:yyyy/MM/dd}/", ErrorOutputPrefix = "errors/!{firehose:error-output-type}/" }));
            await Eventually.UntilAsync(() => counting.Records >= 2, Patience, "objects written to s3rver");
            await sink.StopAsync();

            using var download = new TempDirectory("kkb-s3-download");
            var environment = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "S3RVER",
                ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_CONFIG_FILE"] = "/dev/null",
            };
            var copy = await ExternalProcess.RunAsync(aws!, ["--endpoint-url", endpoint, "s3", "cp", "s3://archive/", download.Path, "--recursive"], environment, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(copy.ExitCode == 0, copy.ToString());
            var read = await ExternalProcess.RunAsync(python!, ["-c", """
                import gzip, pathlib, sys
                for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.gz")):
                    print(path.relative_to(sys.argv[1]).as_posix(), gzip.decompress(path.read_bytes()).decode().count("\n"))
                    sys.stderr.write(gzip.decompress(path.read_bytes()).decode())
                """, download.Path], cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(read.ExitCode == 0, read.ToString());
            var objects = read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.NotEmpty(objects);
            Assert.All(objects, o => Assert.Matches(@"^clicks/\d{4}/\d\d/\d\d/orders-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f-]{36}\.gz \d+$", o));
            Assert.Equal(written.Order(StringComparer.Ordinal), read.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        }
        finally
        {
            s3rver.Kill(entireProcessTree: true);
            await s3rver.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static Process StartS3rver(string node, string modules, string directory)
    {
        var info = new ProcessStartInfo(node)
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(modules)!,
        };
        info.ArgumentList.Add("-e");
        info.ArgumentList.Add("""
            const S3rver = require('s3rver');
            new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[1], configureBuckets: [{ name: 'archive' }] })
              .run().then(address => console.log(JSON.stringify(address)));
            """);
        info.ArgumentList.Add(directory);
        return Process.Start(info)!;
    }

    private static async Task<int> ReadPortAsync(Process s3rver)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await s3rver.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("s3rver did not start");
        using var json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("port").GetInt32();
    }

    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private int _records;

        public string Name => inner.Name;

        public int Records => Volatile.Read(ref _records);

        public async Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            await inner.PutObjectAsync(bucket, key, content, cancellationToken);
            Interlocked.Increment(ref _records);
        }
    }
}
