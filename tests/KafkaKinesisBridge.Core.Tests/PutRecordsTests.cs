using System.Text;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Streams;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class PutRecordsTests
{
    private static PutRecordsRequestEntry Entry(string key, string data, string? explicitHashKey = null) =>
        new(Encoding.UTF8.GetBytes(data), key, explicitHashKey);

    private static async Task<PutRecordsResponse> PutRecordsAsync(CoreHarness core, string stream, params PutRecordsRequestEntry[] entries) =>
        await core.Service.PutRecordsAsync(new PutRecordsRequest { StreamName = stream, Records = entries }, Token);

    [Fact]
    public async Task PutRecords_ManyKeys_EachRecordInTheShardOwningItsMd5AndResultsInRequestOrder()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 4);
        var ranges = HashKeys.Split(4);
        var entries = Enumerable.Range(0, 200).Select(i => Entry("key-" + i, "data-" + i)).ToArray();

        using var response = await PutRecordsAsync(core, "s", entries);

        Assert.Equal(0, response.FailedRecordCount);
        Assert.Equal(entries.Length, response.Records.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var result = response.Records[i];
            var expectedShard = Array.FindIndex(ranges, r => r.Contains(HashKeys.FromPartitionKey("key-" + i)));
            Assert.True(result.IsSuccess);
            Assert.Equal(expectedShard, result.ShardIndex);
            Assert.Equal(ShardIds.Format(expectedShard), result.ShardId);
            Assert.Equal(expectedShard, result.SequenceNumber.ShardIndex);
            var stored = core.Store.RecordsOf("kinesis.s", expectedShard).Single(r => r.Offset == result.SequenceNumber.Offset);
            Assert.Equal("data-" + i, Encoding.UTF8.GetString(stored.Value.Span));
            Assert.Equal("key-" + i, Encoding.UTF8.GetString(stored.Key.Span));
            Assert.Equal(core.Time.GetUtcNow().ToUnixTimeMilliseconds(), stored.TimestampMs);
            Assert.Null(stored.Headers);
        }

        // Within a shard, request order is storage order.
        for (var shard = 0; shard < 4; shard++)
        {
            var offsets = Enumerable.Range(0, entries.Length).Where(i => response.Records[i].ShardIndex == shard).Select(i => response.Records[i].SequenceNumber.Offset).ToList();
            Assert.Equal(offsets.Order().ToList(), offsets);
        }
    }

    [Fact]
    public async Task PutRecords_SeveralShards_OneAppendPerShard()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 8);
        var entries = Enumerable.Range(0, 500).Select(i => Entry("k" + i, "d")).ToArray();
        var before = core.Store.AppendCalls;

        using var response = await PutRecordsAsync(core, "s", entries);

        var shardsUsed = Enumerable.Range(0, 500).Select(i => response.Records[i].ShardIndex).Distinct().Count();
        Assert.Equal(8, shardsUsed);
        Assert.Equal(shardsUsed, core.Store.AppendCalls - before);
    }

    [Fact]
    public async Task PutRecords_ExplicitHashKey_RoutesByItAndKeepsItInAHeader()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 2);
        const string upperHalf = "170141183460469231731687303715884105728";

        using var response = await PutRecordsAsync(core, "s", Entry("same", "a", "0"), Entry("same", "b", upperHalf));

        Assert.Equal(0, response.Records[0].ShardIndex);
        Assert.Equal(1, response.Records[1].ShardIndex);
        var stored = core.Store.RecordsOf("kinesis.s", 1).Single();
        var header = Assert.Single(stored.Headers!);
        Assert.Equal(StreamsService.ExplicitHashKeyHeader, header.Key);
        Assert.Equal(upperHalf, Encoding.ASCII.GetString(header.Value.Span));
    }

    [Fact]
    public async Task PutRecords_StorageFailsForOneShard_OnlyItsRecordsFailWithInternalFailure()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 2);
        core.Store.InjectFault(LogStoreOperation.Append, StorageStatus.Unavailable, topic: "kinesis.s", partition: 1);
        var entries = new[] { Entry("a", "1", "0"), Entry("b", "2", UInt128.MaxValue.ToString()), Entry("c", "3", "1") };

        using var response = await PutRecordsAsync(core, "s", entries);

        Assert.Equal(1, response.FailedRecordCount);
        Assert.True(response.Records[0].IsSuccess);
        Assert.Equal(PutRecordsErrorCodes.InternalFailure, response.Records[1].ErrorCode);
        Assert.NotNull(response.Records[1].ErrorMessage);
        Assert.Null(response.Records[1].ShardId);
        Assert.True(response.Records[2].IsSuccess);
        Assert.Empty(core.Store.RecordsOf("kinesis.s", 1));
    }

    [Fact]
    public async Task PutRecords_BeyondRecordQuota_ExcessRecordsThrottledIndividually()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var batch = Enumerable.Range(0, 500).Select(i => Entry("k" + i, "x")).ToArray();

        using var first = await PutRecordsAsync(core, "s", batch);
        using var second = await PutRecordsAsync(core, "s", batch);
        using var third = await PutRecordsAsync(core, "s", batch);

        Assert.Equal(0, first.FailedRecordCount);
        Assert.Equal(0, second.FailedRecordCount);
        Assert.Equal(500, third.FailedRecordCount);
        var throttled = third.Records[0];
        Assert.Equal(PutRecordsErrorCodes.ProvisionedThroughputExceeded, throttled.ErrorCode);
        Assert.Equal("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000.", throttled.ErrorMessage);
        Assert.Equal(1000, core.Store.RecordsOf("kinesis.s", 0).Count);

        core.Time.Advance(TimeSpan.FromMilliseconds(250));
        using var fourth = await PutRecordsAsync(core, "s", batch);
        Assert.Equal(250, fourth.Records.ToArray().Count(r => r.IsSuccess));
        Assert.True(fourth.Records[..250].ToArray().All(r => r.IsSuccess), "quota is applied in request order");
    }

    [Fact]
    public async Task PutRecords_BeyondByteQuota_ThrottledButBatchSucceeds()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var big = new string('x', 300 * 1024);
        var entries = Enumerable.Range(0, 4).Select(i => Entry("k", big)).ToArray();

        using var response = await PutRecordsAsync(core, "s", entries);

        Assert.Equal(1, response.FailedRecordCount);
        Assert.True(response.Records[2].IsSuccess);
        Assert.False(response.Records[3].IsSuccess);
    }

    [Fact]
    public async Task PutRecords_QuotasDisabled_NothingThrottled()
    {
        var core = await StartAsync(o => o.Quotas.Enabled = false);
        await core.CreateStreamAsync("s");
        var batch = Enumerable.Range(0, 500).Select(i => Entry("k" + i, "x")).ToArray();

        for (var i = 0; i < 4; i++)
        {
            using var response = await PutRecordsAsync(core, "s", batch);
            Assert.Equal(0, response.FailedRecordCount);
        }
    }

    [Fact]
    public async Task PutRecord_TenMiBRecord_AcceptedWhenBucketFullThenThrottled()
    {
        var core = await StartAsync();
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "big", ShardCount = 1, MaxRecordSizeInKiB = 10240 }, Token);
        var tenMiB = new byte[(10 * 1024 * 1024) - 1];

        var put = await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "big", PartitionKey = "k", Data = tenMiB }, Token);

        Assert.Equal(0, put.SequenceNumber.Offset);
        var error = await ThrowsKinesisAsync(KinesisErrorCode.ProvisionedThroughputExceeded, () => core.PutAsync("big", "k", "small"));
        Assert.Equal("Rate exceeded for shard shardId-000000000000 in stream big under account 000000000000.", error.Message);
        core.Time.Advance(TimeSpan.FromSeconds(10));
        await core.PutAsync("big", "k", "small");
    }

    [Fact]
    public async Task PutRecord_Routing_MatchesPutRecordsAndReturnsSequenceNumber()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 3);

        var first = await core.PutAsync("s", "user-42", "a");
        var second = await core.PutAsync("s", "user-42", "b");

        Assert.Equal(first.ShardIndex, second.ShardIndex);
        Assert.Equal(first.SequenceNumber.Offset + 1, second.SequenceNumber.Offset);
        Assert.True(second.SequenceNumber > first.SequenceNumber);
        Assert.Equal(Array.FindIndex(HashKeys.Split(3), r => r.Contains(HashKeys.FromPartitionKey("user-42"))), first.ShardIndex);
        Assert.Equal(ShardIds.Format(first.ShardIndex), first.ShardId);
    }

    [Fact]
    public async Task PutRecord_StorageUnavailable_ServiceUnavailable()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        core.Store.InjectFault(LogStoreOperation.Append, StorageStatus.Unavailable, topic: "kinesis.s");

        await ThrowsKinesisAsync(KinesisErrorCode.ServiceUnavailable, () => core.PutAsync("s", "k", "v"));
        core.Store.InjectFault(LogStoreOperation.Append, StorageStatus.Timeout, topic: "kinesis.s");
        await ThrowsKinesisAsync(KinesisErrorCode.InternalFailure, () => core.PutAsync("s", "k", "v"));
        core.Store.InjectFault(LogStoreOperation.Append, StorageStatus.TopicNotFound, topic: "kinesis.s");
        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.PutAsync("s", "k", "v"));
    }

    [Fact]
    public async Task PutRecord_StorageRecordTooLarge_InvalidArgumentNotInternalFailure()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        core.Store.InjectFault(LogStoreOperation.Append, StorageStatus.RecordTooLarge, topic: "kinesis.s");

        // The backend refusing the size is the client's problem and not retriable: HTTP 400, not 500.
        var error = await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.PutAsync("s", "k", "v"));

        Assert.Contains("exceeds the size the storage accepts", error.Message, StringComparison.Ordinal);
        Assert.Equal(400, error.Code.ToHttpStatusCode());
    }

    [Fact]
    public async Task PutRecord_UnknownStream_ResourceNotFound()
    {
        var core = await StartAsync();

        var error = await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => core.PutAsync("nope", "k", "v"));

        Assert.Equal("Stream nope under account 000000000000 not found.", error.Message);
    }

    [Fact]
    public async Task PutRecord_ShapeErrors_ValidationException()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.PutRecordAsync(
                new PutRecordRequest { StreamName = "s", PartitionKey = new string('k', 257), ExplicitHashKey = "01", SequenceNumberForOrdering = "x" },
                Token));

        Assert.StartsWith("4 validation errors detected: ", error.Message);
        Assert.Contains("Value null at 'data' failed to satisfy constraint: Member must not be null", error.Message, StringComparison.Ordinal);
        Assert.Contains("at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value '01' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value 'x' at 'sequenceNumberForOrdering'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutRecord_SequenceNumberForOrderingValid_Accepted()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var first = await core.PutAsync("s", "k", "a");

        var second = await core.Service.PutRecordAsync(
            new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = "b"u8.ToArray(), SequenceNumberForOrdering = first.SequenceNumber.ToString() },
            Token);

        Assert.True(second.SequenceNumber > first.SequenceNumber);
    }

    [Fact]
    public async Task PutRecord_ExplicitHashKeyBeyondTwoTo128_InvalidArgument()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var error = await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => core.PutAsync("s", "k", "v", "340282366920938463463374607431768211456"));

        Assert.Equal("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456", error.Message);
    }

    [Fact]
    public async Task PutRecord_DataOverStreamMaximum_ValidationAndWithKeyInvalidArgument()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var tooBig = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new byte[(1024 * 1024) + 1] }, Token));
        Assert.Equal(
            "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576",
            tooBig.Message);

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "key", Data = new byte[1024 * 1024] }, Token));
        await core.Service.PutRecordAsync(new PutRecordRequest { StreamName = "s", PartitionKey = "k", Data = new byte[(1024 * 1024) - 1] }, Token);
    }

    [Fact]
    public async Task PutRecords_RequestShapeErrors_ValidationWithMemberPaths()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var empty = await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => PutRecordsAsync(core, "s"));
        Assert.Contains("at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1", empty.Message, StringComparison.Ordinal);

        var tooMany = await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => PutRecordsAsync(core, "s", [.. Enumerable.Range(0, 501).Select(i => Entry("k", "d"))]));
        Assert.Contains("Member must have length less than or equal to 500", tooMany.Message, StringComparison.Ordinal);

        var before = core.Store.AppendCalls;
        var badEntries = await ThrowsKinesisAsync(KinesisErrorCode.Validation, () => PutRecordsAsync(core, "s", Entry("ok", "d"), new PutRecordsRequestEntry("d"u8.ToArray(), null), Entry("", "d", "x")));
        Assert.StartsWith("3 validation errors detected: ", badEntries.Message);
        Assert.Contains("Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null", badEntries.Message, StringComparison.Ordinal);
        Assert.Contains("Value '' at 'records.3.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1", badEntries.Message, StringComparison.Ordinal);
        Assert.Contains("Value 'x' at 'records.3.member.explicitHashKey'", badEntries.Message, StringComparison.Ordinal);
        Assert.Equal(before, core.Store.AppendCalls);
    }

    [Fact]
    public async Task PutRecords_TotalOverFiveMiB_InvalidArgumentAndNothingWritten()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var before = core.Store.AppendCalls;

        // Six records of 1 MiB - 1 byte with 1-byte keys: each within the record limit, 6 MiB in total.
        var entries = Enumerable.Range(0, 6).Select(_ => new PutRecordsRequestEntry(new byte[(1024 * 1024) - 1], "k")).ToArray();
        await ThrowsKinesisAsync(KinesisErrorCode.InvalidArgument, () => PutRecordsAsync(core, "s", entries));

        Assert.Equal(before, core.Store.AppendCalls);

        // Exactly 5 MiB counting keys is accepted (the quota then throttles records after the first).
        var atLimit = Enumerable.Range(0, 5).Select(_ => new PutRecordsRequestEntry(new byte[(1024 * 1024) - 1], "k")).ToArray();
        using var accepted = await PutRecordsAsync(core, "s", atLimit);
        Assert.Equal(5, accepted.Records.Length);
    }

    [Fact]
    public async Task PutRecords_OneBadExplicitHashKey_WholeRequestRejectedBeforeWriting()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");
        var before = core.Store.AppendCalls;

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            () => PutRecordsAsync(core, "s", Entry("a", "1"), Entry("b", "2", "999999999999999999999999999999999999999")));

        Assert.Equal(before, core.Store.AppendCalls);
    }

    [Fact]
    public async Task PutRecordsResponse_Dispose_ReturnsResultsAndForbidsAccess()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s");

        var response = await PutRecordsAsync(core, "s", Entry("k", "v"));
        response.Dispose();

        Assert.Throws<ObjectDisposedException>(() => response.Records.Length);
    }
}
