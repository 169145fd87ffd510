using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

/// <summary>Two gateway replicas (two StreamsService instances) over one shared store.</summary>
public sealed class CatalogReplicaTests
{
    [Fact]
    public async Task CreateStream_SameNameOnTwoReplicasAtOnce_ExactlyOneWins()
    {
        var first = await StartAsync();
        var second = await first.StartReplicaAsync();

        for (var round = 0; round < 20; round++)
        {
            var name = "race-" + round;
            var results = await Task.WhenAll(
                Attempt(first.Service, name),
                Attempt(second.Service, name));

            Assert.Equal(1, results.Count(r => r is null));
            Assert.Equal(KinesisErrorCode.ResourceInUse, Assert.Single(results, r => r is not null));
        }

        // Both replicas agree on the outcome: one topic per stream, same incarnation everywhere.
        await second.Service.RefreshCatalogAsync(Token);
        var one = await first.Service.ListStreamsAsync(new ListStreamsRequest(), Token);
        var two = await second.Service.ListStreamsAsync(new ListStreamsRequest(), Token);
        Assert.Equal(20, one.StreamNames.Count);
        Assert.Equal(one.StreamNames, two.StreamNames);

        static async Task<KinesisErrorCode?> Attempt(IStreamsService service, string name)
        {
            try
            {
                await Task.Yield();
                await service.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 }, Token);
                return null;
            }
            catch (KinesisException exception)
            {
                return exception.Code;
            }
        }
    }

    [Fact]
    public async Task Changes_OnOneReplica_SeenByTheOtherAfterPolling()
    {
        var first = await StartAsync(o => o.CatalogPollInterval = TimeSpan.FromSeconds(1));
        var second = await first.StartReplicaAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var background = second.Service.RunBackgroundAsync(stop.Token);

        await first.CreateStreamAsync("shared", shards: 2);
        await first.Service.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = "shared", Tags = new Dictionary<string, string> { ["k"] = "v" } }, Token);

        // The second replica's poll loop runs on the manual clock.
        await Eventually.UntilAsync(() =>
        {
            first.Time.Advance(TimeSpan.FromSeconds(1));
            return second.Service.KnownStreamCount == 1;
        });

        // Data-plane calls on the second replica use its local view (no catalog read).
        var put = await second.PutAsync("shared", "key", "from-second");
        var (data, _, _) = await first.ReadAsync(await first.IteratorAsync("shared", put.ShardIndex, ShardIteratorType.TrimHorizon));
        Assert.Equal(["from-second"], data);

        await stop.CancelAsync();
        await background;
    }

    [Fact]
    public async Task DataPlane_StreamCreatedOnOtherReplica_FoundWithoutWaitingForPoll()
    {
        var first = await StartAsync();
        var second = await first.StartReplicaAsync();

        await first.CreateStreamAsync("fresh");

        var put = await second.PutAsync("fresh", "k", "v");
        Assert.Equal(0, put.ShardIndex);
    }

    [Fact]
    public async Task AddTags_ConcurrentOnTwoReplicas_BothChangesKept()
    {
        var first = await StartAsync();
        var second = await first.StartReplicaAsync();
        await first.CreateStreamAsync("tags");

        var tasks = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            var service = i % 2 == 0 ? first.Service : second.Service;
            var key = "key" + i;
            tasks.Add(Task.Run(async () => await service.AddTagsToStreamAsync(
                new AddTagsToStreamRequest { StreamName = "tags", Tags = new Dictionary<string, string> { [key] = "v" } },
                Token), Token));
        }

        await Task.WhenAll(tasks);

        var listed = await second.Service.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = "tags" }, Token);
        Assert.Equal(10, listed.Tags.Count);
    }

    [Fact]
    public async Task SigningKey_CreatedOnceInCatalog_SharedByReplicas()
    {
        var first = await StartAsync();
        var second = await first.StartReplicaAsync();
        await first.CreateStreamAsync("it");
        await first.PutAsync("it", "k", "v");

        // An iterator issued by one replica is accepted by the other.
        var iterator = await first.IteratorAsync("it", 0, ShardIteratorType.TrimHorizon);
        var (data, _, _) = await second.ReadAsync(iterator);

        Assert.Equal(["v"], data);
    }

    [Fact]
    public async Task SigningKey_Configured_ReplicasWithDifferentKeysRejectEachOthersIterators()
    {
        var store = new InMemoryLogStore();
        var time = new ManualTimeProvider();
        var first = await StartAsync(o => o.IteratorSigningKey = new string('a', 32), store, time);
        var second = await StartAsync(o => o.IteratorSigningKey = new string('b', 32), store, time);
        await first.CreateStreamAsync("it");

        var iterator = await first.IteratorAsync("it", 0, ShardIteratorType.Latest);

        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => second.ReadAsync(iterator));
    }

    [Fact]
    public async Task Catalog_Replay_NewReplicaRebuildsStateFromLog()
    {
        var first = await StartAsync();
        await first.CreateStreamAsync("a", shards: 2);
        await first.CreateStreamAsync("b");
        await first.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "b" }, Token);
        await first.Service.IncreaseStreamRetentionPeriodAsync(new UpdateStreamRetentionPeriodRequest { StreamName = "a", RetentionPeriodHours = 48 }, Token);

        var late = await first.StartReplicaAsync();

        Assert.Equal(1, late.Service.KnownStreamCount);
        var summary = await late.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "a" }, Token);
        Assert.Equal(48, summary.StreamDescriptionSummary.RetentionPeriodHours);
        Assert.Equal(2, summary.StreamDescriptionSummary.OpenShardCount);
    }

    [Fact]
    public void CatalogState_CompareAndSet_RejectsStaleAndForeignTopicProposals()
    {
        var state = new CatalogState();
        StreamEntry Entry(string name, string topic, ulong incarnation) => new()
        {
            Name = name,
            Topic = topic,
            Incarnation = incarnation,
            Status = StreamStatus.Active,
            Shards = [new ShardEntry { Index = 0, StartingHashKey = "0", EndingHashKey = UInt128.MaxValue.ToString() }],
        };

        Assert.True(state.Apply(Put("a", -1, Entry("a", "t.a", 1)), 0, out _));

        // A second create based on "absent" loses: the stream exists now.
        Assert.False(state.Apply(Put("a", -1, Entry("a", "t.a", 2)), 1, out _));

        // Updates must be based on the current version (0); a stale one (based on -1 or 1) loses.
        Assert.True(state.Apply(Put("a", 0, Entry("a", "t.a", 1)), 2, out _));
        Assert.False(state.Apply(Put("a", 0, Entry("a", "t.a", 1)), 3, out _));

        // Another stream cannot take a topic in use, nor can an update move a stream to another topic.
        Assert.False(state.Apply(Put("b", -1, Entry("b", "t.a", 3)), 4, out _));
        Assert.False(state.Apply(Put("a", 2, Entry("a", "t.other", 1)), 5, out _));

        Assert.True(state.Apply(new CatalogCommand { Kind = CatalogCommandKind.RemoveStream, StreamName = "a", BasedOnVersion = 2 }, 6, out _));
        Assert.True(state.Apply(Put("b", -1, Entry("b", "t.a", 3)), 7, out _));
        Assert.Equal(7, state.VersionOf("b"));
        Assert.Equal(-1, state.VersionOf("a"));

        static CatalogCommand Put(string name, long basedOn, StreamEntry entry) =>
            new() { Kind = CatalogCommandKind.PutStream, StreamName = name, BasedOnVersion = basedOn, Stream = entry };
    }

    [Fact]
    public async Task Catalog_TopicIsOnePartitionKeptForever()
    {
        var core = await StartAsync();

        var info = await core.Store.DescribeTopicAsync(KinesisStreamsOptions.DefaultCatalogTopic, Token);

        Assert.Equal(StorageStatus.Ok, info.Status);
        Assert.Equal(1, info.Topic.Partitions);
        Assert.Equal(Timeout.InfiniteTimeSpan, info.Topic.Retention);
    }
}
