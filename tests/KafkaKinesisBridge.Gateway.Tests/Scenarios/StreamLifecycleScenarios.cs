using System.Globalization;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>
/// The control plane over gRPC against a real gateway: CreateStream, DescribeStream(Summary),
/// ListStreams, ListShards, retention, maximum record size, tags, DescribeLimits, DeleteStream.
/// Expected values come from the Kinesis API reference (hash key split, ARN format, defaults).
/// </summary>
public abstract class StreamLifecycleScenarios<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private const string Account = "000000000000";

    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    [Fact]
    public async Task CreateStream_ThreeShards_ActiveWithKinesisHashKeyRanges()
    {
        var name = GatewayHost.NewStreamName();

        await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 3 });
        var description = (await Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription;

        Assert.Equal(name, description.StreamName);
        Assert.Equal(StreamStatus.Active, description.StreamStatus);
        Assert.Equal($"arn:aws:kinesis:us-east-1:{Account}:stream/{name}", description.StreamArn);
        Assert.Equal(StreamMode.Provisioned, description.StreamModeDetails.StreamMode);
        Assert.Equal(24, description.RetentionPeriodHours);
        Assert.Equal(EncryptionType.None, description.EncryptionType);
        Assert.False(description.HasMoreShards);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], description.Shards.Select(s => s.ShardId));
        var expected = KinesisAssert.ExpectedRanges(3);
        for (var i = 0; i < 3; i++)
        {
            var shard = description.Shards[i];
            Assert.Equal(expected[i].Start.ToString(CultureInfo.InvariantCulture), shard.HashKeyRange.StartingHashKey);
            Assert.Equal(expected[i].End.ToString(CultureInfo.InvariantCulture), shard.HashKeyRange.EndingHashKey);
            Assert.Empty(shard.ParentShardId);
            KinesisAssert.Sequence(shard.SequenceNumberRange.StartingSequenceNumber);
            Assert.Empty(shard.SequenceNumberRange.EndingSequenceNumber);
        }

        // The boundary Kinesis itself reports for a three-shard stream.
        Assert.Equal("113427455640312821154458202477256070484", description.Shards[0].HashKeyRange.EndingHashKey);
        Assert.Equal("340282366920938463463374607431768211455", description.Shards[2].HashKeyRange.EndingHashKey);
    }

    [Fact]
    public async Task DescribeStreamSummary_NewStream_ReportsShardsAndDefaults()
    {
        var name = GatewayHost.NewStreamName();
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);

        await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 2 });
        var summary = (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary;

        Assert.Equal(name, summary.StreamName);
        Assert.Equal($"arn:aws:kinesis:us-east-1:{Account}:stream/{name}", summary.StreamArn);
        Assert.Equal(StreamStatus.Active, summary.StreamStatus);
        Assert.Equal(2, summary.OpenShardCount);
        Assert.Equal(24, summary.RetentionPeriodHours);
        Assert.Equal(1024, summary.MaxRecordSizeInKib);
        Assert.Equal(0, summary.ConsumerCount);
        Assert.InRange(summary.StreamCreationTimestamp.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task ListStreams_PagedWithNextToken_ListsEveryStreamOnceWithSummaries()
    {
        var names = new[] { GatewayHost.NewStreamName("list"), GatewayHost.NewStreamName("list"), GatewayHost.NewStreamName("list") };
        foreach (var name in names)
        {
            await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 });
        }

        var listed = new List<string>();
        var summaries = new List<StreamSummary>();
        var response = await Kinesis.ListStreamsAsync(new ListStreamsRequest { Limit = 2 });
        for (var page = 0; ; page++)
        {
            Assert.True(page < 1000, "ListStreams did not end");
            Assert.True(response.StreamNames.Count <= 2, "more names than Limit");
            listed.AddRange(response.StreamNames);
            summaries.AddRange(response.StreamSummaries);
            if (!response.HasMoreStreams)
            {
                break;
            }

            Assert.NotEmpty(response.NextToken);
            response = await Kinesis.ListStreamsAsync(new ListStreamsRequest { NextToken = response.NextToken, Limit = 2 });
        }

        Assert.Equal(listed.Distinct(StringComparer.Ordinal).Count(), listed.Count);
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        foreach (var name in names)
        {
            Assert.Contains(name, listed);
            var summary = Assert.Single(summaries, s => s.StreamName == name);
            Assert.Equal(StreamStatus.Active, summary.StreamStatus);
            Assert.Equal($"arn:aws:kinesis:us-east-1:{Account}:stream/{name}", summary.StreamArn);
        }
    }

    [Fact]
    public async Task ListShards_MaxResultsOne_PagesThroughTheShardsOfDescribeStream()
    {
        var name = GatewayHost.NewStreamName();
        var description = await Kinesis.CreateStreamAsync(name, 3);

        var shards = new List<Shard>();
        var response = await Kinesis.ListShardsAsync(new ListShardsRequest { StreamName = name, MaxResults = 1 });
        while (true)
        {
            Assert.True(response.Shards.Count <= 1);
            shards.AddRange(response.Shards);
            if (string.IsNullOrEmpty(response.NextToken))
            {
                break;
            }

            Assert.True(shards.Count <= 3, "ListShards kept paging past the last shard");
            response = await Kinesis.ListShardsAsync(new ListShardsRequest { NextToken = response.NextToken, MaxResults = 1 });
        }

        Assert.Equal(description.Shards, shards);
    }

    [Fact]
    public async Task StreamArn_InsteadOfName_AddressesTheSameStream()
    {
        var name = GatewayHost.NewStreamName();
        var arn = (await Kinesis.CreateStreamAsync(name, 1)).StreamArn;

        var described = (await Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamArn = arn })).StreamDescription;
        var put = await Kinesis.PutRecordAsync(new PutRecordRequest { StreamArn = arn, PartitionKey = "k", Data = Google.Protobuf.ByteString.CopyFromUtf8("by arn") });
        var iterator = await Kinesis.GetShardIteratorAsync(new GetShardIteratorRequest
        {
            StreamArn = arn,
            ShardId = put.ShardId,
            ShardIteratorType = ShardIteratorType.TrimHorizon,
        });
        var read = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator.ShardIterator, StreamArn = arn });
        var otherArn = $"arn:aws:kinesis:us-east-1:{Account}:stream/{name}-other";

        Assert.Equal(name, described.StreamName);
        Assert.Equal(put.SequenceNumber, Assert.Single(read.Records).SequenceNumber);
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name, StreamArn = otherArn }), StatusCode.InvalidArgument, "InvalidArgumentException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamArn = otherArn }), StatusCode.NotFound, "ResourceNotFoundException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest()), StatusCode.InvalidArgument, "InvalidArgumentException");
    }

    [Fact]
    public async Task CreateStream_OnDemand_FourShardsAndCountedInLimits()
    {
        var name = GatewayHost.NewStreamName();
        var before = await Kinesis.DescribeLimitsAsync();

        await Kinesis.CreateStreamAsync(new CreateStreamRequest
        {
            StreamName = name,
            StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.OnDemand },
        });
        var summary = (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary;
        var after = await Kinesis.DescribeLimitsAsync();

        Assert.Equal(StreamMode.OnDemand, summary.StreamModeDetails.StreamMode);
        Assert.Equal(4, summary.OpenShardCount);
        Assert.Equal(before.OnDemandStreamCount + 1, after.OnDemandStreamCount);
        Assert.Equal(before.OpenShardCount + 4, after.OpenShardCount);
    }

    [Fact]
    public async Task CreateStream_ExistingName_ResourceInUse()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 }),
            StatusCode.FailedPrecondition,
            "ResourceInUseException");

        Assert.Equal($"Stream {name} under account {Account} already exists.", error.Status.Detail);
    }

    [Fact]
    public async Task RetentionPeriod_IncreaseThenDecrease_DescribedAndBoundsEnforced()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        await Kinesis.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 48 });
        Assert.Equal(48, (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary.RetentionPeriodHours);

        await Kinesis.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 36 });
        Assert.Equal(36, (await Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription.RetentionPeriodHours);

        // Increase may not shorten, Decrease may not lengthen, and both stay within 24..8760 hours.
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 30 }),
            StatusCode.InvalidArgument,
            "InvalidArgumentException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 40 }),
            StatusCode.InvalidArgument,
            "InvalidArgumentException");
        var tooLong = await KinesisAssert.FailsWithAsync(
            () => Kinesis.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 8761 }),
            StatusCode.InvalidArgument,
            "InvalidArgumentException");
        Assert.Contains("8760", tooLong.Status.Detail, StringComparison.Ordinal);
        var tooShort = await KinesisAssert.FailsWithAsync(
            () => Kinesis.DecreaseStreamRetentionPeriodAsync(new DecreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 23 }),
            StatusCode.InvalidArgument,
            "InvalidArgumentException");
        Assert.Contains("24", tooShort.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(36, (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary.RetentionPeriodHours);
    }

    [Fact]
    public async Task UpdateMaxRecordSize_ThreeMiB_TwoMiBRecordAcceptedAndReadBack()
    {
        var name = GatewayHost.NewStreamName();
        var description = await Kinesis.CreateStreamAsync(name, 1);
        var data = new byte[2 * 1024 * 1024];
        new Random(7).NextBytes(data);

        // Over the default 1 MiB maximum: refused.
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, "big", data),
            StatusCode.InvalidArgument,
            "ValidationException");

        await Kinesis.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamArn = description.StreamArn, MaxRecordSizeInKib = 3072 });
        Assert.Equal(3072, (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary.MaxRecordSizeInKib);

        var put = await Kinesis.PutRecordAsync(name, "big", data);
        var iterator = await Kinesis.GetShardIteratorAsync(name, put.ShardId, ShardIteratorType.AtSequenceNumber, put.SequenceNumber);
        var (records, _) = await Kinesis.ReadAsync(iterator, limit: 1, expected: 1);

        var record = Assert.Single(records);
        Assert.Equal(put.SequenceNumber, record.SequenceNumber);
        Assert.True(data.AsSpan().SequenceEqual(record.Data.Span), "the 2 MiB record did not read back byte for byte");

        await KinesisAssert.FailsWithAsync(
            () => Kinesis.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamArn = description.StreamArn, MaxRecordSizeInKib = 10241 }),
            StatusCode.InvalidArgument,
            "ValidationException");
    }

    [Fact]
    public async Task Tags_AddListRemove_ListedInKeyOrderWithPaging()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1, Tags = { ["team"] = "data" } });

        await Kinesis.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = name, Tags = { ["env"] = "test", ["cost-center"] = "42", ["team"] = "streams" } });
        var all = await Kinesis.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name });
        Assert.Equal([("cost-center", "42"), ("env", "test"), ("team", "streams")], all.Tags.Select(t => (t.Key, t.Value)));
        Assert.False(all.HasMoreTags);

        var first = await Kinesis.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name, Limit = 2 });
        Assert.Equal(["cost-center", "env"], first.Tags.Select(t => t.Key));
        Assert.True(first.HasMoreTags);
        var rest = await Kinesis.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name, ExclusiveStartTagKey = "env" });
        Assert.Equal(["team"], rest.Tags.Select(t => t.Key));

        await Kinesis.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = name, TagKeys = { "env" } });
        var after = await Kinesis.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name });
        Assert.Equal(["cost-center", "team"], after.Tags.Select(t => t.Key));
    }

    [Fact]
    public async Task DescribeLimits_AfterCreatingStream_CountsItsOpenShards()
    {
        var before = await Kinesis.DescribeLimitsAsync();

        await Kinesis.CreateStreamAsync(GatewayHost.NewStreamName(), 5);
        var after = await Kinesis.DescribeLimitsAsync();

        Assert.Equal(500, after.ShardLimit);
        Assert.Equal(50, after.OnDemandStreamCountLimit);
        Assert.Equal(before.OpenShardCount + 5, after.OpenShardCount);
        Assert.Equal(before.OnDemandStreamCount, after.OnDemandStreamCount);
    }

    [Fact]
    public async Task DeleteStream_Existing_ThenResourceNotFoundEverywhere()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 2);
        var put = await Kinesis.PutRecordAsync(name, "k", "before delete");
        var iterator = await Kinesis.GetShardIteratorAsync(name, put.ShardId, ShardIteratorType.TrimHorizon);

        await Kinesis.DeleteStreamAsync(new DeleteStreamRequest { StreamName = name });

        await Eventually.UntilAsync(
            async () => !(await ListAllStreamNamesAsync()).Contains(name),
            TimeSpan.FromSeconds(20),
            "the deleted stream to leave ListStreams");
        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name }),
            StatusCode.NotFound,
            "ResourceNotFoundException");
        Assert.Equal($"Stream {name} under account {Account} not found.", error.Status.Detail);
        await KinesisAssert.FailsWithAsync(() => Kinesis.PutRecordAsync(name, "k", "after delete"), StatusCode.NotFound, "ResourceNotFoundException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }),
            StatusCode.NotFound,
            "ResourceNotFoundException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.DeleteStreamAsync(new DeleteStreamRequest { StreamName = name }),
            StatusCode.NotFound,
            "ResourceNotFoundException");
    }

    [Fact]
    public async Task CreateStream_AfterDelete_SameNameStartsEmpty()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        await Kinesis.PutRecordAsync(name, "k", "first incarnation");
        await Kinesis.DeleteStreamAsync(new DeleteStreamRequest { StreamName = name });
        await Eventually.UntilAsync(
            async () => !(await ListAllStreamNamesAsync()).Contains(name),
            TimeSpan.FromSeconds(20),
            "the deleted stream to leave ListStreams");

        await Kinesis.CreateStreamAsync(name, 1);
        var put = await Kinesis.PutRecordAsync(name, "k", "second incarnation");
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var (records, _) = await Kinesis.ReadAsync(iterator, expected: 1);

        var record = Assert.Single(records);
        Assert.Equal("second incarnation", record.Data.ToStringUtf8());
        Assert.Equal(put.SequenceNumber, record.SequenceNumber);
    }

    [Fact]
    public async Task EnhancedMonitoring_EnableThenDisable_ReportedByDescribeAndAnswered()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        var enabled = await Kinesis.Client.EnableEnhancedMonitoringAsync(
            new EnableEnhancedMonitoringRequest { StreamName = name, ShardLevelMetrics = { "IncomingRecords", "IncomingBytes" } },
            KinesisStreamsClient.Options);
        var described = (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary;
        var disabled = await Kinesis.Client.DisableEnhancedMonitoringAsync(
            new DisableEnhancedMonitoringRequest { StreamName = name, ShardLevelMetrics = { "IncomingBytes" } },
            KinesisStreamsClient.Options);

        Assert.Equal(name, enabled.StreamName);
        Assert.Equal($"arn:aws:kinesis:us-east-1:{Account}:stream/{name}", enabled.StreamArn);
        Assert.Empty(enabled.CurrentShardLevelMetrics);
        Assert.Equal(["IncomingBytes", "IncomingRecords"], enabled.DesiredShardLevelMetrics.Order(StringComparer.Ordinal));
        Assert.Equal(["IncomingBytes", "IncomingRecords"], Assert.Single(described.EnhancedMonitoring).ShardLevelMetrics.Order(StringComparer.Ordinal));
        Assert.Equal(["IncomingBytes", "IncomingRecords"], disabled.CurrentShardLevelMetrics.Order(StringComparer.Ordinal));
        Assert.Equal(["IncomingRecords"], disabled.DesiredShardLevelMetrics);
    }

    [Fact]
    public async Task EnableEnhancedMonitoring_NoMetricsOrUnknownMetric_InvalidArgument()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        await KinesisAssert.FailsWithAsync(
            () => Kinesis.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = name }, KinesisStreamsClient.Options).ResponseAsync,
            StatusCode.InvalidArgument,
            "ValidationException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.Client.EnableEnhancedMonitoringAsync(new EnableEnhancedMonitoringRequest { StreamName = name, ShardLevelMetrics = { "Nope" } }, KinesisStreamsClient.Options).ResponseAsync,
            StatusCode.InvalidArgument,
            "ValidationException");
    }

    private async Task<HashSet<string>> ListAllStreamNamesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var response = await Kinesis.ListStreamsAsync(new ListStreamsRequest { Limit = 10000 });
        names.UnionWith(response.StreamNames);
        while (response.HasMoreStreams)
        {
            response = await Kinesis.ListStreamsAsync(new ListStreamsRequest { NextToken = response.NextToken, Limit = 10000 });
            names.UnionWith(response.StreamNames);
        }

        return names;
    }
}

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class EmbeddedStreamLifecycleTests(EmbeddedGatewayFixture fixture) : StreamLifecycleScenarios<EmbeddedGatewayFixture>(fixture);

[Collection(KafkaMockGatewayCollection.Name)]
public sealed class KafkaMockStreamLifecycleTests(KafkaMockGatewayFixture fixture) : StreamLifecycleScenarios<KafkaMockGatewayFixture>(fixture);
