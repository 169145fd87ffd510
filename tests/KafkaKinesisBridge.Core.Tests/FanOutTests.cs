using System.Text;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

/// <summary>Enhanced fan-out in the core: consumers and the SubscribeToShard engine, on a manual clock.</summary>
public sealed class FanOutTests
{
    private const string StreamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RegisterStreamConsumer_New_CreatingThenActiveWithKinesisArn()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var created = core.Time.GetUtcNow();

        var registered = await core.Service.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = StreamArn, ConsumerName = "app" }, Token);

        Assert.Equal(ConsumerStatus.Creating, registered.Consumer.ConsumerStatus);
        Assert.Equal($"{StreamArn}/consumer/app:{created.ToUnixTimeSeconds()}", registered.Consumer.ConsumerARN);
        core.Time.Advance(core.Options.FanOut.ConsumerActivationDelay);
        var described = await core.Service.DescribeStreamConsumerAsync(new StreamConsumerRequest { ConsumerARN = registered.Consumer.ConsumerARN }, Token);
        Assert.Equal(ConsumerStatus.Active, described.ConsumerDescription.ConsumerStatus);
        Assert.Equal(StreamArn, described.ConsumerDescription.StreamARN);
        var byName = await core.Service.DescribeStreamConsumerAsync(new StreamConsumerRequest { StreamARN = StreamArn, ConsumerName = "app" }, Token);
        Assert.Equal(registered.Consumer.ConsumerARN, byName.ConsumerDescription.ConsumerARN);
        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token);
        Assert.Equal(1, summary.StreamDescriptionSummary.ConsumerCount);
    }

    [Fact]
    public async Task RegisterStreamConsumer_DuplicateOrOverLimit_KinesisErrors()
    {
        var core = await StartAsync(o => o.FanOut.MaxConsumersPerStream = 2);
        await core.CreateStreamAsync("s");
        await RegisterAsync(core, "a");
        await RegisterAsync(core, "b");

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => RegisterAsync(core, "a"));
        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, () => RegisterAsync(core, "c"));
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.Service.RegisterStreamConsumerAsync(
            new RegisterStreamConsumerRequest { StreamARN = StreamArn + "x", ConsumerName = "a" }, Token).AsTask());
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => core.Service.RegisterStreamConsumerAsync(
            new RegisterStreamConsumerRequest { StreamARN = StreamArn, ConsumerName = "bad name" }, Token).AsTask());
    }

    [Fact]
    public async Task ListStreamConsumers_Paged_EveryConsumerOnceInOrder()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        for (var i = 0; i < 5; i++)
        {
            await RegisterAsync(core, "c" + i);
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await core.Service.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = StreamArn, MaxResults = 2, NextToken = token }, Token);
            names.AddRange(page.Consumers.Select(c => c.ConsumerName));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(["c0", "c1", "c2", "c3", "c4"], names);
        Assert.Equal(3, pages);
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.Service.ListStreamConsumersAsync(
            new ListStreamConsumersRequest { StreamARN = StreamArn, NextToken = "bm90IGEgdG9rZW4=" }, Token).AsTask());
    }

    [Fact]
    public async Task DeregisterStreamConsumer_Registered_DeletingThenGone()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");

        await core.Service.DeregisterStreamConsumerAsync(new StreamConsumerRequest { ConsumerARN = arn }, Token);

        var described = await core.Service.DescribeStreamConsumerAsync(new StreamConsumerRequest { ConsumerARN = arn }, Token);
        Assert.Equal(ConsumerStatus.Deleting, described.ConsumerDescription.ConsumerStatus);
        core.Time.Advance(core.Options.FanOut.ConsumerDeletionDelay);
        await Eventually.UntilAsync(
            async () => (await core.Service.ListStreamConsumersAsync(new ListStreamConsumersRequest { StreamARN = StreamArn }, Token)).Consumers.Count == 0,
            because: "the DELETING consumer is removed after the deletion delay");
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.Service.DescribeStreamConsumerAsync(new StreamConsumerRequest { ConsumerARN = arn }, Token).AsTask());
    }

    [Fact]
    public async Task DeleteStream_WithConsumers_NeedsEnforceConsumerDeletion()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await RegisterAsync(core, "app");

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" }, Token).AsTask());
        await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s", EnforceConsumerDeletion = true }, Token);

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token).AsTask());
    }

    [Fact]
    public async Task SubscribeToShard_ConsumerStillCreating_ResourceInUse()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var registered = await core.Service.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = StreamArn, ConsumerName = "app" }, Token);

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => SubscribeAsync(core, registered.Consumer.ConsumerARN, ShardIteratorType.TrimHorizon));
    }

    [Fact]
    public async Task SubscribeToShard_RecordPutAfterSubscribing_PushedWithoutPolling()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        var shard = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "s" }, Token)).Shards[0];
        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.Latest);
        await using var events = subscription.Events.GetAsyncEnumerator(Token);

        // The first event comes at once, empty, with the position: the shard's start, below every record.
        var first = await NextAsync(events);
        Assert.Empty(first.Records);
        Assert.Equal(shard.SequenceNumberRange.StartingSequenceNumber, first.ContinuationSequenceNumber);
        Assert.Equal(0, first.MillisBehindLatest);

        // The manual clock never moves: only the append signal can wake the subscription.
        var put = await core.PutAsync("s", "k", "hello");
        var second = await NextAsync(events);
        Assert.Equal(["hello"], Data(second));
        Assert.Equal(put.SequenceNumber, second.Records[0].SequenceNumber);
        Assert.Equal(put.SequenceNumber, second.ContinuationSequenceNumber);
        Assert.True(first.ContinuationSequenceNumber < put.SequenceNumber);
    }

    [Fact]
    public async Task SubscribeToShard_AfterContinuationOfFreshShard_ResumesAtFirstRecord()
    {
        var core = await StartAsync(o => o.FanOut.TakeoverAfter = TimeSpan.Zero);
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        SequenceNumber continuation;
        await using (var subscription = await SubscribeAsync(core, arn, ShardIteratorType.TrimHorizon))
        {
            await using var events = subscription.Events.GetAsyncEnumerator(Token);
            continuation = (await NextAsync(events)).ContinuationSequenceNumber!.Value;
        }

        await core.PutAsync("s", "k", "r0");
        await core.PutAsync("s", "k", "r1");

        await using var resumed = await SubscribeAsync(core, arn, ShardIteratorType.AfterSequenceNumber, continuation.ToString());
        await using var next = resumed.Events.GetAsyncEnumerator(Token);
        var received = await NextAsync(next);
        Assert.Equal(["r0", "r1"], Data(received));
    }

    [Fact]
    public async Task SubscribeToShard_AfterLastContinuation_NeitherSkipsNorRepeats()
    {
        var core = await StartAsync(o => o.FanOut.TakeoverAfter = TimeSpan.Zero);
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        await core.PutAsync("s", "k", "r0");
        await core.PutAsync("s", "k", "r1");
        SequenceNumber continuation;
        await using (var subscription = await SubscribeAsync(core, arn, ShardIteratorType.TrimHorizon))
        {
            await using var events = subscription.Events.GetAsyncEnumerator(Token);
            var delivered = await NextAsync(events);
            Assert.Equal(["r0", "r1"], Data(delivered));
            continuation = delivered.ContinuationSequenceNumber!.Value;
        }

        await core.PutAsync("s", "k", "r2");
        await using var resumed = await SubscribeAsync(core, arn, ShardIteratorType.AfterSequenceNumber, continuation.ToString());
        await using var next = resumed.Events.GetAsyncEnumerator(Token);
        Assert.Equal(["r2"], Data(await NextAsync(next)));

        // The same number works for GetShardIterator too.
        var (data, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, continuation.ToString()));
        Assert.Equal(["r2"], data);
    }

    [Fact]
    public async Task SubscribeToShard_SecondWithinTakeoverTime_ResourceInUseThenTakesOver()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        await using var first = await SubscribeAsync(core, arn, ShardIteratorType.Latest);
        await using var firstEvents = first.Events.GetAsyncEnumerator(Token);
        await NextAsync(firstEvents);

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceInUse, () => SubscribeAsync(core, arn, ShardIteratorType.Latest));
        core.Time.Advance(core.Options.FanOut.TakeoverAfter);
        await using var second = await SubscribeAsync(core, arn, ShardIteratorType.Latest);

        var ended = await Assert.ThrowsAsync<KinesisException>(async () =>
        {
            while (await firstEvents.MoveNextAsync().AsTask().WaitAsync(Wait, Token))
            {
                firstEvents.Current.Dispose();
            }
        });
        Assert.Equal(KinesisErrorCode.ResourceInUse, ended.Code);
    }

    [Fact]
    public async Task SubscribeToShard_LifetimeOver_EndsNormally()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.Latest);
        await using var events = subscription.Events.GetAsyncEnumerator(Token);
        await NextAsync(events);

        core.Time.Advance(core.Options.FanOut.SubscriptionLifetime);

        // Empty heartbeat events may come while the clock passes; then the enumeration ends, without
        // error. The clock keeps moving a second at a time: a wait the pump armed while the big step
        // was being taken is due after it.
        while (true)
        {
            var move = events.MoveNextAsync().AsTask();
            await Eventually.UntilAsync(
                () =>
                {
                    core.Time.Advance(TimeSpan.FromSeconds(1));
                    return move.IsCompleted;
                },
                because: "the subscription ends after its lifetime");
            if (!await move)
            {
                break;
            }

            Assert.Empty(events.Current.Records);
        }

        await Eventually.UntilAsync(() => core.Service.OpenSubscriptionCount == 0, because: "the ended subscription is forgotten");
    }

    [Fact]
    public async Task SubscribeToShard_ConsumerDeregistered_EndsWithResourceNotFound()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.Latest);
        await using var events = subscription.Events.GetAsyncEnumerator(Token);
        await NextAsync(events);

        await core.Service.DeregisterStreamConsumerAsync(new StreamConsumerRequest { ConsumerARN = arn }, Token);

        var ended = await Assert.ThrowsAsync<KinesisException>(() => events.MoveNextAsync().AsTask().WaitAsync(Wait, Token));
        Assert.Equal(KinesisErrorCode.ResourceNotFound, ended.Code);
    }

    [Fact]
    public async Task SubscribeToShard_OverReadQuota_WaitsForRefillInsteadOfFailing()
    {
        var core = await StartAsync(o => o.Quotas.SubscriptionReadBytesPerSecond = 100);
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        var payload = new string('x', 79);
        for (var i = 0; i < 3; i++)
        {
            await core.PutAsync("s", "k", payload);
        }

        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.TrimHorizon);
        await using var events = subscription.Events.GetAsyncEnumerator(Token);

        // 100 bytes of burst: one 80-byte record, then one more (a read always returns its first
        // record), leaving the bucket in debt; the third waits until the clock refills it.
        Assert.Single((await NextAsync(events)).Records);
        Assert.Single((await NextAsync(events)).Records);
        var third = events.MoveNextAsync().AsTask();
        await Eventually.UntilAsync(() => core.Time.HasTimerDueWithin(TimeSpan.FromSeconds(1)), because: "the pump waits for its quota on the clock");
        Assert.False(third.IsCompleted);
        core.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await third.WaitAsync(Wait, Token));
        Assert.Single(events.Current.Records);
    }

    [Fact]
    public async Task SubscribeToShard_SlowSubscriber_ReadsAheadOnlyQueueCapacity()
    {
        var core = await StartAsync(o =>
        {
            o.FanOut.MaxEventBytes = 1;
            o.FanOut.EventQueueCapacity = 2;
        });
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");
        for (var i = 0; i < 20; i++)
        {
            await core.PutAsync("s", "k", "r" + i);
        }

        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.TrimHorizon);
        await Eventually.UntilAsync(() => subscription.BufferedEvents == 2, because: "the pump fills the queue");

        await using var events = subscription.Events.GetAsyncEnumerator(Token);
        var received = new List<string>();
        while (received.Count < 20)
        {
            Assert.True(subscription.BufferedEvents <= 2);
            received.AddRange(Data(await NextAsync(events)));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => "r" + i), received);
    }

    [Fact]
    public async Task SubscribeToShard_UnknownShardOrConsumer_ThrowsBeforeFirstEvent()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var arn = await RegisterAsync(core, "app");

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.Service.SubscribeToShardAsync(
            new SubscribeToShardRequest { ConsumerARN = arn, ShardId = "shardId-000000000007", StartingPosition = new StartingPosition { Type = ShardIteratorType.Latest } },
            Token).AsTask());
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => SubscribeAsync(core, StreamArn + "/consumer/other:1", ShardIteratorType.Latest));
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => SubscribeAsync(core, arn, ShardIteratorType.AtSequenceNumber));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => SubscribeAsync(core, "arn:nope", ShardIteratorType.Latest));
    }

    [Fact]
    public async Task GetShardIterator_LegacyLayoutNumbers_AtAndAfterStillWork()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await core.PutAsync("s", "k", "r0");
        await core.PutAsync("s", "k", "r1");
        await core.PutAsync("s", "k", "r2");

        // Numbers as the previous version issued them (layout 1: "1", shard, offset), e.g. KCL checkpoints.
        var legacy = SequenceNumber.Legacy(0, 1).ToString();
        Assert.StartsWith("1", legacy, StringComparison.Ordinal);
        var (at, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, legacy));
        var (after, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, legacy));
        var (afterLast, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, SequenceNumber.Legacy(0, 2).ToString()));

        Assert.Equal(["r1", "r2"], at);
        Assert.Equal(["r2"], after);
        Assert.Empty(afterLast);
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, SequenceNumber.Legacy(0, 3).ToString()));
    }

    [Fact]
    public async Task SubscribeToShard_ClosedShardEnd_ChildShardsThenEnds()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("split");
        var arn = await RegisterAsync(core, "app", "arn:aws:kinesis:us-east-1:000000000000:stream/split");
        await core.PutAsync("split", "k", "r0");
        await core.PutAsync("split", "k", "r1");
        await GetRecordsTests.SplitShardZeroAsync(core, "split", endingOffset: 2);

        await using var subscription = await SubscribeAsync(core, arn, ShardIteratorType.TrimHorizon);
        var received = new List<string>();
        IReadOnlyList<ChildShard>? children = null;
        SequenceNumber? last = SequenceNumber.Before(0, 0);
        await foreach (var item in subscription.Events.WithCancellation(Token))
        {
            received.AddRange(Data(item));
            children = item.ChildShards;
            last = item.ContinuationSequenceNumber;
            item.Dispose();
        }

        Assert.Equal(["r0", "r1"], received);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], children!.Select(c => c.ShardId));
        var shard = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "split" }, Token)).Shards[0];
        Assert.NotNull(shard.SequenceNumberRange.EndingSequenceNumber);

        // The event at the end of a closed shard has no continuation (Kinesis: null), which the KCL
        // reads as "shard end"; resubscribing is not needed, the children are next.
        Assert.Null(last);
    }

    private static async Task<string> RegisterAsync(CoreHarness core, string name, string streamArn = StreamArn)
    {
        var registered = await core.Service.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = name }, Token);
        core.Time.Advance(core.Options.FanOut.ConsumerActivationDelay);
        return registered.Consumer.ConsumerARN;
    }

    private static async Task<ShardSubscription> SubscribeAsync(CoreHarness core, string consumerArn, ShardIteratorType type, string? sequenceNumber = null) =>
        await core.Service.SubscribeToShardAsync(
            new SubscribeToShardRequest
            {
                ConsumerARN = consumerArn,
                ShardId = "shardId-000000000000",
                StartingPosition = new StartingPosition { Type = type, SequenceNumber = sequenceNumber },
            },
            Token);

    private static async Task<SubscribeToShardEvent> NextAsync(IAsyncEnumerator<SubscribeToShardEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Wait, Token), "the subscription ended");
        return events.Current;
    }

    private static List<string> Data(SubscribeToShardEvent item) => [.. item.Records.Select(r => Encoding.UTF8.GetString(r.Data.Span))];
}
