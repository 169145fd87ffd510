using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>SplitShard, MergeShards and UpdateShardCount over the Kinesis wire (JSON and CBOR), with the core.</summary>
public sealed class ReshardOperationsTests
{
    private const string MaxHashKey = "340282366920938463463374607431768211455";

    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task SplitThenMerge_LineageOnTheWireAndChildShardsAtTheParentsEnd(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "r");
        await host.OkAsync(format, "PutRecord", """{"StreamName":"r","PartitionKey":"k","Data":"AQ=="}""");

        var split = await host.CallAsync(format, "SplitShard", """{"StreamName":"r","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"1000"}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, split.Status);
        await WaitActiveAsync(host, format, "r");

        var shards = (await host.OkAsync(format, "ListShards", """{"StreamName":"r"}"""))!["Shards"]!.AsArray();
        Assert.Equal(3, shards.Count);
        Assert.NotNull(shards[0]!["SequenceNumberRange"]!["EndingSequenceNumber"]);
        Assert.Null(shards[1]!["SequenceNumberRange"]!["EndingSequenceNumber"]);
        Assert.Equal("shardId-000000000000", (string?)shards[1]!["ParentShardId"]);
        Assert.Equal("999", (string?)shards[1]!["HashKeyRange"]!["EndingHashKey"]);
        Assert.Equal("1000", (string?)shards[2]!["HashKeyRange"]!["StartingHashKey"]);
        var iterator = await host.IteratorAsync(format, "r", "shardId-000000000000", "TRIM_HORIZON");
        var page = (await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{iterator}}"}"""))!;
        Assert.Single(page["Records"]!.AsArray());
        Assert.Null(page["NextShardIterator"]);
        Assert.Equal(2, page["ChildShards"]!.AsArray().Count);

        await host.OkAsync(format, "MergeShards", """{"StreamName":"r","ShardToMerge":"shardId-000000000001","AdjacentShardToMerge":"shardId-000000000002"}""");
        await WaitActiveAsync(host, format, "r");
        var merged = (await host.OkAsync(format, "ListShards", """{"StreamName":"r","ShardFilter":{"Type":"AT_LATEST"}}"""))!["Shards"]!.AsArray();
        var child = Assert.Single(merged)!;
        Assert.Equal("shardId-000000000003", (string?)child["ShardId"]);
        Assert.Equal("shardId-000000000001", (string?)child["ParentShardId"]);
        Assert.Equal("shardId-000000000002", (string?)child["AdjacentParentShardId"]);
        Assert.Equal(MaxHashKey, (string?)child["HashKeyRange"]!["EndingHashKey"]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpdateShardCount_OutputShapeAndLimits(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "u", shards: 2);

        var over = await host.ErrorAsync(format, "UpdateShardCount", """{"StreamName":"u","TargetShardCount":5,"ScalingType":"UNIFORM_SCALING"}""", "LimitExceededException");
        Assert.Contains("double", over, StringComparison.Ordinal);
        await host.ErrorAsync(format, "UpdateShardCount", """{"StreamName":"u","TargetShardCount":3,"ScalingType":"NOPE"}""", "ValidationException");
        var response = (await host.OkAsync(format, "UpdateShardCount", """{"StreamName":"u","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}"""))!;

        Assert.Equal("u", (string?)response["StreamName"]);
        Assert.Equal(KinesisCoreHost.Arn("u"), (string?)response["StreamARN"]);
        Assert.Equal(2, (int)response["CurrentShardCount"]!);
        Assert.Equal(4, (int)response["TargetShardCount"]!);
        await WaitActiveAsync(host, format, "u");
        var open = (await host.OkAsync(format, "ListShards", """{"StreamName":"u","ShardFilter":{"Type":"AT_LATEST"}}"""))!["Shards"]!.AsArray();
        Assert.Equal(4, open.Count);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task SplitShard_BadInput_KinesisErrors(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "e", shards: 3);

        await host.ErrorAsync(format, "SplitShard", """{"StreamName":"e","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"0"}""", "InvalidArgumentException");
        await host.ErrorAsync(format, "SplitShard", """{"StreamName":"e","ShardToSplit":"shardId-000000000000"}""", "ValidationException");
        await host.ErrorAsync(format, "SplitShard", """{"StreamName":"e","ShardToSplit":"shardId-000000000009","NewStartingHashKey":"5"}""", "ResourceNotFoundException");
        await host.ErrorAsync(format, "MergeShards", """{"StreamName":"e","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000002"}""", "InvalidArgumentException");
        await host.ErrorAsync(format, "SplitShard", """{"StreamName":"nope","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"5"}""", "ResourceNotFoundException");
    }

    private static Task WaitActiveAsync(KinesisCoreHost host, KinesisWireFormat format, string stream) =>
        Eventually.UntilAsync(
            async () => (string?)(await host.OkAsync(format, "DescribeStreamSummary", $$"""{"StreamName":"{{stream}}"}"""))!["StreamDescriptionSummary"]!["StreamStatus"] == "ACTIVE",
            TimeSpan.FromSeconds(20),
            $"{stream} ACTIVE again");
}
