using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class LifecycleTests
{
    [Fact]
    public async Task CreateStream_NewName_ActiveWithTopicOfShardCountPartitions()
    {
        var core = await StartAsync();

        await core.CreateStreamAsync("orders", shards: 3);

        var topic = await core.Store.DescribeTopicAsync("kinesis.orders", Token);
        Assert.Equal(StorageStatus.Ok, topic.Status);
        Assert.Equal(3, topic.Topic.Partitions);
        Assert.Equal(TimeSpan.FromHours(24), topic.Topic.Retention);
        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "orders" }, Token);
        Assert.Equal(StreamStatus.Active, summary.StreamDescriptionSummary.StreamStatus);
        Assert.Equal(3, summary.StreamDescriptionSummary.OpenShardCount);
        Assert.Equal("arn:aws:kinesis:us-east-1:000000000000:stream/orders", summary.StreamDescriptionSummary.StreamARN);
        Assert.Equal(1024, summary.StreamDescriptionSummary.MaxRecordSizeInKiB);
        Assert.Equal(core.Time.GetUtcNow(), summary.StreamDescriptionSummary.StreamCreationTimestamp);
    }

    [Fact]
    public async Task CreateStream_ExistingName_ResourceInUse()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("orders");

        var error = await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => core.CreateStreamAsync("orders"));

        Assert.Equal("Stream orders under account 000000000000 already exists.", error.Message);
    }

    [Theory]
    [InlineData("", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")]
    [InlineData("a/b", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Member must have length less than or equal to 128")]
    public async Task CreateStream_BadName_ValidationExceptionInKinesisFormat(string name, string constraint)
    {
        var core = await StartAsync();

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 }, Token));

        Assert.Matches("^[12] validation errors? detected: ", error.Message);
        Assert.Contains($"Value '{name}' at 'streamName' failed to satisfy constraint: {constraint}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStream_SeveralBadMembers_AllReportedInOneValidationException()
    {
        var core = await StartAsync();

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = null, ShardCount = 0, MaxRecordSizeInKiB = 99 }, Token));

        Assert.StartsWith("3 validation errors detected: ", error.Message);
        Assert.Contains("Value null at 'streamName' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value '99' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStream_ProvisionedWithoutShardCount_InvalidArgument()
    {
        var core = await StartAsync();

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "s" }, Token));
    }

    [Fact]
    public async Task CreateStream_OnDemand_StartsWithDefaultShardCount()
    {
        var core = await StartAsync(o => o.DefaultOnDemandShardCount = 4);

        await core.Service.CreateStreamAsync(
            new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) },
            Token);

        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "od" }, Token);
        Assert.Equal(4, summary.StreamDescriptionSummary.OpenShardCount);
        Assert.Equal(StreamMode.OnDemand, summary.StreamDescriptionSummary.StreamModeDetails.StreamMode);
        var limits = await core.Service.DescribeLimitsAsync(Token);
        Assert.Equal(1, limits.OnDemandStreamCount);
    }

    [Fact]
    public async Task CreateStream_BeyondShardLimit_LimitExceeded()
    {
        var core = await StartAsync(o => o.ShardLimit = 5);
        await core.CreateStreamAsync("a", shards: 3);

        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, () => core.CreateStreamAsync("b", shards: 3));
        await core.CreateStreamAsync("c", shards: 2);

        var limits = await core.Service.DescribeLimitsAsync(Token);
        Assert.Equal(new DescribeLimitsResponse(5, 5, 0, KinesisStreamsOptions.DefaultOnDemandStreamCountLimit), limits);
    }

    [Fact]
    public async Task CreateStream_OnDemandBeyondLimit_LimitExceeded()
    {
        var core = await StartAsync(o => o.OnDemandStreamCountLimit = 1);
        var onDemand = new StreamModeDetails(StreamMode.OnDemand);
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "a", StreamModeDetails = onDemand }, Token);

        await ThrowsKinesisAsync(
            KinesisErrorCode.LimitExceeded,
            async () => await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "b", StreamModeDetails = onDemand }, Token));
    }

    [Fact]
    public async Task CreateStream_WithTagsAndMaxRecordSize_Kept()
    {
        var core = await StartAsync();

        await core.Service.CreateStreamAsync(
            new CreateStreamRequest
            {
                StreamName = "t",
                ShardCount = 1,
                MaxRecordSizeInKiB = 2048,
                Tags = new Dictionary<string, string> { ["team"] = "data", ["env"] = "dev" },
            },
            Token);

        var tags = await core.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "t" }, Token);
        Assert.Equal([new Tag("env", "dev"), new Tag("team", "data")], tags.Tags);
        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "t" }, Token);
        Assert.Equal(2048, summary.StreamDescriptionSummary.MaxRecordSizeInKiB);
    }

    [Fact]
    public async Task CreateStream_StorageSlow_AnswersCreatingThenReconcilerActivates()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var core = await StartAsync(o => o.CreateTimeout = TimeSpan.FromMilliseconds(50));
        core.Store.BeforeCreateTopic = async (spec, ct) =>
        {
            if (spec.Name.StartsWith("kinesis.", StringComparison.Ordinal))
            {
                entered.TrySetResult();
                await release.Task.WaitAsync(ct);
            }
        };

        // The create timeout runs on the manual clock: move it while the create waits on storage.
        var create = core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "slow", ShardCount = 2 }, Token).AsTask();
        await entered.Task.WaitAsync(Token);
        core.Time.Advance(TimeSpan.FromMilliseconds(60));
        var response = await create;
        Assert.Equal(StreamStatus.Creating, response.StreamStatus);

        // Data-plane calls do not see a CREATING stream.
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.PutAsync("slow", "k", "v"));
        var describe = await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "slow" }, Token);
        Assert.Equal(StreamStatus.Creating, describe.StreamDescription.StreamStatus);
        Assert.Empty(describe.StreamDescription.Shards);

        release.SetResult();
        core.Store.BeforeCreateTopic = null;
        await core.Service.ReconcileOnceAsync(Token);

        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "slow" }, Token);
        Assert.Equal(StreamStatus.Active, summary.StreamDescriptionSummary.StreamStatus);
        await core.PutAsync("slow", "k", "v");
    }

    [Fact]
    public async Task CreateStream_TopicCreationFails_StaysCreatingUntilReconciled()
    {
        var core = await StartAsync();
        core.Store.InjectFault(LogStoreOperation.CreateTopic, StorageStatus.Unavailable, topic: "kinesis.s");

        var response = await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "s", ShardCount = 1 }, Token);
        Assert.Equal(StreamStatus.Creating, response.StreamStatus);

        // Within the grace period the reconciler leaves the stream to its creator.
        await core.Service.ReconcileOnceAsync(Token);
        Assert.Equal(StreamStatus.Creating, (await SummaryAsync(core, "s")).StreamStatus);

        core.Time.Advance(core.Options.CreateTimeout);
        await core.Service.ReconcileOnceAsync(Token);
        Assert.Equal(StreamStatus.Active, (await SummaryAsync(core, "s")).StreamStatus);
    }

    [Fact]
    public async Task CreateStream_LeftoverTopicWithData_OldRecordsNeverServed()
    {
        var core = await StartAsync();
        await core.Store.CreateTopicAsync(new TopicSpec("kinesis.reborn", 1, TimeSpan.FromHours(1)), Token);
        var stale = new[] { new LogRecord("k"u8.ToArray(), "stale"u8.ToArray(), 1) };
        await core.Store.AppendAsync("kinesis.reborn", 0, stale, new AppendOutcome[1], Token);

        await core.CreateStreamAsync("reborn");
        await core.PutAsync("reborn", "k", "fresh");

        var (data, _, _) = await core.ReadAsync(await core.IteratorAsync("reborn", 0, ShardIteratorType.TrimHorizon));
        Assert.Equal(["fresh"], data);
        var shard = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "reborn" }, Token)).Shards[0];
        Assert.Equal(SequenceNumber.Before(0, 1), shard.SequenceNumberRange.StartingSequenceNumber);
        Assert.Equal(TimeSpan.FromHours(24), core.Store.RetentionOf("kinesis.reborn"));
    }

    [Fact]
    public async Task DeleteStream_Active_TopicDeletedAndNameReusable()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("gone", shards: 2);
        await core.PutAsync("gone", "k", "old");

        await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "gone" }, Token);

        Assert.Equal(StorageStatus.TopicNotFound, (await core.Store.DescribeTopicAsync("kinesis.gone", Token)).Status);
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => SummaryAsync(core, "gone"));
        await core.CreateStreamAsync("gone", shards: 1);
        var (data, _, _) = await core.ReadAsync(await core.IteratorAsync("gone", 0, ShardIteratorType.TrimHorizon));
        Assert.Empty(data);
    }

    [Fact]
    public async Task DeleteStream_Unknown_ResourceNotFoundWithKinesisMessage()
    {
        var core = await StartAsync();

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "nope" }, Token));

        Assert.Equal("Stream nope under account 000000000000 not found.", error.Message);
    }

    [Fact]
    public async Task DeleteStream_TopicDeletionFails_DeletingBlocksRecreateUntilReconciled()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("d");
        core.Store.InjectFault(LogStoreOperation.DeleteTopic, StorageStatus.Unavailable, topic: "kinesis.d");

        await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "d" }, Token);

        Assert.Equal(StreamStatus.Deleting, (await SummaryAsync(core, "d")).StreamStatus);
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => core.CreateStreamAsync("d"));
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, async () => await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "d" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.PutAsync("d", "k", "v"));

        core.Time.Advance(core.Options.CreateTimeout);
        await core.Service.ReconcileOnceAsync(Token);

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => SummaryAsync(core, "d"));
        await core.CreateStreamAsync("d");
    }

    [Fact]
    public async Task StreamArn_NamesStream_OtherAccountNotFound_MismatchInvalid()
    {
        var core = await StartAsync(o => { o.AccountId = "123456789012"; o.Region = "eu-west-1"; });
        await core.CreateStreamAsync("s");
        const string arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/s";

        var byArn = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn }, Token);
        Assert.Equal("s", byArn.StreamDescriptionSummary.StreamName);
        Assert.Equal(arn, byArn.StreamDescriptionSummary.StreamARN);
        await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn, StreamName = "s" }, Token);

        var other = await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = "arn:aws:kinesis:eu-west-1:999999999999:stream/s" }, Token));
        Assert.Equal("Stream s under account 999999999999 not found.", other.Message);
        await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s" }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn, StreamName = "t" }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = "arn:aws:s3:::bucket" }, Token));
        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest(), Token));
    }

    [Fact]
    public async Task Service_BeforeStart_ServiceUnavailable()
    {
        var service = new Streams.StreamsService(new InMemoryLogStore(), Microsoft.Extensions.Options.Options.Create(new KinesisStreamsOptions()), new ManualTimeProvider());

        Assert.False(service.IsReady);
        await ThrowsKinesisAsync(KinesisErrorCode.ServiceUnavailable, async () => await service.ListStreamsAsync(new ListStreamsRequest(), Token));
    }

    [Fact]
    public async Task Start_CatalogUnavailableAtFirst_RetriesUntilReady()
    {
        var store = new InMemoryLogStore();
        store.InjectFault(LogStoreOperation.CreateTopic, StorageStatus.Unavailable, count: 2);
        var time = new ManualTimeProvider();
        var service = new Streams.StreamsService(store, Microsoft.Extensions.Options.Options.Create(new KinesisStreamsOptions()), time);

        var start = service.StartAsync(Token);
        await Eventually.UntilAsync(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return start.IsCompleted;
        });

        await start;
        Assert.True(service.IsReady);
        await service.WaitUntilReadyAsync(Token);
    }

    private static async Task<StreamDescriptionSummary> SummaryAsync(CoreHarness core, string name) =>
        (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name }, Token)).StreamDescriptionSummary;
}
