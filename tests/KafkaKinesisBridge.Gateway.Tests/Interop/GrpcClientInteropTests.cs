using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>A gateway on the embedded log for the independent clients, and the descriptor set grpcio loads.</summary>
public sealed class InteropGatewayFixture : IAsyncLifetime
{
    private readonly TempDirectory _files = new("kkb-interop");
    private GatewayHost? _host;

    public GatewayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <summary>
    /// streams.proto, google/rpc/status.proto, google/rpc/error_details.proto and their imports as a
    /// FileDescriptorSet (what <c>protoc --include_imports --descriptor_set_out</c> writes), taken from
    /// the descriptors protoc compiled into this build, so the Python client needs no protoc.
    /// </summary>
    public string DescriptorSetPath { get; private set; } = string.Empty;

    public async ValueTask InitializeAsync()
    {
        DescriptorSetPath = Path.Combine(_files.Path, "streams.pb");
        await File.WriteAllBytesAsync(
            DescriptorSetPath,
            DescriptorSet(StreamsReflection.Descriptor, Google.Rpc.StatusReflection.Descriptor, Google.Rpc.ErrorDetailsReflection.Descriptor).ToByteArray());
        _host = await GatewayHost.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        _files.Dispose();
        GC.SuppressFinalize(this);
    }

    private static FileDescriptorSet DescriptorSet(params FileDescriptor[] roots)
    {
        // Dependencies first, each file once (the order protoc writes and a descriptor pool needs).
        var ordered = new List<FileDescriptor>();
        void Visit(FileDescriptor file)
        {
            if (ordered.Any(f => f.Name == file.Name))
            {
                return;
            }

            foreach (var dependency in file.Dependencies)
            {
                Visit(dependency);
            }

            ordered.Add(file);
        }

        foreach (var root in roots)
        {
            Visit(root);
        }

        var set = new FileDescriptorSet();
        set.File.AddRange(ordered.Select(f => FileDescriptorProto.Parser.ParseFrom(f.SerializedData)));
        return set;
    }
}

/// <summary>
/// Independent gRPC implementations against the real gateway: grpcio (the gRPC C core, Debian
/// python3-grpcio) and @grpc/grpc-js (pure JavaScript). Each script (tests/interop/grpc-gateway)
/// creates a stream, puts records single and batched, reads them back with GetShardIterator +
/// GetRecords, and decodes two Kinesis errors; it exits non-zero on any mismatch. The test checks its
/// report and then reads the stream with this project's client, so both sides agree on every record.
/// </summary>
public sealed class GrpcClientInteropTests(InteropGatewayFixture fixture) : IClassFixture<InteropGatewayFixture>
{
    private static string ScriptsDirectory => Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "grpc-gateway");

    [Fact]
    public async Task Grpcio_StreamLifecycleRecordsAndErrors_MatchTheGateway()
    {
        var python = await InteropPython.FindWithGrpcAsync();
        if (python is null)
        {
            Prerequisite.Missing("python3 with the grpc and google.protobuf modules (Debian python3-grpcio, python3-protobuf) is not installed");
            return;
        }

        var stream = GatewayHost.NewStreamName("py");
        var result = await ExternalProcess.RunAsync(
            python,
            [Path.Combine(ScriptsDirectory, "kinesis_grpc_client.py"), fixture.Host.Target, stream, fixture.DescriptorSetPath],
            environment: new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8" },
            timeout: TimeSpan.FromMinutes(1),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertReportAsync(result.StandardOutput, stream, expectedNotFoundCode: "NOT_FOUND", expectedValidationCode: "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task GrpcJs_StreamLifecycleRecordsAndErrors_MatchTheGateway()
    {
        var node = ExternalProcess.Find("node");
        var modules = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules");
        if (node is null)
        {
            Prerequisite.Missing("node is not installed");
            return;
        }

        foreach (var package in new[] { "@grpc/grpc-js", "@grpc/proto-loader" })
        {
            if (!Directory.Exists(Path.Combine(modules, package)))
            {
                Prerequisite.Missing($"npm package {package} is not installed under tests/interop (run `make npm`)");
            }
        }

        var stream = GatewayHost.NewStreamName("js");
        var result = await ExternalProcess.RunAsync(
            node,
            [Path.Combine(ScriptsDirectory, "kinesis_grpc_client.js"), fixture.Host.Target, stream, Path.Combine(ExternalProcess.RepositoryRoot, "protos")],
            timeout: TimeSpan.FromMinutes(1),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertReportAsync(result.StandardOutput, stream, expectedNotFoundCode: "5", expectedValidationCode: "3");
    }

    private async Task AssertReportAsync(string output, string stream, string expectedNotFoundCode, string expectedValidationCode)
    {
        using var document = JsonDocument.Parse(output);
        var report = document.RootElement;
        Assert.Equal(stream, report.GetProperty("stream").GetString());
        Assert.Equal(KinesisStreams.Descriptor.Methods.Select(m => m.Name), report.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("STREAM_STATUS_ACTIVE", report.GetProperty("describe").GetProperty("status").GetString());

        // The client saw each error exactly as streams.proto specifies it.
        var notFound = report.GetProperty("not_found");
        // grpcio reports the code by name, grpc-js by number.
        Assert.Equal(expectedNotFoundCode, notFound.GetProperty("code").ToString());
        Assert.Equal($"Stream {stream}-missing under account 000000000000 not found.", notFound.GetProperty("details").GetString());
        Assert.Equal("ResourceNotFoundException", notFound.GetProperty("kinesis_error_type").GetString());
        Assert.Equal(5, notFound.GetProperty("status_code").GetInt32());
        Assert.Equal("ResourceNotFoundException", notFound.GetProperty("reason").GetString());
        Assert.Equal("kinesis.amazonaws.com", notFound.GetProperty("domain").GetString());
        var validation = report.GetProperty("validation");
        Assert.Equal(expectedValidationCode, validation.GetProperty("code").ToString());
        Assert.Equal("ValidationException", validation.GetProperty("kinesis_error_type").GetString());
        Assert.Equal("ValidationException", validation.GetProperty("reason").GetString());
        Assert.Equal(3, validation.GetProperty("status_code").GetInt32());

        // What the script put is what this project's client reads, record for record.
        var puts = report.GetProperty("puts").EnumerateArray()
            .Select(p => (Shard: p.GetProperty("shard_id").GetString()!, Sequence: p.GetProperty("sequence_number").GetString()!, Key: p.GetProperty("partition_key").GetString()!, Data: p.GetProperty("data").GetString()!))
            .ToList();
        Assert.Equal(7, puts.Count);
        var kinesis = fixture.Host.Kinesis;
        var description = (await kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = stream })).StreamDescription;
        foreach (var shard in description.Shards)
        {
            var expected = puts.Where(p => p.Shard == shard.ShardId).ToList();
            var iterator = await kinesis.GetShardIteratorAsync(stream, shard.ShardId, ShardIteratorType.TrimHorizon);
            var (records, _) = await kinesis.ReadAsync(iterator);
            Assert.Equal(
                expected.OrderBy(p => KinesisAssert.Sequence(p.Sequence)).Select(p => (p.Sequence, p.Key, p.Data)),
                records.Select(r => (r.SequenceNumber, r.PartitionKey, Convert.ToBase64String(r.Data.Span))));
            foreach (var put in expected)
            {
                Assert.Equal(KinesisAssert.ShardFor(description.Shards, KinesisAssert.HashKeyOf(put.Key)).ShardId, put.Shard);
            }
        }
    }

}
