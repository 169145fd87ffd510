using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests.Resharding;

/// <summary>SplitShard, MergeShards and UpdateShardCount through the core, and the write fence.</summary>
public sealed class ReshardTests
{
    private static Task<CoreHarness> StartAsync(int fenceLeaseMs = 20) => CoreHarness.StartAsync(o =>
    {
        o.Quotas.Enabled = false;
        o.Resharding.FenceLease = TimeSpan.FromMilliseconds(fenceLeaseMs);
        o.Resharding.SplitMergeCallsPerSecond = 1000;
        o.Resharding.UpdateShardCountPerDay = 1000;
    });

    [Fact]
    public async Task SplitShard_ThenActive_ParentClosedChildrenCarryLineage()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await core.PutAsync("s", "k", "before");

        await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "s", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, Token);
        await core.Service.WhenReshardFinishedAsync("s");

        Assert.Equal(StreamStatus.Active, await StatusAsync(core, "s"));
        var shards = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s" }, Token)).Shards;
        Assert.Equal(3, shards.Count);
        Assert.Equal(SequenceNumber.Before(0, 1), shards[0].SequenceNumberRange.EndingSequenceNumber);
        Assert.Equal(new HashKeyRange(0, 999), shards[1].HashKeyRange);
        Assert.Equal(new HashKeyRange(1000, UInt128.MaxValue), shards[2].HashKeyRange);
        Assert.All(shards.Skip(1), s => Assert.Equal("shardId-000000000000", s.ParentShardId));
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon);
        using var read = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }, Token);
        Assert.Single(read.Records);
        Assert.Null(read.NextShardIterator);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], read.ChildShards!.Select(c => c.ShardId));
    }

    [Fact]
    public async Task MergeShards_AdjacentPair_ChildNamesBothParents()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("m", shards: 3);

        await core.Service.MergeShardsAsync(new MergeShardsRequest { StreamName = "m", ShardToMerge = "shardId-000000000002", AdjacentShardToMerge = "shardId-000000000001" }, Token);
        await core.Service.WhenReshardFinishedAsync("m");

        var shards = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "m" }, Token)).Shards;
        var child = Assert.Single(shards, s => s.ShardIndex == 3);
        Assert.Equal("shardId-000000000002", child.ParentShardId);
        Assert.Equal("shardId-000000000001", child.AdjacentParentShardId);
        Assert.Equal(shards[1].HashKeyRange.StartingHashKey, child.HashKeyRange.StartingHashKey);
        Assert.Equal(UInt128.MaxValue, child.HashKeyRange.EndingHashKey);
        var put = await core.PutAsync("m", "k", "x", explicitHashKey: UInt128.MaxValue.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(3, put.ShardIndex);
    }

    [Fact]
    public async Task SplitShard_WhileUpdating_ResourceInUse()
    {
        // A lease long enough that the stream is surely still UPDATING at the second call.
        var core = await StartAsync(fenceLeaseMs: 3000);
        await core.CreateStreamAsync("u", shards: 2);
        await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "u", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "10" }, Token);
        Assert.Equal(StreamStatus.Updating, await StatusAsync(core, "u"));

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, async () =>
            await core.Service.MergeShardsAsync(new MergeShardsRequest { StreamName = "u", ShardToMerge = "shardId-000000000001", AdjacentShardToMerge = "shardId-000000000002" }, Token));
        await core.Service.WhenReshardFinishedAsync("u");
    }

    [Fact]
    public async Task SplitShard_BadRequests_KinesisErrors()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("e", shards: 3);

        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () =>
            await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "e", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "0" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () =>
            await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "e", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "340282366920938463463374607431768211456" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, async () =>
            await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "e", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "x1" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, async () =>
            await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "e", ShardToSplit = "shardId-000000000007", NewStartingHashKey = "5" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, async () =>
            await core.Service.MergeShardsAsync(new MergeShardsRequest { StreamName = "e", ShardToMerge = "shardId-000000000000", AdjacentShardToMerge = "shardId-000000000002" }, Token));
    }

    [Fact]
    public async Task UpdateShardCount_LimitsAndUniformResult()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("c", shards: 2);

        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, async () =>
            await core.Service.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "c", TargetShardCount = 5, ScalingType = "UNIFORM_SCALING" }, Token));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, async () =>
            await core.Service.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "c", TargetShardCount = 3, ScalingType = "OTHER" }, Token));

        var response = await core.Service.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "c", TargetShardCount = 3, ScalingType = "UNIFORM_SCALING" }, Token);
        await core.Service.WhenReshardFinishedAsync("c");

        Assert.Equal((2, 3), (response.CurrentShardCount, response.TargetShardCount));
        var open = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "c", ShardFilter = new ShardFilter { Type = ShardFilterType.AtLatest } }, Token)).Shards;
        Assert.Equal(Routing.HashKeys.Split(3), open.Select(s => s.HashKeyRange).OrderBy(r => r.StartingHashKey));
        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, async () =>
            await core.Service.UpdateShardCountAsync(new UpdateShardCountRequest { StreamName = "c", TargetShardCount = 1, ScalingType = "UNIFORM_SCALING" }, Token));
    }

    [Fact]
    public async Task PutRecord_AppendLandsPastClosedParentsEnd_WrittenAgainToTheChild()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("f");
        await core.PutAsync("f", "k", "first");
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        core.Store.BeforeAppend = (topic, partition, _) =>
        {
            if (topic == core.TopicOf("f") && partition == 0)
            {
                entered.TrySetResult();
                return held.Task;
            }

            return Task.CompletedTask;
        };

        // A write routed to shard 0 before the split, held in storage until the parent's end is fixed.
        var late = core.PutAsync("f", "k", "late");
        await entered.Task.WaitAsync(Token);
        await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "f", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, Token);
        await core.Service.WhenReshardFinishedAsync("f");
        held.SetResult();
        var response = await late;

        Assert.NotEqual(0, response.ShardIndex);
        var parent = await core.ReadAsync(await core.IteratorAsync("f", 0, ShardIteratorType.TrimHorizon));
        Assert.Equal(["first"], parent.Data);
        var child = await core.ReadAsync(await core.IteratorAsync("f", response.ShardIndex, ShardIteratorType.TrimHorizon));
        Assert.Equal(["late"], child.Data);
    }

    [Fact]
    public async Task PutRecord_ReplicaWithStaleView_RecordEndsUpInTheChild()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("r");
        var stale = await core.StartReplicaAsync();
        await stale.PutAsync("r", "k", "first");

        // Another replica reshards; this one has not read the catalog since (no background tail here).
        await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "r", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, Token);
        await core.Service.WhenReshardFinishedAsync("r");
        var response = await stale.PutAsync("r", "k", "second");

        Assert.NotEqual(0, response.ShardIndex);
        Assert.Equal(["first"], (await core.ReadAsync(await core.IteratorAsync("r", 0, ShardIteratorType.TrimHorizon))).Data);
        Assert.Equal(["second"], (await core.ReadAsync(await core.IteratorAsync("r", response.ShardIndex, ShardIteratorType.TrimHorizon))).Data);
    }

    [Fact]
    public async Task ClosedShard_ListingsAndPagingAroundRetention()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("p", shards: 2);
        core.Time.Advance(TimeSpan.FromMinutes(1));
        await core.Service.SplitShardAsync(new SplitShardRequest { StreamName = "p", ShardToSplit = "shardId-000000000000", NewStartingHashKey = "1000" }, Token);
        await core.Service.WhenReshardFinishedAsync("p");

        // Within retention: the closed parent is listed, and paging walks over it.
        var page = await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "p", Limit = 2 }, Token);
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], page.StreamDescription.Shards.Select(s => s.ShardId));
        Assert.True(page.StreamDescription.HasMoreShards);
        var rest = await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "p", ExclusiveStartShardId = "shardId-000000000001" }, Token);
        Assert.Equal(["shardId-000000000002", "shardId-000000000003"], rest.StreamDescription.Shards.Select(s => s.ShardId));
        Assert.False(rest.StreamDescription.HasMoreShards);
        var first = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "p", MaxResults = 3 }, Token);
        var next = await core.Service.ListShardsAsync(new ListShardsRequest { NextToken = first.NextToken }, Token);
        Assert.Equal(4, first.Shards.Count + next.Shards.Count);
        var after = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "p", ShardFilter = new ShardFilter { Type = ShardFilterType.AfterShardId, ShardId = "shardId-000000000000" } }, Token);
        Assert.Equal([1, 2, 3], after.Shards.Select(s => s.ShardIndex));
        var atHorizon = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "p", ShardFilter = new ShardFilter { Type = ShardFilterType.AtTrimHorizon } }, Token);
        Assert.Equal([0, 1], atHorizon.Shards.Select(s => s.ShardIndex));

        // Once it closed longer ago than the retention period, it holds no records and leaves the lists.
        core.Time.Advance(TimeSpan.FromHours(25));
        var described = await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "p" }, Token);
        Assert.Equal([1, 2, 3], described.StreamDescription.Shards.Select(s => s.ShardIndex));
        var listed = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "p" }, Token);
        Assert.Equal([1, 2, 3], listed.Shards.Select(s => s.ShardIndex));
    }

    [Fact]
    public async Task CatalogRecordWithGapInLayout_RejectedAndLaterRecordsApply()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("w", shards: 2);
        var replica = await core.StartReplicaAsync();

        // A version whose open shards leave a gap: the router would throw if it were applied.
        var (entry, version) = await LatestAsync(core, "w");
        var bad = entry.Clone();
        bad.Shards[1].StartingHashKey = (UInt128.Parse(bad.Shards[1].StartingHashKey, CultureInfo.InvariantCulture) + 5).ToString(CultureInfo.InvariantCulture);
        await AppendCatalogAsync(core, new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = "w", BasedOnVersion = version, Stream = bad, ProposalId = "bad" });
        await core.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "w", Tags = new Dictionary<string, string> { ["after"] = "yes" } }, Token);

        await replica.Service.RefreshCatalogAsync(Token);
        var tags = await replica.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "w" }, Token);
        Assert.Equal("after", Assert.Single(tags.Tags).Key);
        var put = await replica.PutAsync("w", "k", "v");
        Assert.InRange(put.ShardIndex, 0, 1);
    }

    private static async Task<StreamStatus> StatusAsync(CoreHarness core, string name) =>
        (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name }, Token)).StreamDescriptionSummary.StreamStatus;

    private static async Task<(StreamEntry Entry, long Version)> LatestAsync(CoreHarness core, string stream)
    {
        StreamEntry? current = null;
        long version = -1;
        using var read = await core.Store.ReadAsync(new ReadRequest(KinesisStreamsOptions.DefaultCatalogTopic, 0, 0, 10_000, 64 << 20), Token);
        foreach (var record in read.Records.ToArray())
        {
            var command = JsonSerializer.Deserialize(record.Value.Span, CatalogJsonContext.Default.CatalogCommand)!;
            if (command.StreamName == stream && command.Kind == CatalogCommandKind.PutStream)
            {
                current = command.Stream;
                version = record.Offset;
            }
        }

        return (current!, version);
    }

    private static async Task AppendCatalogAsync(CoreHarness core, CatalogCommand command)
    {
        var value = JsonSerializer.SerializeToUtf8Bytes(command, CatalogJsonContext.Default.CatalogCommand);
        Assert.Equal(
            StorageStatus.Ok,
            await core.Store.AppendAsync(KinesisStreamsOptions.DefaultCatalogTopic, 0, new[] { new LogRecord(Encoding.UTF8.GetBytes(command.StreamName!), value, 0) }, new AppendOutcome[1], Token));
    }
}
