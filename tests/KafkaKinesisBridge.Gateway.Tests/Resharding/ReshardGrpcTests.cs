using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Resharding;

/// <summary>SplitShard, MergeShards and UpdateShardCount through the gRPC front door (Grpc.Net.Client, generated client).</summary>
public sealed class ReshardGrpcTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SplitMergeAndUpdateShardCount_OverGrpc_LineageAndErrors()
    {
        await using var host = await GatewayHost.StartAsync(cancellationToken: Ct);
        var client = host.Kinesis.Client;
        var options = KinesisStreamsClient.Options;
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = "g", ShardCount = 2 }, options);
        await WaitActiveAsync(host, "g");

        await client.SplitShardAsync(new SplitShardRequest { StreamName = "g", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, KinesisStreamsClient.Options);
        await WaitActiveAsync(host, "g");
        await client.MergeShardsAsync(new MergeShardsRequest { StreamName = "g", ShardToMerge = "shardId-000000000003", AdjacentShardToMerge = "shardId-000000000001" }, KinesisStreamsClient.Options);
        await WaitActiveAsync(host, "g");

        var shards = (await client.ListShardsAsync(new ListShardsRequest { StreamName = "g" }, KinesisStreamsClient.Options)).Shards;
        Assert.Equal(5, shards.Count);
        Assert.Equal("shardId-000000000003", shards[4].ParentShardId);
        Assert.Equal("shardId-000000000001", shards[4].AdjacentParentShardId);

        var scaled = await client.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "g", TargetShardCount = 4, ScalingType = "UNIFORM_SCALING" }, KinesisStreamsClient.Options);
        Assert.Equal((2, 4), (scaled.CurrentShardCount, scaled.TargetShardCount));
        await WaitActiveAsync(host, "g");

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.MergeShardsAsync(new MergeShardsRequest { StreamName = "g", ShardToMerge = "shardId-000000000000", AdjacentShardToMerge = "shardId-000000000002" }, KinesisStreamsClient.Options));
        KinesisAssert.AssertKinesisError(error, StatusCode.InvalidArgument, "InvalidArgumentException");
    }

    private static Task WaitActiveAsync(GatewayHost host, string stream) =>
        Eventually.UntilAsync(
            async () => (await host.Kinesis.Client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = stream }, KinesisStreamsClient.Options))
                .StreamDescriptionSummary.StreamStatus == StreamStatus.Active,
            TimeSpan.FromSeconds(20),
            $"{stream} ACTIVE");
}
