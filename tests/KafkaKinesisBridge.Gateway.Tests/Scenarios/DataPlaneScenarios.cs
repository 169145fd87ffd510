using System.Globalization;
using System.Numerics;
using System.Text;
using Google.Protobuf;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>
/// The data plane over gRPC against a real gateway: PutRecord and PutRecords routing (MD5 of the
/// partition key, ExplicitHashKey), per-shard sequence numbers, every iterator type, reading a
/// shard in several GetRecords, NextShardIterator chaining and byte-exact data and keys.
/// </summary>
public abstract class DataPlaneScenarios<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    /// <summary>Why AT_TIMESTAMP cannot be checked on this backend, or null.</summary>
    protected virtual string? TimestampLookupUnsupported => null;

    [Fact]
    public async Task PutRecord_ManyPartitionKeys_EachRoutedToTheShardOfItsMd5()
    {
        var name = GatewayHost.NewStreamName();
        var description = await Kinesis.CreateStreamAsync(name, 4);
        var keys = Enumerable.Range(0, 40).Select(i => "key-" + i.ToString(CultureInfo.InvariantCulture)).Concat(["ключ", "鍵🔑", "ü"]).ToArray();

        var acks = new List<(string Key, PutRecordResponse Ack)>();
        foreach (var key in keys)
        {
            acks.Add((key, await Kinesis.PutRecordAsync(name, key, "value of " + key)));
        }

        foreach (var (key, ack) in acks)
        {
            Assert.Equal(KinesisAssert.ShardFor(description.Shards, KinesisAssert.HashKeyOf(key)).ShardId, ack.ShardId);
        }

        Assert.Equal(4, acks.Select(a => a.Ack.ShardId).Distinct().Count());
        foreach (var shard in description.Shards)
        {
            var expected = acks.Where(a => a.Ack.ShardId == shard.ShardId).ToList();
            KinesisAssert.StrictlyIncreasing([.. expected.Select(a => a.Ack.SequenceNumber)]);
            var iterator = await Kinesis.GetShardIteratorAsync(name, shard.ShardId, ShardIteratorType.TrimHorizon);
            var (records, _) = await Kinesis.ReadAsync(iterator, expected: expected.Count);
            Assert.Equal(expected.Select(a => (a.Key, a.Ack.SequenceNumber)), records.Select(r => (r.PartitionKey, r.SequenceNumber)));
        }
    }

    [Fact]
    public async Task PutRecords_MixedKeysAndExplicitHashKeys_EachRecordRoutedAndNumberedInOrder()
    {
        var name = GatewayHost.NewStreamName();
        var description = await Kinesis.CreateStreamAsync(name, 4);
        var request = new PutRecordsRequest { StreamName = name };
        var expectedShards = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var key = "batch-" + i.ToString(CultureInfo.InvariantCulture);
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = key, Data = ByteString.CopyFromUtf8("by key " + key) });
            expectedShards.Add(KinesisAssert.ShardFor(description.Shards, KinesisAssert.HashKeyOf(key)).ShardId);
        }

        // The same partition key with each shard's first and last hash key: the ExplicitHashKey, not
        // the key's MD5, decides the shard.
        foreach (var shard in description.Shards)
        {
            foreach (var hashKey in new[] { shard.HashKeyRange.StartingHashKey, shard.HashKeyRange.EndingHashKey })
            {
                request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "explicit", ExplicitHashKey = hashKey, Data = ByteString.CopyFromUtf8("explicit " + hashKey) });
                expectedShards.Add(shard.ShardId);
            }
        }

        var response = await Kinesis.PutRecordsAsync(request);

        Assert.Equal(0, response.FailedRecordCount);
        Assert.Equal(request.Records.Count, response.Records.Count);
        Assert.Equal(expectedShards, response.Records.Select(r => r.ShardId));
        Assert.All(response.Records, r => Assert.Empty(r.ErrorCode));
        foreach (var shard in description.Shards)
        {
            var indexes = Enumerable.Range(0, request.Records.Count).Where(i => response.Records[i].ShardId == shard.ShardId).ToList();
            KinesisAssert.StrictlyIncreasing([.. indexes.Select(i => response.Records[i].SequenceNumber)]);
            var iterator = await Kinesis.GetShardIteratorAsync(name, shard.ShardId, ShardIteratorType.TrimHorizon);
            var (records, _) = await Kinesis.ReadAsync(iterator, expected: indexes.Count);
            Assert.Equal(
                indexes.Select(i => (response.Records[i].SequenceNumber, request.Records[i].PartitionKey, request.Records[i].Data)),
                records.Select(r => (r.SequenceNumber, r.PartitionKey, r.Data)));
        }
    }

    [Fact]
    public async Task PutRecord_ExplicitHashKey_OverridesPartitionKeyRouting()
    {
        var name = GatewayHost.NewStreamName();
        var description = await Kinesis.CreateStreamAsync(name, 2);
        var byKey = KinesisAssert.ShardFor(description.Shards, KinesisAssert.HashKeyOf("fixed")).ShardId;
        var other = description.Shards.Single(s => s.ShardId != byKey);
        var inside = (BigInteger.Parse(other.HashKeyRange.StartingHashKey, CultureInfo.InvariantCulture) + 12345).ToString(CultureInfo.InvariantCulture);

        var routedByKey = await Kinesis.PutRecordAsync(name, "fixed", "one");
        var routedExplicitly = await Kinesis.PutRecordAsync(name, "fixed", Encoding.UTF8.GetBytes("two"), explicitHashKey: inside);

        Assert.Equal(byKey, routedByKey.ShardId);
        Assert.Equal(other.ShardId, routedExplicitly.ShardId);
    }

    [Fact]
    public async Task GetRecords_TrimHorizon_ReturnsEveryRecordInOrder()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        var acks = await PutNumberedAsync(name, "th", 12);

        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var (records, _) = await Kinesis.ReadAsync(iterator, expected: 12);

        Assert.Equal(acks.Select(a => (a.SequenceNumber, a.Data)), records.Select(r => (r.SequenceNumber, r.Data.ToStringUtf8())));
        Assert.All(records, r => Assert.InRange(r.ApproximateArrivalTimestamp.ToDateTimeOffset(), before, DateTimeOffset.UtcNow.AddMinutes(1)));
    }

    [Fact]
    public async Task GetRecords_Latest_SeesOnlyRecordsPutAfterTheIterator()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        await PutNumberedAsync(name, "before", 3);

        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.Latest);
        var empty = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        var after = await PutNumberedAsync(name, "after", 2);
        var (records, responses) = await Kinesis.ReadAsync(empty.NextShardIterator, expected: 2);
        var tail = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = responses[^1].NextShardIterator });

        Assert.Empty(empty.Records);
        Assert.Equal(after.Select(a => a.Data), records.Select(r => r.Data.ToStringUtf8()));
        Assert.Empty(tail.Records);
    }

    [Fact]
    public async Task GetRecords_AtAndAfterSequenceNumber_StartAtAndAfterThatRecord()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var acks = await PutNumberedAsync(name, "seq", 6);
        const string Shard = "shardId-000000000000";

        var at = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AtSequenceNumber, acks[2].SequenceNumber);
        var after = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AfterSequenceNumber, acks[2].SequenceNumber);
        var afterLast = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AfterSequenceNumber, acks[^1].SequenceNumber);
        var (fromAt, _) = await Kinesis.ReadAsync(at, expected: 4);
        var (fromAfter, _) = await Kinesis.ReadAsync(after, expected: 3);
        var nothing = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = afterLast });

        Assert.Equal(acks.Skip(2).Select(a => a.SequenceNumber), fromAt.Select(r => r.SequenceNumber));
        Assert.Equal(acks.Skip(3).Select(a => a.SequenceNumber), fromAfter.Select(r => r.SequenceNumber));
        Assert.Empty(nothing.Records);
        Assert.True(nothing.HasNextShardIterator);
    }

    [Fact]
    public async Task GetRecords_AtTimestamp_StartsAtFirstRecordArrivedAtOrAfterIt()
    {
        if (TimestampLookupUnsupported is { } reason)
        {
            Assert.Skip(reason);
        }

        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        const string Shard = "shardId-000000000000";
        var first = await PutNumberedAsync(name, "early", 3);
        var (early, _) = await Kinesis.ReadAsync(await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon), expected: 3);
        var lastEarly = early.Max(r => r.ApproximateArrivalTimestamp.ToDateTimeOffset());

        // Arrival times have millisecond precision: wait for the clock to pass the early batch.
        await Eventually.UntilAsync(() => DateTimeOffset.UtcNow > lastEarly.AddMilliseconds(2), because: "the clock to move past the early records");
        var second = await PutNumberedAsync(name, "late", 2);
        var (all, _) = await Kinesis.ReadAsync(await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon), expected: 5);
        var firstLate = all[3].ApproximateArrivalTimestamp.ToDateTimeOffset();
        Assert.True(firstLate > lastEarly, "the late batch did not arrive after the early one");

        var (fromLate, _) = await Kinesis.ReadAsync(await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AtTimestamp, timestamp: firstLate), expected: 2);
        var (fromStart, _) = await Kinesis.ReadAsync(await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AtTimestamp, timestamp: early[0].ApproximateArrivalTimestamp.ToDateTimeOffset()), expected: 5);
        var future = await Kinesis.GetRecordsAsync(new GetRecordsRequest
        {
            ShardIterator = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AtTimestamp, timestamp: DateTimeOffset.UtcNow.AddHours(1)),
        });

        Assert.Equal(second.Select(a => a.SequenceNumber), fromLate.Select(r => r.SequenceNumber));
        Assert.Equal(first.Concat(second).Select(a => a.SequenceNumber), fromStart.Select(r => r.SequenceNumber));
        Assert.Empty(future.Records);
    }

    [Fact]
    public async Task GetRecords_WholeShardWithLimit_ChainsNextShardIteratorsToTheTip()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var acks = await PutNumberedAsync(name, "chain", 25);

        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var (records, responses) = await Kinesis.ReadAsync(iterator, limit: 7, expected: 25);
        var tip = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = responses[^1].NextShardIterator, Limit = 7 });

        Assert.Equal(acks.Select(a => a.SequenceNumber), records.Select(r => r.SequenceNumber));
        Assert.All(responses, r => Assert.InRange(r.Records.Count, 0, 7));
        Assert.True(responses.Count >= 4, $"25 records with Limit 7 came in {responses.Count} responses");
        Assert.All(responses, r => Assert.True(r.HasNextShardIterator && r.NextShardIterator.Length > 0, "an open shard always has a next iterator"));
        var iterators = responses.Select(r => r.NextShardIterator).Prepend(iterator).ToList();
        Assert.Equal(iterators.Count, iterators.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(tip.Records);
        Assert.Equal(0, tip.MillisBehindLatest);
        Assert.Equal(0, responses[^1].MillisBehindLatest);
    }

    [Fact]
    public async Task PutAndGet_BinaryDataAndUnicodeKeys_ReadBackByteExact()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var random = new Random(1234);
        var large = new byte[256 * 1024];
        random.NextBytes(large);
        var cases = new List<(string Key, byte[] Data)>
        {
            ("ключ", [.. Enumerable.Range(0, 256).Select(i => (byte)i)]),
            ("鍵🔑", [0xC3, 0x28, 0xFF, 0xFE, 0x00, 0x00, 0x80]),
            ("emoji 😀 and space", []),
            (new string('é', 256), large),
            ("\u0000nul-start", [0]),
            ("a", Encoding.UTF8.GetBytes("plain ascii")),
        };

        var acks = new List<string>();
        foreach (var (key, data) in cases.Take(3))
        {
            acks.Add((await Kinesis.PutRecordAsync(name, key, data)).SequenceNumber);
        }

        var batch = new PutRecordsRequest { StreamName = name };
        foreach (var (key, data) in cases.Skip(3))
        {
            batch.Records.Add(new PutRecordsRequestEntry { PartitionKey = key, Data = ByteString.CopyFrom(data) });
        }

        var batchResponse = await Kinesis.PutRecordsAsync(batch);
        Assert.Equal(0, batchResponse.FailedRecordCount);
        acks.AddRange(batchResponse.Records.Select(r => r.SequenceNumber));

        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var (records, _) = await Kinesis.ReadAsync(iterator, expected: cases.Count);

        Assert.Equal(cases.Count, records.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            Assert.Equal(acks[i], records[i].SequenceNumber);
            Assert.Equal(cases[i].Key, records[i].PartitionKey);
            Assert.True(cases[i].Data.AsSpan().SequenceEqual(records[i].Data.Span), $"record {i} data differs ({cases[i].Data.Length} bytes put, {records[i].Data.Length} read)");
        }
    }

    private async Task<List<(string SequenceNumber, string Data)>> PutNumberedAsync(string streamName, string prefix, int count)
    {
        // Alternate PutRecord and PutRecords so both write paths feed the reads.
        var acks = new List<(string, string)>();
        var i = 0;
        while (i < count)
        {
            if (i % 2 == 0)
            {
                var data = prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
                acks.Add(((await Kinesis.PutRecordAsync(streamName, "pk", data)).SequenceNumber, data));
                i++;
                continue;
            }

            var request = new PutRecordsRequest { StreamName = streamName };
            var take = Math.Min(3, count - i);
            for (var j = 0; j < take; j++)
            {
                request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "pk", Data = ByteString.CopyFromUtf8(prefix + "-" + (i + j).ToString(CultureInfo.InvariantCulture)) });
            }

            var response = await Kinesis.PutRecordsAsync(request);
            Assert.Equal(0, response.FailedRecordCount);
            for (var j = 0; j < take; j++)
            {
                acks.Add((response.Records[j].SequenceNumber, request.Records[j].Data.ToStringUtf8()));
            }

            i += take;
        }

        KinesisAssert.StrictlyIncreasing([.. acks.Select(a => a.Item1)]);
        return acks;
    }
}

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class EmbeddedDataPlaneTests(EmbeddedGatewayFixture fixture) : DataPlaneScenarios<EmbeddedGatewayFixture>(fixture);

[Collection(KafkaMockGatewayCollection.Name)]
public sealed class KafkaMockDataPlaneTests(KafkaMockGatewayFixture fixture) : DataPlaneScenarios<KafkaMockGatewayFixture>(fixture)
{
    protected override string? TimestampLookupUnsupported =>
        "librdkafka's mock cluster answers ListOffsets by timestamp with -1, so AT_TIMESTAMP cannot be checked on the kafka-mock backend (checked on the embedded log)";
}
