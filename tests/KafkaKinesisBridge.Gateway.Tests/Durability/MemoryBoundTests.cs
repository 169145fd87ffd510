using Google.Protobuf;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Durability;

/// <summary>
/// The gateway's memory does not grow with the data it stores: the real gateway process on the
/// embedded log takes hundreds of megabytes and serves them back, and its resident set stays within
/// a fixed bound (the target is 512 MiB) and does not follow the volume written.
/// </summary>
public sealed class MemoryBoundTests
{
    private const int RecordBytes = 10 * 1024;
    private const int RecordsPerCall = 50;
    private const long BoundBytes = 512L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAndReadBackHundredsOfMegabytes_ResidentMemoryStaysBounded()
    {
        var assembly = GatewayProcess.FindGatewayAssembly();
        if (assembly is null)
        {
            Prerequisite.Missing("KafkaKinesisBridge.Gateway.dll with its runtimeconfig was not found; run `make build`");
        }

        using var data = new TempDirectory("kkb-memory");
        await using var gateway = await GatewayProcess.StartAsync(assembly, data.Path, ["--quotas", "false"], Ct);
        var name = GatewayHost.NewStreamName("memory");
        await gateway.Kinesis.CreateStreamAsync(name, 2);
        var payload = ByteString.CopyFrom(new byte[RecordBytes]);
        var request = new PutRecordsRequest { StreamName = name };
        for (var i = 0; i < RecordsPerCall; i++)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = $"key-{i}", Data = payload });
        }

        // 40 MB to warm up (JIT, pools, caches), then ten times as much.
        long written = 0;
        long peak = 0;
        async Task WriteAsync(long bytes)
        {
            for (long done = 0; done < bytes; done += RecordsPerCall * RecordBytes)
            {
                var response = await gateway.Kinesis.PutRecordsAsync(request);
                Assert.Equal(0, response.FailedRecordCount);
                written += RecordsPerCall * RecordBytes;
                peak = Math.Max(peak, gateway.ResidentBytes());
            }
        }

        await WriteAsync(40L * 1024 * 1024);
        var afterWarmup = gateway.ResidentBytes();
        await WriteAsync(400L * 1024 * 1024);

        long read = 0;
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var iterator = await gateway.Kinesis.GetShardIteratorAsync(name, shard, ShardIteratorType.TrimHorizon);
            while (true)
            {
                var response = await gateway.Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
                read += response.Records.Sum(r => (long)r.Data.Length);
                peak = Math.Max(peak, gateway.ResidentBytes());
                iterator = response.NextShardIterator;
                if (response.Records.Count == 0 && response.MillisBehindLatest == 0)
                {
                    break;
                }
            }
        }

        Assert.Equal(written, read);
        TestContext.Current.TestOutputHelper?.WriteLine($"written {written >> 20} MiB, RSS after warm-up {afterWarmup >> 20} MiB, peak {peak >> 20} MiB");
        Assert.True(peak < BoundBytes, $"peak RSS {peak >> 20} MiB");

        // Ten times the data after warm-up: the growth is bounded by caches and pools, not the volume.
        Assert.True(peak - afterWarmup < 200L * 1024 * 1024, $"RSS grew from {afterWarmup >> 20} MiB to {peak >> 20} MiB while writing and reading {written >> 20} MiB");
    }
}
