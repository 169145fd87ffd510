using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>A gateway on the embedded log whose core and storage run on a <see cref="ManualTimeProvider"/>.</summary>
public sealed class ClockedGatewayFixture : IAsyncLifetime
{
    private GatewayHost? _host;

    /// <summary>The gateway's clock; it moves only when a test advances it.</summary>
    public ManualTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public GatewayHost Host => _host ?? throw new InvalidOperationException("Not started.");

    public async ValueTask InitializeAsync() =>
        _host = await GatewayHost.StartAsync(new GatewayHostOptions { Clock = Clock }, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Time-dependent behaviour through the real gateway with a manual clock (no sleeping): arrival
/// timestamps, AT_TIMESTAMP iterators, MillisBehindLatest, and iterator expiry after 5 minutes
/// (Kinesis GetShardIterator: "A shard iterator expires 5 minutes after it is returned").
/// </summary>
public sealed class ClockScenarioTests(ClockedGatewayFixture fixture) : IClassFixture<ClockedGatewayFixture>
{
    private const string Shard = "shardId-000000000000";

    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    private ManualTimeProvider Clock => fixture.Clock;

    [Fact]
    public async Task GetRecords_AtTimestamp_StartsAtFirstRecordArrivedAtOrAfterIt()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var early = Clock.GetUtcNow();
        var a = await PutAsync(name, "a1", "a2", "a3");
        Clock.Advance(TimeSpan.FromSeconds(10));
        var late = Clock.GetUtcNow();
        var b = await PutAsync(name, "b1", "b2");

        var all = await ReadFromAsync(name, ShardIteratorType.AtTimestamp, early.AddHours(-1), 5);
        var fromMiddle = await ReadFromAsync(name, ShardIteratorType.AtTimestamp, early.AddSeconds(5), 2);
        var fromLate = await ReadFromAsync(name, ShardIteratorType.AtTimestamp, late, 2);
        var afterLast = await Kinesis.GetRecordsAsync(new GetRecordsRequest
        {
            ShardIterator = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.AtTimestamp, timestamp: late.AddMilliseconds(1)),
        });

        Assert.Equal(a.Concat(b), all.Select(r => r.SequenceNumber));
        Assert.Equal(
            [early, early, early, late, late],
            all.Select(r => r.ApproximateArrivalTimestamp.ToDateTimeOffset()));
        Assert.Equal(b, fromMiddle.Select(r => r.SequenceNumber));
        Assert.Equal(b, fromLate.Select(r => r.SequenceNumber));
        Assert.Empty(afterLast.Records);
    }

    [Fact]
    public async Task GetRecords_BehindTheTip_MillisBehindLatestIsAgeOfLastRecordReturned()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        await PutAsync(name, "r1", "r2", "r3", "r4", "r5");
        Clock.Advance(TimeSpan.FromSeconds(7));

        var iterator = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon);
        var first = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 2 });
        Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = first.NextShardIterator, Limit = 2 });
        var last = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = second.NextShardIterator, Limit = 10 });

        Assert.Equal(2, first.Records.Count);
        Assert.Equal(7000, first.MillisBehindLatest);
        Assert.Equal(2, second.Records.Count);
        Assert.Equal(8000, second.MillisBehindLatest);
        Assert.Single(last.Records);
        Assert.Equal(0, last.MillisBehindLatest);
    }

    [Fact]
    public async Task GetRecords_IteratorOlderThanFiveMinutes_ExpiredIteratorWhileChainedIteratorStillWorks()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        await PutAsync(name, "x");
        var iterator = await Kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon);

        Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var stillValid = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        Clock.Advance(TimeSpan.FromSeconds(2));
        var expired = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator }),
            StatusCode.FailedPrecondition,
            "ExpiredIteratorException");
        var chained = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = stillValid.NextShardIterator });

        Assert.Single(stillValid.Records);
        Assert.StartsWith("Iterator expired.", expired.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(chained.Records);
        Assert.True(chained.HasNextShardIterator);
    }

    private async Task<List<string>> PutAsync(string name, params string[] values)
    {
        var request = new PutRecordsRequest { StreamName = name };
        foreach (var value in values)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "pk", Data = ByteString.CopyFromUtf8(value) });
        }

        var response = await Kinesis.PutRecordsAsync(request);
        Assert.Equal(0, response.FailedRecordCount);
        return [.. response.Records.Select(r => r.SequenceNumber)];
    }

    private async Task<List<KafkaKinesisBridge.Contracts.Streams.V1.Record>> ReadFromAsync(string name, ShardIteratorType type, DateTimeOffset timestamp, int expected)
    {
        var iterator = await Kinesis.GetShardIteratorAsync(name, Shard, type, timestamp: timestamp);
        var (records, _) = await Kinesis.ReadAsync(iterator, expected: expected);
        return records;
    }
}

