using System.Text;
using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using static KafkaKinesisBridge.Storage.Tests.Kafka.KafkaMockStore;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>Reads on the mock cluster: the consumer pool, log start, concurrent appends, admin on the mock.</summary>
public sealed class KafkaLogStoreReadTests
{
    [Fact]
    public async Task ReadAsync_ContinuingReads_ReuseOnePositionedConsumer()
    {
        await using var mock = Start(o => o.ConsumerPoolSize = 4);
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("v", 0, 100))).Status);

        var values = await mock.ReadValuesAsync(topic, 0, 0, 100, maxRecords: 10);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"v-{i}"), values);
        var consumers = mock.Store.GetStatistics().Consumers;
        Assert.Equal(1, consumers.Created);
        Assert.Equal(1, consumers.Assignments);
        Assert.Equal(0, consumers.Seeks);
        Assert.True(consumers.Continued >= 9, $"continued {consumers.Continued}");
    }

    [Fact]
    public async Task ReadAsync_PartitionLargerThanThePrefetchQueue_ReadsWithoutStallingBetweenFetches()
    {
        // 30,000 records are more than the consumer prefetches (queued.min.messages): after each
        // drained queue the next fetch must follow at once, not after librdkafka's default 1 s backoff.
        const int Count = 30_000;
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        var value = new byte[100];
        for (var start = 0; start < Count; start += 500)
        {
            var batch = Enumerable.Range(start, 500).Select(i => new LogRecord(ReadOnlyMemory<byte>.Empty, value, 1_700_000_000_000)).ToArray();
            Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, batch)).Status);
        }

        var next = 0L;
        var emptyReads = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (next < Count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading stalled at {next}");
            using var read = await mock.Store.ReadAsync(new ReadRequest(topic, 0, next, 10_000, 10 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            emptyReads += read.Records.Length == 0 ? 1 : 0;
            next = read.NextOffset;
        }

        // Each empty read waited the full ReadWait (200 ms) for a fetch that had not come.
        Assert.True(emptyReads <= 2, $"{emptyReads} reads found nothing although records were there");
    }

    [Fact]
    public async Task ReadAsync_ByteLimitHoldsBackARecord_NextReadStartsWithItWithoutSeeking()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        var records = Enumerable.Range(0, 6).Select(i => new LogRecord(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(new string((char)('a' + i), 100)), 1_700_000_000_000 + i)).ToArray();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, records)).Status);
        // Wait until all six are fetched, so every read below is served from the consumer's queue.
        Assert.Equal(6, (await mock.ReadValuesAsync(topic, 0, 0, 6)).Count);

        var lengths = new List<int>();
        var next = 0L;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (next < 6)
        {
            Assert.True(DateTime.UtcNow < deadline, $"reading stalled at {next}");
            using var read = await mock.Store.ReadAsync(new ReadRequest(topic, 0, next, 100, 250), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            lengths.Add(read.Records.Length);
            foreach (var record in read.Records.Span)
            {
                Assert.Equal(next, record.Offset);
                Assert.Equal(records[next].TimestampMs, record.TimestampMs);
                Assert.Equal(records[next].Value.ToArray(), record.Value.ToArray());
                next++;
            }
        }

        Assert.All(lengths, n => Assert.InRange(n, 0, 2));
        Assert.Equal(1, mock.Store.GetStatistics().Consumers.Seeks);
    }

    [Fact]
    public async Task ReadAsync_MorePartitionsThanConsumers_StaysWithinThePoolBound()
    {
        const int Partitions = 6;
        await using var mock = Start(o => o.ConsumerPoolSize = 2);
        var topic = await mock.CreateTopicAsync(Partitions);
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, p, Records($"p{p}", 0, 30))).Status);
        }

        var reads = Enumerable.Range(0, Partitions).Select(p => Task.Run(() => mock.ReadValuesAsync(topic, p, 0, 30, maxRecords: 7), Ct));
        var results = await Task.WhenAll(reads);

        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(Enumerable.Range(0, 30).Select(i => $"p{p}-{i}"), results[p]);
        }

        // Six readers shared at most two consumers, which stay open for the next reads.
        var consumers = mock.Store.GetStatistics().Consumers;
        Assert.InRange(consumers.Created, 1, 2);
        Assert.Equal(consumers.Created, consumers.Live);
        Assert.Equal(0, consumers.Closed);
    }

    [Fact]
    public async Task ReadAsync_WhileAppendingToSeveralPartitions_EachReaderSeesItsPartitionInOrder()
    {
        const int Partitions = 3;
        const int Batches = 30;
        const int BatchSize = 10;
        await using var mock = Start(o => o.ConsumerPoolSize = 2);
        var topic = await mock.CreateTopicAsync(Partitions);

        var writers = Enumerable.Range(0, Partitions).Select(p => Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                var (status, _) = await mock.AppendAsync(topic, p, Records($"p{p}", b * BatchSize, BatchSize));
                Assert.Equal(StorageStatus.Ok, status);
            }
        }, Ct));
        var readers = Enumerable.Range(0, Partitions).Select(p => Task.Run(() => mock.ReadValuesAsync(topic, p, 0, Batches * BatchSize, maxRecords: 13), Ct)).ToArray();

        await Task.WhenAll(writers);
        var results = await Task.WhenAll(readers);

        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(Enumerable.Range(0, Batches * BatchSize).Select(i => $"p{p}-{i}"), results[p]);
        }
    }

    [Fact]
    public async Task ReadAsync_BelowLogStart_ReadsFromLogStart()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("v", 0, 10))).Status);
        // What retention does on a real broker: the records before offset 4 are gone.
        Assert.Equal(ErrorCode.NoError, mock.Cluster.DeleteRecords(topic, 0, 4));

        Assert.Equal(new PartitionOffsets(4, 10), (await mock.Store.GetOffsetsAsync(topic, 0, Ct)).Offsets);
        var first = new List<long>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (first.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no records read below the log start");
            using var read = await mock.Store.ReadAsync(new ReadRequest(topic, 0, 1, 3, 1 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            Assert.True(read.NextOffset >= 4, $"next offset {read.NextOffset} is below the log start");
            foreach (var record in read.Records.Span)
            {
                first.Add(record.Offset);
            }
        }

        Assert.Equal([4L, 5L, 6L], first);
    }

    [Fact]
    public async Task ReadAsync_TopicDeletedThroughStore_ReturnsTopicNotFoundAndNewTopicStartsEmpty()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("old", 0, 5))).Status);
        Assert.Equal(5, (await mock.ReadValuesAsync(topic, 0, 0, 5)).Count);

        Assert.Equal(StorageStatus.Ok, await mock.Store.DeleteTopicAsync(topic, Ct));

        using (var gone = await mock.Store.ReadAsync(new ReadRequest(topic, 0, 5, 10, 1 << 20), Ct))
        {
            Assert.Equal(StorageStatus.TopicNotFound, gone.Status);
        }

        Assert.Equal(StorageStatus.TopicNotFound, (await mock.AppendAsync(topic, 0, Records("x", 0, 1))).Status);
        Assert.Equal(StorageStatus.Ok, await mock.Store.CreateTopicAsync(new TopicSpec(topic, 1, TimeSpan.FromDays(1)), Ct));
        var (status, outcomes) = await mock.AppendAsync(topic, 0, Records("new", 0, 2));
        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal([0L, 1L], outcomes.Select(o => o.Offset));
        Assert.Equal(["new-0", "new-1"], await mock.ReadValuesAsync(topic, 0, 0, 2));
    }

    [Fact]
    public async Task AddPartitionsAsync_OnMockCluster_ReportsNotSupported()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync(2);

        Assert.Equal(StorageStatus.NotSupported, await mock.Store.AddPartitionsAsync(topic, 4, Ct));
        // Asking for the current count needs no change, so it is not refused.
        Assert.Equal(StorageStatus.Ok, await mock.Store.AddPartitionsAsync(topic, 2, Ct));
        Assert.Equal(new TopicInfo(topic, 2, TimeSpan.FromDays(1)), (await mock.Store.DescribeTopicAsync(topic, Ct)).Topic);
    }

    [Fact]
    public async Task SetRetentionAsync_OnMockCluster_RecordedAndDescribedByEveryStore()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        await using var other = KafkaLogStore.ForMockCluster(mock.Cluster, KafkaTestOptions.ForTests());

        Assert.Equal(StorageStatus.Ok, await mock.Store.SetRetentionAsync(topic, TimeSpan.FromHours(2), Ct));

        Assert.Equal(TimeSpan.FromHours(2), (await mock.Store.DescribeTopicAsync(topic, Ct)).Topic.Retention);
        Assert.Equal(TimeSpan.FromHours(2), (await other.DescribeTopicAsync(topic, Ct)).Topic.Retention);
        Assert.Equal(StorageStatus.TopicNotFound, await mock.Store.SetRetentionAsync($"missing-{Guid.NewGuid():N}", TimeSpan.FromHours(2), Ct));
    }

    [Fact]
    public async Task AppendAsync_TenMiBRecordWithDefaultLimits_AcceptedAndReadBackWhole()
    {
        // The core accepts up to 10 MiB of data per record (UpdateMaxRecordSize) plus a 256-character
        // partition key and a header: the default limits must let that through both ways.
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        var value = new byte[10 * 1024 * 1024];
        new Random(11).NextBytes(value);
        var key = Encoding.UTF8.GetBytes(new string('k', 256));
        LogHeader[] headers = [new("kinesis.explicit-hash-key", Encoding.UTF8.GetBytes("340282366920938463463374607431768211455"))];

        var (status, outcomes) = await mock.AppendAsync(topic, 0, [new LogRecord(key, value, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), headers)]);

        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal(0, outcomes[0].Offset);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the 10 MiB record was not read back");
            using var read = await mock.Store.ReadAsync(new ReadRequest(topic, 0, 0, 10, 10 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            if (read.Records.Length > 0)
            {
                var record = read.Records.Span[0];
                Assert.True(value.AsSpan().SequenceEqual(record.Value.Span), "the value did not read back byte for byte");
                Assert.True(key.AsSpan().SequenceEqual(record.Key.Span));
                break;
            }
        }
    }

    [Fact]
    public async Task CreateTopicAsync_ReplicationFactorAboveBrokerCount_ReturnsInvalidArgument()
    {
        await using var mock = Start(o => o.TopicReplicationFactor = 3);

        var status = await mock.Store.CreateTopicAsync(new TopicSpec($"rf-{Guid.NewGuid():N}", 1, TimeSpan.FromDays(1)), Ct);

        Assert.Equal(StorageStatus.InvalidArgument, status);
    }
}
