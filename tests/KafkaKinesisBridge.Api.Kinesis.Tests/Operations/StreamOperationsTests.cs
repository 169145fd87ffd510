using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Kinesis.Operations;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static KafkaKinesisBridge.Api.Kinesis.Tests.Operations.WireDocuments;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>
/// Stream lifecycle, description and settings operations through real HTTP against the real core,
/// in AWS JSON 1.1 and AWS CBOR 1.1. Shapes follow the Kinesis API reference and the service model.
/// </summary>
public sealed class StreamOperationsTests
{
    private const string MaxHashKey = "340282366920938463463374607431768211455";

    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_ThenDescribeStream_ExactKinesisShape(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var create = await host.CallAsync(format, "CreateStream", """{"StreamName":"orders","ShardCount":2}""");
        Assert.Equal(HttpStatusCode.OK, create.Status);
        Assert.Empty(create.Body);
        Assert.False(string.IsNullOrEmpty(create.RequestId));

        var document = await host.OkAsync(format, "DescribeStream", """{"StreamName":"orders"}""");
        Assert.Equal(["StreamDescription"], Members(document));
        var d = document!["StreamDescription"]!;
        Assert.Equal(
            ["EncryptionType", "EnhancedMonitoring", "HasMoreShards", "RetentionPeriodHours", "Shards", "StreamARN", "StreamCreationTimestamp", "StreamModeDetails", "StreamName", "StreamStatus"],
            SortedMembers(d));
        Assert.Equal("orders", (string?)d["StreamName"]);
        Assert.Equal(KinesisCoreHost.Arn("orders"), (string?)d["StreamARN"]);
        Assert.Equal("ACTIVE", (string?)d["StreamStatus"]);
        Assert.Equal("PROVISIONED", (string?)d["StreamModeDetails"]!["StreamMode"]);
        Assert.False((bool)d["HasMoreShards"]!);
        Assert.Equal(24, (int)d["RetentionPeriodHours"]!);
        Assert.Equal(KinesisCoreHost.StartMs, (long)d["StreamCreationTimestamp"]!);
        Assert.Equal("NONE", (string?)d["EncryptionType"]);
        Assert.Equal("""[{"ShardLevelMetrics":[]}]""", d["EnhancedMonitoring"]!.ToJsonString());

        var shards = d["Shards"]!.AsArray();
        Assert.Equal(2, shards.Count);
        AssertOpenShard(shards[0]!, "shardId-000000000000", "0", "170141183460469231731687303715884105727");
        AssertOpenShard(shards[1]!, "shardId-000000000001", "170141183460469231731687303715884105728", MaxHashKey);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DescribeStreamSummary_ByNameOrArn_ExactKinesisShape(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "summary", shards: 3);

        foreach (var request in new[] { """{"StreamName":"summary"}""", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("summary")}}"}""" })
        {
            var document = await host.OkAsync(format, "DescribeStreamSummary", request);
            Assert.Equal(["StreamDescriptionSummary"], Members(document));
            var s = document!["StreamDescriptionSummary"]!;
            Assert.Equal(
                ["ConsumerCount", "EncryptionType", "EnhancedMonitoring", "MaxRecordSizeInKiB", "OpenShardCount", "RetentionPeriodHours", "StreamARN", "StreamCreationTimestamp", "StreamModeDetails", "StreamName", "StreamStatus"],
                SortedMembers(s));
            Assert.Equal("summary", (string?)s["StreamName"]);
            Assert.Equal(KinesisCoreHost.Arn("summary"), (string?)s["StreamARN"]);
            Assert.Equal("ACTIVE", (string?)s["StreamStatus"]);
            Assert.Equal(3, (int)s["OpenShardCount"]!);
            Assert.Equal(0, (int)s["ConsumerCount"]!);
            Assert.Equal(1024, (int)s["MaxRecordSizeInKiB"]!);
            Assert.Equal(KinesisCoreHost.StartMs, (long)s["StreamCreationTimestamp"]!);
        }
    }

    [Fact]
    public async Task DescribeStreamSummary_Json_TimestampIsEpochSecondsWithMillis()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(KinesisWireFormat.Json, "ts");
        var response = await host.CallAsync(KinesisWireFormat.Json, "DescribeStreamSummary", """{"StreamName":"ts"}""");
        Assert.Contains("\"StreamCreationTimestamp\":1712345678.123,", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeStreamSummary_Cbor_TimestampIsTag1IntegerMillis()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(KinesisWireFormat.Cbor, "ts");
        var response = await host.CallAsync(KinesisWireFormat.Cbor, "DescribeStreamSummary", """{"StreamName":"ts"}""");

        // Text string key (0x77 = text of 23 bytes), then tag 1 (0xC1), then a uint64 (0x1B) of milliseconds.
        var key = new byte[] { 0x77 }.Concat("StreamCreationTimestamp"u8.ToArray()).ToArray();
        var at = response.Body.AsSpan().IndexOf(key);
        Assert.True(at >= 0, "StreamCreationTimestamp key not found");
        var value = response.Body.AsSpan(at + key.Length);
        Assert.Equal(0xC1, value[0]);
        Assert.Equal(0x1B, value[1]);
        Assert.Equal((ulong)KinesisCoreHost.StartMs, BinaryPrimitives.ReadUInt64BigEndian(value[2..]));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ListStreams_Paged_NamesSummariesAndNextToken(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "b-stream");
        await host.CreateStreamAsync(format, "a-stream");

        var first = await host.OkAsync(format, "ListStreams", """{"Limit":1}""");
        Assert.Equal(["HasMoreStreams", "NextToken", "StreamNames", "StreamSummaries"], SortedMembers(first));
        Assert.Equal("""["a-stream"]""", first!["StreamNames"]!.ToJsonString());
        Assert.True((bool)first["HasMoreStreams"]!);
        var summary = first["StreamSummaries"]![0]!;
        Assert.Equal(["StreamARN", "StreamCreationTimestamp", "StreamModeDetails", "StreamName", "StreamStatus"], SortedMembers(summary));
        Assert.Equal(KinesisCoreHost.Arn("a-stream"), (string?)summary["StreamARN"]);
        Assert.Equal("ACTIVE", (string?)summary["StreamStatus"]);
        Assert.Equal(KinesisCoreHost.StartMs, (long)summary["StreamCreationTimestamp"]!);

        var second = await host.OkAsync(format, "ListStreams", $$"""{"NextToken":"{{(string?)first["NextToken"]}}"}""");
        Assert.Equal("""["b-stream"]""", second!["StreamNames"]!.ToJsonString());
        Assert.False((bool)second["HasMoreStreams"]!);
        Assert.Null(second["NextToken"]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ListShards_ByArnWithMaxResults_PagesWithNextToken(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "shards", shards: 3);

        var first = await host.OkAsync(format, "ListShards", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("shards")}}","MaxResults":2}""");
        Assert.Equal(["NextToken", "Shards"], SortedMembers(first));
        var shards = first!["Shards"]!.AsArray();
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards.Select(s => (string)s!["ShardId"]!));
        Assert.Equal(["HashKeyRange", "SequenceNumberRange", "ShardId"], SortedMembers(shards[0]));

        var rest = await host.OkAsync(format, "ListShards", $$"""{"NextToken":"{{(string?)first["NextToken"]}}"}""");
        Assert.Equal(["Shards"], Members(rest));
        var last = rest!["Shards"]!.AsArray().Single()!;
        AssertOpenShard(last, "shardId-000000000002", "226854911280625642308916404954512140970", MaxHashKey);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ListShards_ShardFilterAfterShardId_ListsLaterShards(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "filtered", shards: 3);
        var document = await host.OkAsync(format, "ListShards", """{"StreamName":"filtered","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000000"}}""");
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], document!["Shards"]!.AsArray().Select(s => (string)s!["ShardId"]!));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_Existing_ResourceInUseException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "twice");
        var message = await host.ErrorAsync(format, "CreateStream", """{"StreamName":"twice","ShardCount":1}""", "ResourceInUseException");
        Assert.Equal($"Stream twice under account {KinesisCoreHost.Account} already exists.", message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DescribeStream_UnknownStream_ResourceNotFoundException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var message = await host.ErrorAsync(format, "DescribeStream", """{"StreamName":"missing"}""", "ResourceNotFoundException");
        Assert.Equal($"Stream missing under account {KinesisCoreHost.Account} not found.", message);
        await host.ErrorAsync(format, "DescribeStreamSummary", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("missing")}}"}""", "ResourceNotFoundException");
        await host.ErrorAsync(format, "ListShards", """{"StreamName":"missing"}""", "ResourceNotFoundException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DeleteStream_ThenDescribe_ResourceNotFoundException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "doomed");
        var delete = await host.CallAsync(format, "DeleteStream", """{"StreamName":"doomed","EnforceConsumerDeletion":true}""");
        Assert.Equal(HttpStatusCode.OK, delete.Status);
        Assert.Empty(delete.Body);
        await host.ErrorAsync(format, "DescribeStreamSummary", """{"StreamName":"doomed"}""", "ResourceNotFoundException");
        var list = await host.OkAsync(format, "ListStreams", "{}");
        Assert.Empty(list!["StreamNames"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_OnDemandWithTagsAndMaxRecordSize_Applied(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.OkAsync(format, "CreateStream", """{"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"Tags":{"team":"data","env":""},"MaxRecordSizeInKiB":2048}""");

        var summary = (await host.OkAsync(format, "DescribeStreamSummary", """{"StreamName":"od"}"""))!["StreamDescriptionSummary"]!;
        Assert.Equal("ON_DEMAND", (string?)summary["StreamModeDetails"]!["StreamMode"]);
        Assert.Equal(4, (int)summary["OpenShardCount"]!);
        Assert.Equal(2048, (int)summary["MaxRecordSizeInKiB"]!);
        var tags = await host.OkAsync(format, "ListTagsForStream", """{"StreamName":"od"}""");
        Assert.Equal(["env", "team"], tags!["Tags"]!.AsArray().Select(t => (string)t!["Key"]!));
        Assert.Equal("data", (string?)tags["Tags"]![1]!["Value"]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task RetentionPeriod_IncreaseThenDecrease_ReflectedInSummary(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "kept");
        Assert.Null(await host.OkAsync(format, "IncreaseStreamRetentionPeriod", """{"StreamName":"kept","RetentionPeriodHours":72}"""));
        Assert.Equal(72, await RetentionAsync());
        Assert.Null(await host.OkAsync(format, "DecreaseStreamRetentionPeriod", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("kept")}}","RetentionPeriodHours":48}"""));
        Assert.Equal(48, await RetentionAsync());

        var message = await host.ErrorAsync(format, "IncreaseStreamRetentionPeriod", """{"StreamName":"kept","RetentionPeriodHours":24}""", "InvalidArgumentException");
        Assert.Contains("24", message, StringComparison.Ordinal);

        async Task<int> RetentionAsync() =>
            (int)(await host.OkAsync(format, "DescribeStreamSummary", """{"StreamName":"kept"}"""))!["StreamDescriptionSummary"]!["RetentionPeriodHours"]!;
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpdateMaxRecordSize_ByArn_ReflectedInSummary(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "big");
        Assert.Null(await host.OkAsync(format, "UpdateMaxRecordSize", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("big")}}","MaxRecordSizeInKiB":10240}"""));
        var summary = (await host.OkAsync(format, "DescribeStreamSummary", """{"StreamName":"big"}"""))!["StreamDescriptionSummary"]!;
        Assert.Equal(10240, (int)summary["MaxRecordSizeInKiB"]!);

        await host.ErrorAsync(format, "UpdateMaxRecordSize", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("big")}}","MaxRecordSizeInKiB":20000}""", "ValidationException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DescribeLimits_CountsOpenShardsAndOnDemandStreams(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "p", shards: 3);
        await host.OkAsync(format, "CreateStream", """{"StreamName":"o","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}""");

        var limits = await host.OkAsync(format, "DescribeLimits", "{}");
        Assert.Equal(["OnDemandStreamCount", "OnDemandStreamCountLimit", "OpenShardCount", "ShardLimit"], SortedMembers(limits));
        Assert.Equal(500, (int)limits!["ShardLimit"]!);
        Assert.Equal(7, (int)limits["OpenShardCount"]!);
        Assert.Equal(1, (int)limits["OnDemandStreamCount"]!);
        Assert.Equal(50, (int)limits["OnDemandStreamCountLimit"]!);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_MissingStreamName_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var message = await host.ErrorAsync(format, "CreateStream", """{"ShardCount":1}""", "ValidationException");
        Assert.Equal("1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null", message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_StreamModeDetailsWithoutMode_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var message = await host.ErrorAsync(format, "CreateStream", """{"StreamName":"m","StreamModeDetails":{}}""", "ValidationException");
        Assert.Contains("'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null", message, StringComparison.Ordinal);

        message = await host.ErrorAsync(format, "CreateStream", """{"StreamName":"m","StreamModeDetails":{"StreamMode":"SOMETIMES"}}""", "ValidationException");
        Assert.Contains("Member must satisfy enum value set", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_MistypedMember_SerializationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.ErrorAsync(format, "CreateStream", """{"StreamName":"m","ShardCount":"two"}""", "SerializationException");
        await host.ErrorAsync(format, "CreateStream", """{"StreamName":["m"],"ShardCount":1}""", "SerializationException");
        var list = await host.OkAsync(format, "ListStreams", "{}");
        Assert.Empty(list!["StreamNames"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UnservedOperations_UnknownOperationNotSupported(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        foreach (var operation in new[] { "SplitShard", "UpdateShardCount" })
        {
            var message = await host.ErrorAsync(format, operation, """{"StreamName":"x"}""", "UnknownOperationException");
            Assert.Contains("not supported", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Served_CoversEveryGrpcOperationAndResourceTags()
    {
        Assert.Equal(
            [
                "AddTagsToStream", "CreateStream", "DecreaseStreamRetentionPeriod", "DeleteStream", "DeregisterStreamConsumer", "DescribeLimits", "DescribeStream",
                "DescribeStreamConsumer", "DescribeStreamSummary", "DisableEnhancedMonitoring", "EnableEnhancedMonitoring", "GetRecords", "GetShardIterator", "IncreaseStreamRetentionPeriod", "ListShards",
                "ListStreamConsumers", "ListStreams", "ListTagsForResource", "ListTagsForStream", "PutRecord", "PutRecords", "RegisterStreamConsumer", "RemoveTagsFromStream", "TagResource",
                "UntagResource", "UpdateMaxRecordSize",
            ],
            KinesisStreamsOperations.Served.Select(o => o.GetName()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AddKinesisStreamsOperations_CalledTwice_RegistersOnce()
    {
        // The dispatcher refuses two handlers for one operation, so a double registration would fail to start.
        await using var host = await KestrelTestHost.StartAsync(
            app => app.MapKinesisApi(),
            services =>
            {
                services.AddKinesisApi();
                services.AddKinesisStreamsOperations();
                services.AddKinesisStreamsOperations();
                services.AddSingleton<ILogStore>(new InMemoryLogStore());
                services.AddKinesisStreamsCore();
            });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(KinesisContentTypes.Json);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.ListStreams");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static void AssertOpenShard(JsonNode shard, string shardId, string startingHashKey, string endingHashKey)
    {
        Assert.Equal(["HashKeyRange", "SequenceNumberRange", "ShardId"], SortedMembers(shard));
        Assert.Equal(shardId, (string?)shard["ShardId"]);
        Assert.Equal(startingHashKey, (string?)shard["HashKeyRange"]!["StartingHashKey"]);
        Assert.Equal(endingHashKey, (string?)shard["HashKeyRange"]!["EndingHashKey"]);
        Assert.Equal(["StartingSequenceNumber"], Members(shard["SequenceNumberRange"]));
        Assert.Matches("^[1-9][0-9]{29}$", (string?)shard["SequenceNumberRange"]!["StartingSequenceNumber"]);
    }
}
