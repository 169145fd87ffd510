using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class GetRecordsTests
{
    private static async Task<CoreHarness> StreamWithRecordsAsync(int count, Action<KinesisStreamsOptions>? configure = null)
    {
        var core = await StartAsync(configure);
        await core.CreateStreamAsync("s");
        for (var i = 0; i < count; i++)
        {
            await core.PutAsync("s", "k", "r" + i);
            core.Time.Advance(TimeSpan.FromSeconds(1));
        }

        return core;
    }

    [Fact]
    public async Task TrimHorizon_ReadsEverythingInOrderThenContinues()
    {
        var core = await StreamWithRecordsAsync(3);

        var (data, next, behind) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon));
        Assert.Equal(["r0", "r1", "r2"], data);
        Assert.Equal(0, behind);

        await core.PutAsync("s", "k", "r3");
        var (more, _, _) = await core.ReadAsync(next!);
        Assert.Equal(["r3"], more);
    }

    [Fact]
    public async Task Records_ExposeSequenceNumberArrivalTimeAndPartitionKey()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var put = await core.PutAsync("s", "ключ", "payload");

        using var response = await core.Service.GetRecordsAsync(
            new GetRecordsRequest { ShardIterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon) },
            Token);

        var record = Assert.Single(response.Records);
        Assert.Equal(put.SequenceNumber, record.SequenceNumber);
        Assert.Equal(core.Time.GetUtcNow(), record.ApproximateArrivalTimestamp);
        Assert.Equal("ключ", record.PartitionKey);
        Assert.Equal(Encoding.UTF8.GetBytes("ключ"), record.PartitionKeyUtf8.ToArray());
        Assert.Equal("payload", Encoding.UTF8.GetString(record.Data.Span));
        Assert.Equal(EncryptionType.None, record.EncryptionType);
    }

    [Fact]
    public async Task Latest_SeesOnlyRecordsWrittenAfterIssue()
    {
        var core = await StreamWithRecordsAsync(2);

        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.Latest);
        await core.PutAsync("s", "k", "new");

        var (data, _, _) = await core.ReadAsync(iterator);
        Assert.Equal(["new"], data);
    }

    [Fact]
    public async Task AtAndAfterSequenceNumber_StartAtAndAfterThatRecord()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var puts = new List<PutRecordResponse>();
        for (var i = 0; i < 4; i++)
        {
            puts.Add(await core.PutAsync("s", "k", "r" + i));
        }

        var at = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, puts[1].SequenceNumber.ToString()));
        var after = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, puts[1].SequenceNumber.ToString()));

        Assert.Equal(["r1", "r2", "r3"], at.Data);
        Assert.Equal(["r2", "r3"], after.Data);
    }

    [Fact]
    public async Task SequenceNumber_BelowTrimHorizon_StartsAtTrimHorizon()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var first = await core.PutAsync("s", "k", "r0");
        await core.PutAsync("s", "k", "r1");
        await core.PutAsync("s", "k", "r2");
        core.Store.Trim("kinesis.s", 0, 2);

        var (data, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, first.SequenceNumber.ToString()));
        var (trim, _, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon));

        Assert.Equal(["r2"], data);
        Assert.Equal(["r2"], trim);
    }

    [Fact]
    public async Task SequenceNumber_OfOtherShardOrForeignOrBeyondEnd_InvalidArgument()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 2);
        await core.PutAsync("s", "k", "v", explicitHashKey: "0");

        var otherShard = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            () => core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, new SequenceNumber(5, 0).ToString()));
        Assert.Equal("Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard with shardId-000000000000", otherShard.Message);

        var foreign = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            () => core.IteratorAsync("s", 0, ShardIteratorType.AtSequenceNumber, "49554751971385712311965096607999491514675643249030332418"));
        Assert.Equal("StartingSequenceNumber 49554751971385712311965096607999491514675643249030332418 used in GetShardIterator on shard shardId-000000000000 in stream s under account 000000000000 is invalid.", foreign.Message);

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            () => core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, new SequenceNumber(0, 1).ToString()));
        await core.IteratorAsync("s", 0, ShardIteratorType.AfterSequenceNumber, new SequenceNumber(0, 0).ToString());
    }

    [Fact]
    public async Task AtTimestamp_StartsAtFirstRecordAtOrAfterIt_FutureGivesTip()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var start = core.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            await core.PutAsync("s", "k", "r" + i);
            core.Time.Advance(TimeSpan.FromSeconds(10));
        }

        var fromMiddle = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AtTimestamp, timestamp: start.AddSeconds(5)));
        var fromStart = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.AtTimestamp, timestamp: start.AddDays(-1)));
        var future = await core.IteratorAsync("s", 0, ShardIteratorType.AtTimestamp, timestamp: start.AddDays(1));
        await core.PutAsync("s", "k", "later");

        Assert.Equal(["r1", "r2"], fromMiddle.Data);
        Assert.Equal(["r0", "r1", "r2"], fromStart.Data);
        Assert.Equal(["later"], (await core.ReadAsync(future)).Data);
    }

    [Theory]
    [InlineData(ShardIteratorType.AtSequenceNumber, false, false, "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.")]
    [InlineData(ShardIteratorType.AfterSequenceNumber, false, false, "Request specified AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber.")]
    [InlineData(ShardIteratorType.Latest, true, false, "Request specified LATEST and also a StartingSequenceNumber.")]
    [InlineData(ShardIteratorType.TrimHorizon, true, false, "Request specified TRIM_HORIZON and also a StartingSequenceNumber.")]
    [InlineData(ShardIteratorType.AtTimestamp, false, false, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")]
    [InlineData(ShardIteratorType.Latest, false, true, "Must specify timestampInMillis parameter only for iterator of type AT_TIMESTAMP.")]
    public async Task GetShardIterator_WrongParametersForType_InvalidArgument(ShardIteratorType type, bool withSequence, bool withTimestamp, string message)
    {
        var core = await StreamWithRecordsAsync(1);

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            () => core.IteratorAsync("s", 0, type, withSequence ? new SequenceNumber(0, 0).ToString() : null, withTimestamp ? core.Time.GetUtcNow() : null));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetShardIterator_UnknownShard_ResourceNotFoundWithKinesisMessages()
    {
        var core = await StreamWithRecordsAsync(0);

        var missing = await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = "shardId-5", ShardIteratorType = ShardIteratorType.Latest }, Token));
        Assert.Equal("Shard shardId-000000000005 in stream s under account 000000000000 does not exist", missing.Message);

        var garbage = await ThrowsKinesisAsync(
            KinesisErrorCode.ResourceNotFound,
            async () => await core.Service.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = "ABKLFD8", ShardIteratorType = ShardIteratorType.Latest }, Token));
        Assert.Equal("Could not find shard ABKLFD8 in stream s under account 000000000000.", garbage.Message);

        // Any prefix before the last '-' names the shard, as in Kinesis.
        await core.Service.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s", ShardId = "anything-0", ShardIteratorType = ShardIteratorType.Latest }, Token);
    }

    [Fact]
    public async Task GetShardIterator_MissingMembers_ValidationException()
    {
        var core = await StreamWithRecordsAsync(0);

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = "s" }, Token));

        Assert.Equal(
            "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null; Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null",
            error.Message);
    }

    [Fact]
    public async Task Iterator_OlderThanTtl_ExpiredIterator_NextIteratorHasFreshIssueTime()
    {
        var core = await StreamWithRecordsAsync(1);
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon);

        core.Time.Advance(TimeSpan.FromMinutes(4));
        var (_, next, _) = await core.ReadAsync(iterator);
        core.Time.Advance(TimeSpan.FromMinutes(4));
        await core.ReadAsync(next!);

        var error = await ThrowsKinesisAsync(KinesisErrorCode.ExpiredIterator, () => core.ReadAsync(iterator));
        Assert.StartsWith("Iterator expired. The iterator was created at time ", error.Message);
        Assert.EndsWith("which is further in the future than the tolerated delay of 300000 milliseconds.", error.Message);
    }

    [Fact]
    public async Task Iterator_Tampered_InvalidArgument()
    {
        var core = await StreamWithRecordsAsync(1);
        var bytes = Convert.FromBase64String(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon));
        bytes[15] ^= 1;

        var error = await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.ReadAsync(Convert.ToBase64String(bytes)));

        Assert.Equal("Invalid ShardIterator.", error.Message);
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.ReadAsync("garbage"));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => core.ReadAsync(new string('A', 513)));
    }

    [Fact]
    public async Task Iterator_StreamDeletedAndRecreated_Rejected()
    {
        var core = await StreamWithRecordsAsync(1);
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon);

        await core.Service.DeleteStreamAsync(new DeleteStreamRequest { StreamName = "s" }, Token);
        await core.CreateStreamAsync("s");

        var error = await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.ReadAsync(iterator));
        Assert.Equal("Shard shardId-000000000000 in stream s under account 000000000000 does not exist", error.Message);
    }

    [Fact]
    public async Task Limit_ReturnsAtMostThatManyAndContinues()
    {
        var core = await StreamWithRecordsAsync(5);

        var (first, next, _) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon), limit: 2);
        var (second, _, _) = await core.ReadAsync(next!, limit: 10);

        Assert.Equal(["r0", "r1"], first);
        Assert.Equal(["r2", "r3", "r4"], second);
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => core.ReadAsync(next!, limit: 0));
        await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => core.ReadAsync(next!, limit: 10001));
    }

    [Fact]
    public async Task MillisBehindLatest_AgeOfLastRecordReturnedWhileBehind_ZeroWhenCaughtUp()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await core.PutAsync("s", "k", "a");
        await core.PutAsync("s", "k", "b");
        core.Time.Advance(TimeSpan.FromSeconds(10));

        var (_, next, behind) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon), limit: 1);
        var (_, _, caughtUp) = await core.ReadAsync(next!);

        Assert.Equal(10_000, behind);
        Assert.Equal(0, caughtUp);
    }

    [Fact]
    public async Task MillisBehindLatest_EmptyPageBelowTheTip_NotZero()
    {
        // The storage port may return no records though more exist (a Kafka fetch in flight). A client
        // reads until an empty page at MillisBehindLatest 0 ("caught up"), so that page must not say 0.
        var core = await StreamWithRecordsAsync(3);
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon);
        core.Store.MaxRecordsPerRead = 0;

        var (empty, next, behind) = await core.ReadAsync(iterator);
        core.Store.MaxRecordsPerRead = 2;
        var (firstTwo, rest, stillBehind) = await core.ReadAsync(next!);
        core.Store.MaxRecordsPerRead = null;
        var (last, _, caughtUp) = await core.ReadAsync(rest!);

        Assert.Empty(empty);
        Assert.True(behind > 0, $"empty page below the tip: MillisBehindLatest {behind}");
        Assert.Equal(["r0", "r1"], firstTwo);
        Assert.True(stillBehind > 0);
        Assert.Equal(["r2"], last);
        Assert.Equal(0, caughtUp);
    }

    [Fact]
    public async Task MillisBehindLatest_BelowTheTipWithRecordsOfThisMillisecond_NotZero()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        await core.PutAsync("s", "k", "a");
        await core.PutAsync("s", "k", "b");

        var (data, _, behind) = await core.ReadAsync(await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon), limit: 1);

        Assert.Equal(["a"], data);
        Assert.Equal(1, behind);
    }

    [Fact]
    public async Task GetRecords_FiveCallsPerSecondPerShard()
    {
        var core = await StreamWithRecordsAsync(0);
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.Latest);
        for (var i = 0; i < 5; i++)
        {
            iterator = (await core.ReadAsync(iterator)).Next!;
        }

        var error = await ThrowsKinesisAsync(KinesisErrorCode.ProvisionedThroughputExceeded, () => core.ReadAsync(iterator));
        Assert.Equal("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.", error.Message);
        core.Time.Advance(TimeSpan.FromMilliseconds(200));
        await core.ReadAsync(iterator);
    }

    [Fact]
    public async Task GetRecords_LargeRead_FollowingCallsThrottledUntilBucketRefills()
    {
        var core = await StartAsync(o => o.Quotas.Enabled = false);
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "big", ShardCount = 1, MaxRecordSizeInKiB = 10240 }, Token);
        for (var i = 0; i < 3; i++)
        {
            await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "big", PartitionKey = "k", Data = new byte[3 * 1024 * 1024] }, Token);
        }

        var quotas = await StartAsync(store: core.Store, time: core.Time);
        using var response = await quotas.Service.GetRecordsAsync(
            new GetRecordsRequest { ShardIterator = await quotas.IteratorAsync("big", 0, ShardIteratorType.TrimHorizon) },
            Token);
        Assert.Equal(3, response.Records.Count);

        await ThrowsKinesisAsync(KinesisErrorCode.ProvisionedThroughputExceeded, () => quotas.ReadAsync(response.NextShardIterator!));
        quotas.Time.Advance(TimeSpan.FromSeconds(3));
        await ThrowsKinesisAsync(KinesisErrorCode.ProvisionedThroughputExceeded, () => quotas.ReadAsync(response.NextShardIterator!));
        quotas.Time.Advance(TimeSpan.FromSeconds(1.6));
        await quotas.ReadAsync(response.NextShardIterator!);
    }

    [Fact]
    public async Task GetRecords_TenMiBCap_SplitsAcrossCalls()
    {
        var core = await StartAsync(o => o.Quotas.Enabled = false);
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "big", ShardCount = 1, MaxRecordSizeInKiB = 10240 }, Token);
        for (var i = 0; i < 4; i++)
        {
            await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "big", PartitionKey = "k", Data = new byte[3 * 1024 * 1024] }, Token);
        }

        using var first = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = await core.IteratorAsync("big", 0, ShardIteratorType.TrimHorizon) }, Token);
        using var second = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = first.NextShardIterator }, Token);

        Assert.Equal(3, first.Records.Count);
        Assert.True(first.MillisBehindLatest >= 0);
        Assert.Single(second.Records);
    }

    [Fact]
    public async Task GetRecords_StreamArnOfOtherStream_InvalidArgument()
    {
        var core = await StreamWithRecordsAsync(1);
        var iterator = await core.IteratorAsync("s", 0, ShardIteratorType.TrimHorizon);

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/other" }, Token));
        using var ok = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, StreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s" }, Token);
        Assert.Single(ok.Records);
    }

    [Fact]
    public async Task ClosedShard_ReadToEnd_NoNextIteratorAndChildShards()
    {
        var core = await StartAsync(o => o.Quotas.Enabled = false);
        await core.CreateStreamAsync("split");
        await core.PutAsync("split", "k", "before-1");
        await core.PutAsync("split", "k", "before-2");
        var iterator = await core.IteratorAsync("split", 0, ShardIteratorType.TrimHorizon);

        // Resharding is not an operation yet: write the catalog change a SplitShard would make.
        await SplitShardZeroAsync(core, "split", endingOffset: 2);
        var after = await core.PutAsync("split", "k", "after");

        using var response = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }, Token);
        Assert.Equal(2, response.Records.Count);
        Assert.Null(response.NextShardIterator);
        Assert.Equal(["shardId-000000000001", "shardId-000000000002"], response.ChildShards!.Select(c => c.ShardId));
        Assert.All(response.ChildShards!, c => Assert.Equal(["shardId-000000000000"], c.ParentShards));
        Assert.NotEqual(0, after.ShardIndex);

        var shards = await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "split" }, Token);
        // The end position (before offset 2) is the number of the shard's last record (offset 1).
        Assert.Equal(SequenceNumber.Before(0, 2), shards.Shards[0].SequenceNumberRange.EndingSequenceNumber);
        Assert.Equal(new SequenceNumber(0, 1), shards.Shards[0].SequenceNumberRange.EndingSequenceNumber);
        Assert.False(shards.Shards[0].IsOpen);
        Assert.Equal("shardId-000000000000", shards.Shards[1].ParentShardId);
        var latest = await core.Service.ListShardsAsync(
            new ListShardsRequest { StreamName = "split", ShardFilter = new ShardFilter { Type = ShardFilterType.AtLatest } },
            Token);
        Assert.Equal([1, 2], latest.Shards.Select(s => s.ShardIndex));
        var summary = await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "split" }, Token);
        Assert.Equal(2, summary.StreamDescriptionSummary.OpenShardCount);
    }

    [Fact]
    public async Task ClosedShard_IteratorAtEnd_ReturnsChildrenAtOnce()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("split");
        await core.PutAsync("split", "k", "only");
        await SplitShardZeroAsync(core, "split", endingOffset: 1);

        var iterator = await core.IteratorAsync("split", 0, ShardIteratorType.Latest);
        using var response = await core.Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }, Token);

        Assert.Empty(response.Records);
        Assert.Null(response.NextShardIterator);
        Assert.Equal(2, response.ChildShards!.Count);
    }

    /// <summary>Appends to the catalog the change SplitShard would make: shard 0 closed, two children.</summary>
    internal static async Task SplitShardZeroAsync(CoreHarness core, string stream, long endingOffset)
    {
        var catalog = KinesisStreamsOptions.DefaultCatalogTopic;
        var offsets = await core.Store.GetOffsetsAsync(catalog, 0, Token);
        StreamEntry? current = null;
        long version = -1;
        using (var read = await core.Store.ReadAsync(new ReadRequest(catalog, 0, 0, 10_000, 64 << 20), Token))
        {
            foreach (var record in read.Records.ToArray())
            {
                var command = JsonSerializer.Deserialize(record.Value.Span, CatalogJsonContext.Default.CatalogCommand)!;
                if (command.StreamName == stream && command.Kind == CatalogCommandKind.PutStream)
                {
                    current = command.Stream;
                    version = record.Offset;
                }
            }
        }

        Assert.True(offsets.Offsets.HighWatermark > version);
        var updated = current!.Clone();
        var now = core.Time.GetUtcNow().ToUnixTimeMilliseconds();
        updated.Shards[0].EndingOffset = endingOffset;
        updated.Shards[0].ClosedAtMs = now;
        var middle = UInt128.MaxValue / 2;
        updated.Shards.Add(new ShardEntry { Index = 1, StartingHashKey = "0", EndingHashKey = middle.ToString(CultureInfo.InvariantCulture), ParentIndex = 0, CreatedAtMs = now });
        updated.Shards.Add(new ShardEntry { Index = 2, StartingHashKey = (middle + 1).ToString(CultureInfo.InvariantCulture), EndingHashKey = HashKeys.Max.ToString(CultureInfo.InvariantCulture), ParentIndex = 0, CreatedAtMs = now });
        Assert.Equal(StorageStatus.Ok, await core.Store.AddPartitionsAsync(updated.Topic, 3, Token));
        var value = JsonSerializer.SerializeToUtf8Bytes(
            new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = stream, BasedOnVersion = version, Stream = updated, ProposalId = "test" },
            CatalogJsonContext.Default.CatalogCommand);
        Assert.Equal(
            StorageStatus.Ok,
            await core.Store.AppendAsync(catalog, 0, new[] { new LogRecord(Encoding.UTF8.GetBytes(stream), value, now) }, new AppendOutcome[1], Token));
        await core.Service.RefreshCatalogAsync(Token);
    }
}