/// <summary>
/// Per-shard quotas through the real gateway (small limits, a frozen clock so buckets refill only
/// when the test advances it): PutRecords reports throttled records per record, PutRecord and
/// GetRecords fail whole with ProvisionedThroughputExceededException (RESOURCE_EXHAUSTED), and
/// Kinesis:Quotas:Enabled=false switches them off.
/// </summary>
public sealed class QuotaTests
{
    private const string Shard = "shardId-000000000000";

    [Fact]
    public async Task PutRecordsPutRecordGetRecords_OverSmallQuotas_Throttled()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartAsync(clock, enabled: true);
        var kinesis = host.Kinesis;
        var name = GatewayHost.NewStreamName();
        await kinesis.CreateStreamAsync(name, 1);

        var batch = await kinesis.PutRecordsAsync(Batch(name, 5));
        var single = await KinesisAssert.FailsWithAsync(
            () => kinesis.PutRecordAsync(name, "pk", "over quota"), StatusCode.ResourceExhausted, "ProvisionedThroughputExceededException");
        clock.Advance(TimeSpan.FromSeconds(1));
        var afterRefill = await kinesis.PutRecordAsync(name, "pk", "after refill");

        // Three records per second: the first three of the batch are written, the rest are reported.
        Assert.Equal(2, batch.FailedRecordCount);
        Assert.All(batch.Records.Take(3), r => Assert.True(r.ShardId == Shard && r.SequenceNumber.Length > 0 && r.ErrorCode.Length == 0));
        var expectedMessage = $"Rate exceeded for shard {Shard} in stream {name} under account 000000000000.";
        Assert.All(batch.Records.Skip(3), r =>
        {
            Assert.Equal("ProvisionedThroughputExceededException", r.ErrorCode);
            Assert.Equal(expectedMessage, r.ErrorMessage);
            Assert.Empty(r.SequenceNumber);
            Assert.Empty(r.ShardId);
        });
        Assert.Equal(expectedMessage, single.Status.Detail);

        // Two GetRecords calls per second.
        var iterator = await kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon);
        var read1 = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        var read2 = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = read1.NextShardIterator });
        await KinesisAssert.FailsWithAsync(
            () => kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = read2.NextShardIterator }),
            StatusCode.ResourceExhausted,
            "ProvisionedThroughputExceededException");
        clock.Advance(TimeSpan.FromSeconds(1));
        var read3 = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = read2.NextShardIterator });

        // Only what was acknowledged was written.
        var written = read1.Records.Concat(read2.Records).Concat(read3.Records).Select(r => r.SequenceNumber).ToList();
        Assert.Equal(batch.Records.Take(3).Select(r => r.SequenceNumber).Append(afterRefill.SequenceNumber), written);
    }

    [Fact]
    public async Task PutRecordsPutRecordGetRecords_QuotasDisabled_NeverThrottled()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartAsync(clock, enabled: false);
        var kinesis = host.Kinesis;
        var name = GatewayHost.NewStreamName();
        await kinesis.CreateStreamAsync(name, 1);

        var batch = await kinesis.PutRecordsAsync(Batch(name, 20));
        var single = await kinesis.PutRecordAsync(name, "pk", "no quota");
        var iterator = await kinesis.GetShardIteratorAsync(name, Shard, ShardIteratorType.TrimHorizon);
        var (records, responses) = await kinesis.ReadAsync(iterator, limit: 3, expected: 21);

        Assert.Equal(0, batch.FailedRecordCount);
        Assert.NotEmpty(single.SequenceNumber);
        Assert.Equal(21, records.Count);
        Assert.True(responses.Count >= 7, "at least 7 GetRecords calls in one (frozen) second");
    }

    private static Task<GatewayHost> StartAsync(ManualTimeProvider clock, bool enabled) =>
        GatewayHost.StartAsync(
            new GatewayHostOptions
            {
                Clock = clock,
                Settings = new Dictionary<string, string?>
                {
                    ["Kinesis:Quotas:Enabled"] = enabled ? "true" : "false",
                    ["Kinesis:Quotas:WriteRecordsPerSecond"] = "3",
                    ["Kinesis:Quotas:ReadCallsPerSecond"] = "2",
                },
            },
            TestContext.Current.CancellationToken);

    private static PutRecordsRequest Batch(string name, int count)
    {
        var request = new PutRecordsRequest { StreamName = name };
        for (var i = 0; i < count; i++)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "pk", Data = ByteString.CopyFromUtf8("record " + i) });
        }

        return request;
    }
}
