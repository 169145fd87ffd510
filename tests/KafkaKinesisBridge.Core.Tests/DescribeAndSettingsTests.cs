using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class DescribeAndSettingsTests
{
    [Fact]
    public async Task DescribeStream_Limit_PagesWithExclusiveStartShardId()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 5);

        var first = (await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s", Limit = 2 }, Token)).StreamDescription;
        var rest = (await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s", ExclusiveStartShardId = first.Shards[^1].ShardId }, Token)).StreamDescription;

        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], first.Shards.Select(s => s.ShardId));
        Assert.True(first.HasMoreShards);
        Assert.Equal(["shardId-000000000002", "shardId-000000000003", "shardId-000000000004"], rest.Shards.Select(s => s.ShardId));
        Assert.False(rest.HasMoreShards);
        Assert.Equal(24, first.RetentionPeriodHours);
        Assert.Equal(StreamStatus.Active, first.StreamStatus);
        Assert.Single(first.EnhancedMonitoring);
        Assert.All(first.Shards, s => Assert.Null(s.ParentShardId));
        Assert.All(first.Shards, s => Assert.Equal(SequenceNumber.Before(s.ShardIndex, 0), s.SequenceNumberRange.StartingSequenceNumber));
        Assert.All(first.Shards, s => Assert.True(s.IsOpen));
    }

    [Fact]
    public async Task ListShards_MaxResults_PagesWithNextTokenThatExpires()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 5);

        var first = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", MaxResults = 2 }, Token);
        var second = await core.Service.ListShardsAsync(new ListShardsRequest { NextToken = first.NextToken, MaxResults = 2 }, Token);
        var third = await core.Service.ListShardsAsync(new ListShardsRequest { NextToken = second.NextToken }, Token);

        Assert.Equal([0, 1, 2, 3, 4], first.Shards.Concat(second.Shards).Concat(third.Shards).Select(s => s.ShardIndex));
        Assert.Null(third.NextToken);

        core.Time.Advance(TimeSpan.FromSeconds(301));
        await ThrowsKinesisAsync(
            KinesisErrorCode.ExpiredNextToken,
            async () => await core.Service.ListShardsAsync(new ListShardsRequest { NextToken = first.NextToken }, Token));
    }

    [Fact]
    public async Task ListShards_ArgumentRules_AsKinesis()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 3);
        var token = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", MaxResults = 1 }, Token)).NextToken;

        var neither = await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () => await core.Service.ListShardsAsync(new ListShardsRequest(), Token));
        Assert.Equal("Either NextToken or StreamName should be provided.", neither.Message);
        var both = await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", NextToken = token }, Token));
        Assert.Equal("NextToken and StreamName cannot be provided together.", both.Message);
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () => await core.Service.ListShardsAsync(new ListShardsRequest { NextToken = "bm90IGEgdG9rZW4=" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", MaxResults = 0 }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "missing" }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AfterShardId } }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AtTimestamp } }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter() }, Token));
    }

    [Fact]
    public async Task ListShards_FiltersAndExclusiveStart()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 4);
        var created = core.Time.GetUtcNow();

        var after = await core.Service.ListShardsAsync(
            new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AfterShardId, ShardId = "shardId-000000000001" } },
            Token);
        var exclusive = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", ExclusiveStartShardId = "shardId-000000000002" }, Token);
        var atTimestamp = await core.Service.ListShardsAsync(
            new ListShardsRequest { StreamName = "s", ShardFilter = new ShardFilter { Type = ShardFilterType.AtTimestamp, Timestamp = created.AddHours(-1) } },
            Token);
        var byCreation = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", StreamCreationTimestamp = created }, Token);

        Assert.Equal([2, 3], after.Shards.Select(s => s.ShardIndex));
        Assert.Equal([3], exclusive.Shards.Select(s => s.ShardIndex));
        Assert.Equal(4, atTimestamp.Shards.Count);
        Assert.Equal(4, byCreation.Shards.Count);
        await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s", StreamCreationTimestamp = created.AddDays(-1) }, Token));
    }

    [Fact]
    public async Task ListStreams_PagesInNameOrderWithSummaries()
    {
        var core = await StartAsync();
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
        {
            await core.CreateStreamAsync(name);
        }

        var first = await core.Service.ListStreamsAsync(new ListStreamsRequest { Limit = 2 }, Token);
        var second = await core.Service.ListStreamsAsync(new ListStreamsRequest { NextToken = first.NextToken }, Token);
        var afterC = await core.Service.ListStreamsAsync(new ListStreamsRequest { ExclusiveStartStreamName = "c" }, Token);

        Assert.Equal(["a", "b"], first.StreamNames);
        Assert.True(first.HasMoreStreams);
        Assert.Equal(["c", "d", "e"], second.StreamNames);
        Assert.False(second.HasMoreStreams);
        Assert.Null(second.NextToken);
        Assert.Equal(["d", "e"], afterC.StreamNames);
        Assert.Equal(first.StreamNames, first.StreamSummaries.Select(s => s.StreamName));
        Assert.All(first.StreamSummaries, s => Assert.Equal(StreamStatus.Active, s.StreamStatus));
        Assert.Equal("arn:aws:kinesis:us-east-1:000000000000:stream/a", first.StreamSummaries[0].StreamARN);
    }

    [Fact]
    public async Task ListStreams_LimitAbove100_ReturnsAtMost100()
    {
        var core = await StartAsync(o => o.ShardLimit = 1000);
        for (var i = 0; i < 101; i++)
        {
            await core.CreateStreamAsync("s" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
        }

        var page = await core.Service.ListStreamsAsync(new ListStreamsRequest { Limit = 500 }, Token);

        Assert.Equal(100, page.StreamNames.Count);
        Assert.True(page.HasMoreStreams);
    }

    [Fact]
    public async Task Retention_IncreaseAndDecrease_FollowKinesisRulesAndSetTopicRetention()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        await core.Service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 168 }, Token);
        Assert.Equal(TimeSpan.FromHours(168), core.Store.RetentionOf("kinesis.s"));
        Assert.Equal(168, (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token)).StreamDescriptionSummary.RetentionPeriodHours);

        var shorter = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 48 }, Token));
        Assert.Equal("Requested retention period (48 hours) for stream s can not be shorter than existing retention period (168 hours). Use DecreaseRetentionPeriod API.", shorter.Message);

        var longer = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.DecreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 200 }, Token));
        Assert.Contains("can not be longer than existing retention period (168 hours)", longer.Message, StringComparison.Ordinal);

        var tooShort = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.DecreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 23 }, Token));
        Assert.Equal("Minimum allowed retention period is 24 hours. Requested retention period (23 hours) is too short.", tooShort.Message);

        var tooLong = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 8761 }, Token));
        Assert.Equal("Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.", tooLong.Message);

        await core.Service.DecreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 24 }, Token);
        Assert.Equal(TimeSpan.FromHours(24), core.Store.RetentionOf("kinesis.s"));
    }

    [Fact]
    public async Task Retention_StorageNotSupported_InvalidArgumentAndRetentionUnchanged()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        core.Store.InjectFault(LogStoreOperation.SetRetention, StorageStatus.NotSupported, topic: "kinesis.s");

        // A backend that cannot change retention fails the same way every time: a client error, not a retried 500.
        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "s", RetentionPeriodHours = 48 }, Token));

        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
        Assert.Equal(24, (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token)).StreamDescriptionSummary.RetentionPeriodHours);
    }

    [Fact]
    public async Task UpdateMaxRecordSize_LargerRecordsAccepted_OutOfRangeValidation()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var twoMiB = new byte[2 * 1024 * 1024];

        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = twoMiB }, Token));
        await core.Service.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s", MaxRecordSizeInKiB = 4096 }, Token);
        await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = twoMiB }, Token);

        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamName = "s", MaxRecordSizeInKiB = 1023 }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.UpdateMaxRecordSizeAsync(new UpdateMaxRecordSizeRequest { StreamName = "s", MaxRecordSizeInKiB = 10241 }, Token));
    }

    [Fact]
    public async Task Tags_AddRemoveListWithPaging()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        await core.Service.AddTagsToStreamAsync(
            new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["c"] = "" } },
            Token);
        await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["a"] = "one" } }, Token);
        await core.Service.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = ["b", "missing"] }, Token);

        var page = await core.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s", Limit = 1 }, Token);
        var rest = await core.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s", ExclusiveStartTagKey = "a" }, Token);

        Assert.Equal([new Tag("a", "one")], page.Tags);
        Assert.True(page.HasMoreTags);
        Assert.Equal([new Tag("c", "")], rest.Tags);
        Assert.False(rest.HasMoreTags);
    }

    [Fact]
    public async Task Tags_Limits_AsKinesis()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var fifty = Enumerable.Range(0, 50).ToDictionary(i => "k" + i, i => "v");

        await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = fifty }, Token);
        var overStream = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["one-more"] = "v" } }, Token));
        Assert.Contains("cannot have more than 50 tags", overStream.Message, StringComparison.Ordinal);

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = Enumerable.Range(0, 51).ToDictionary(i => "x" + i, i => "v") }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["k0"] = "bad*value" } }, Token));
        var shape = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { [new string('k', 129)] = "v" } }, Token));
        Assert.Contains("Map keys must satisfy constraint", shape.Message, StringComparison.Ordinal);
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s" }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = [] }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "s", Limit = 51 }, Token));
    }

    [Theory]
    [InlineData("tab\tkey", "v")]
    [InlineData("k", "line\nbreak")]
    [InlineData("k", "star*")]
    public async Task AddTagsToStream_InvalidCharacters_KinesisText(string key, string value)
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { [key] = value } }, Token));

        Assert.Equal("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.", error.Message);
    }

    [Fact]
    public async Task TagOperations_PercentAndUnknownStream_KinesisTextsInKinesisOrder()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["Ünïcode key_./=+-@:"] = "a value" } }, Token);

        var add = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["k"] = "50%" } }, Token));
        var remove = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = ["a\tb"] }, Token));
        var removePercent = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.RemoveTagsFromStreamAsync(new RemoveTagsFromStreamRequest { StreamName = "s", TagKeys = ["%"] }, Token));

        // The stream is looked up first: bad characters on an unknown stream are ResourceNotFound.
        await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "nope", Tags = new Dictionary<string, string> { ["k"] = "*" } }, Token));
        Assert.Equal(
            "Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.",
            add.Message);
        Assert.Equal("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.", remove.Message);
        Assert.StartsWith("Failed to remove tags from stream s under account ", removePercent.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_OnDeletingStream_ResourceInUse()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        core.Store.InjectFault(TestSupport.LogStoreOperation.DeleteTopic, Storage.StorageStatus.Unavailable, topic: "kinesis.s");
        await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" }, Token);

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceInUse,
            async () => await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "s", Tags = new Dictionary<string, string> { ["k"] = "v" } }, Token));

        Assert.Equal("Stream s under account 000000000000 not ACTIVE, instead in state DELETING", error.Message);
    }
}
