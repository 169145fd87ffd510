using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Faults;

/// <summary>
/// Kafka faults under PutRecords load through the gateway's Kinesis JSON API, on librdkafka's mock
/// cluster with its fault injection (brokers down and up, request errors, added latency, leader
/// changes). Each scenario checks what a Kinesis client relies on: every acknowledged record is read
/// back exactly once, where and in the order the gateway said; while Kafka cannot take writes the
/// gateway answers errors the AWS SDKs retry, within a bound; and writes recover by themselves.
/// </summary>
/// <remarks>
/// The gateway runs with a 4 s delivery timeout (Storage:Kafka:DeliveryTimeout, 30 s by default) so
/// the scenarios stay short; the bounds below scale with it.
/// </remarks>
public sealed class KafkaFaultScenarioTests(ITestOutputHelper output)
{
    private const int Shards = 2;
    private const int Writers = 4;
    private const int RecordsPerCall = 20;

    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(4);

    /// <summary>No call may take longer: the delivery timeout plus room for a loaded 2-core machine.</summary>
    private static readonly TimeSpan CallBound = DeliveryTimeout + TimeSpan.FromSeconds(6);

    /// <summary>Writes succeed again within this time after the fault ends (reconnect backoff is at most 2 s).</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>KKB_RUN_QUARANTINED=1 runs the quarantined scenario too.</summary>
    public static bool RunQuarantined => Environment.GetEnvironmentVariable("KKB_RUN_QUARANTINED") == "1";

    [Fact]
    public async Task PutRecords_BrokerDownThenUp_RetriableErrorsThenRecoversAndKeepsAcknowledgedRecords()
    {
        await using var scenario = await Scenario.StartAsync(brokers: 1, output);
        await scenario.WarmUpAsync();

        var iterator = (await scenario.Client.CallOkAsync(
            "GetShardIterator",
            new JsonObject { ["StreamName"] = scenario.Stream, ["ShardId"] = "shardId-000000000000", ["ShardIteratorType"] = "TRIM_HORIZON" },
            Ct)).GetProperty("ShardIterator").GetString();
        var downAt = scenario.Load.Now;
        Assert.Equal(ErrorCode.NoError, scenario.Cluster.SetBrokerDown());
        // Reads meanwhile: records already fetched may be served, otherwise a retriable error, in bounded time.
        var reads = Task.WhenAll(
            scenario.Client.CallAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator }, Ct),
            scenario.Client.CallAsync("GetShardIterator", new JsonObject { ["StreamName"] = scenario.Stream, ["ShardId"] = "shardId-000000000001", ["ShardIteratorType"] = "LATEST" }, Ct));
        // A single PutRecord meanwhile: its record is never sent, so the gateway can say for sure that
        // nothing was stored (ServiceUnavailableException, 503) rather than InternalFailure.
        var single = scenario.Client.CallAsync(
            "PutRecord",
            new JsonObject { ["StreamName"] = scenario.Stream, ["PartitionKey"] = "single", ["Data"] = Convert.ToBase64String("w99-c0-r0"u8.ToArray()) },
            Ct);
        // Down until every writer has had a whole call fail: the delivery timeout passed for all of them.
        await Eventually.UntilAsync(
            () => scenario.Load.FailedSince(downAt) >= Writers * RecordsPerCall,
            // Calls in flight when it went down fail after one delivery timeout; the next ones after two.
            DeliveryTimeout * 5,
            "PutRecords calls fail while the broker is down");
        var singleAnswer = await single;
        foreach (var read in await reads)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read while the broker is down: HTTP {read.StatusCode} {read.ErrorType} after {read.Elapsed.TotalMilliseconds:F0} ms"));
            Assert.True(read.IsSuccess || (read.StatusCode >= 500 && read.ErrorType is not null), $"HTTP {read.StatusCode} {read.Body}");
            Assert.True(read.Elapsed <= CallBound, $"a read took {read.Elapsed}");
        }

        var upAt = scenario.Load.Now;
        Assert.Equal(ErrorCode.NoError, scenario.Cluster.SetBrokerUp());
        var recovery = await scenario.AwaitRecoveryAsync(upAt);

        var stored = await scenario.StopAndVerifyAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"broker down for {(upAt - downAt).TotalSeconds:F1} s; writes recovered {recovery.TotalMilliseconds:F0} ms after it came back; PutRecord meanwhile: HTTP {singleAnswer.StatusCode} {singleAnswer.ErrorType} after {singleAnswer.Elapsed.TotalMilliseconds:F0} ms"));
        Assert.True(scenario.Load.FailedSince(downAt) > 0);
        Assert.True(recovery <= RecoveryBound, $"recovery took {recovery}");
        Assert.Equal((503, "ServiceUnavailableException"), (singleAnswer.StatusCode, singleAnswer.ErrorType));
        Assert.True(singleAnswer.Elapsed <= CallBound, $"PutRecord took {singleAnswer.Elapsed}");
        Assert.False(stored.ContainsKey("w99-c0-r0"), "the record of the refused PutRecord was stored");
    }

    [Fact]
    public async Task PutRecords_ProduceRequestErrors_AreRetriedWithoutLossOrDuplicates()
    {
        await using var scenario = await Scenario.StartAsync(brokers: 1, output);
        await scenario.WarmUpAsync();

        // Leadership moved, a slow replica, a dropped connection: all retriable in the Kafka protocol,
        // retried by the idempotent producer with the same sequence numbers (KIP-98), so never duplicated.
        var injectedAt = scenario.Load.Now;
        scenario.Cluster.PushRequestErrors(
            KafkaApiKey.Produce,
            ErrorCode.NotLeaderForPartition,
            ErrorCode.RequestTimedOut,
            ErrorCode.NotEnoughReplicas,
            ErrorCode.NotLeaderForPartition,
            ErrorCode.Local_Transport,
            ErrorCode.RequestTimedOut,
            ErrorCode.LeaderNotAvailable,
            ErrorCode.NotEnoughReplicasAfterAppend);
        var recovery = await scenario.AwaitRecoveryAsync(injectedAt);

        await scenario.StopAndVerifyAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first fully stored call {recovery.TotalMilliseconds:F0} ms after the errors were queued"));
    }

    [Fact]
    public async Task PutRecords_AddedLatency_CallsSlowDownButAllSucceed()
    {
        await using var scenario = await Scenario.StartAsync(brokers: 1, output);
        await scenario.WarmUpAsync();
        var rtt = TimeSpan.FromMilliseconds(400);

        var slowAt = scenario.Load.Now;
        Assert.Equal(ErrorCode.NoError, scenario.Cluster.SetBrokerRoundTripTime(rtt));
        await Eventually.UntilAsync(() => scenario.Load.Calls.Count(c => c.Started >= slowAt) >= Writers * 3, TimeSpan.FromSeconds(30), "calls go on under latency");
        var slowCalls = scenario.Load.Calls.Where(c => c.Started >= slowAt).ToList();
        Assert.Equal(ErrorCode.NoError, scenario.Cluster.SetBrokerRoundTripTime(TimeSpan.Zero));

        await scenario.StopAndVerifyAsync();
        Assert.Equal(0, scenario.Load.FailedRecordCount);
        // Each produce waits for the broker's delayed answer.
        var slowest = slowCalls.Max(c => c.Ended - c.Started);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"with {rtt.TotalMilliseconds} ms added per broker response: {slowCalls.Count} calls, slowest {slowest.TotalMilliseconds:F0} ms"));
        Assert.True(slowest >= rtt, $"slowest call under latency took {slowest}");
    }

    // Quarantined: under CPU load, after three rounds of leader moves on the mock cluster, reading
    // shard 0 back sometimes stays stuck for 30 s (GetShardIterator 503 from ListOffsets, or only
    // empty GetRecords pages) in about 1 of 5 runs; no acknowledged record was seen missing. Suspected
    // librdkafka's admin/consumer leader-epoch handling (librdkafka #4620). Open defect, see the README's
    // Kafka faults section; run it with KKB_RUN_QUARANTINED=1.
    [Fact(Skip = "Quarantined flake: the read-back after mock-cluster leader changes can stay stuck under load (open defect; KKB_RUN_QUARANTINED=1 runs it)", SkipUnless = nameof(RunQuarantined))]
    public async Task PutRecords_LeaderChanges_NoLossOrDuplicates()
    {
        await using var scenario = await Scenario.StartAsync(brokers: 3, output);
        await scenario.WarmUpAsync();

        // Move each shard's leadership around the three brokers while the writers go on: the old
        // leader answers NOT_LEADER_OR_FOLLOWER, the producer refreshes metadata and resends.
        var changedAt = scenario.Load.Now;
        for (var round = 0; round < 3; round++)
        {
            var before = scenario.Load.AcknowledgedCount;
            for (var shard = 0; shard < Shards; shard++)
            {
                var leader = 1 + ((round + shard + 1) % 3);
                Assert.Equal(ErrorCode.NoError, scenario.Cluster.SetPartitionLeader(scenario.Topic, shard, leader));
            }

            await Eventually.UntilAsync(() => scenario.Load.AcknowledgedCount >= before + 200, RecoveryBound, $"writes go on after leader change {round + 1}");
        }

        var recovery = await scenario.AwaitRecoveryAsync(changedAt);
        await scenario.StopAndVerifyAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"3 rounds of leader changes; first fully stored call {recovery.TotalMilliseconds:F0} ms after the first change"));
    }

    /// <summary>A mock cluster, a gateway on it, a stream, and the load running against it.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ITestOutputHelper _output;
        private Task? _running;

        private Scenario(KafkaMockCluster cluster, GatewayHost host, KinesisJsonClient client, string stream, ITestOutputHelper output)
        {
            Cluster = cluster;
            Host = host;
            Client = client;
            Stream = stream;
            _output = output;
            Load = new PutRecordsLoad(Writers, RecordsPerCall);
        }

        public KafkaMockCluster Cluster { get; }

        public GatewayHost Host { get; }

        public KinesisJsonClient Client { get; }

        public string Stream { get; }

        /// <summary>The stream's Kafka topic: "kinesis." and the name (letters and digits are kept as they are).</summary>
        public string Topic => "kinesis." + Stream;

        public PutRecordsLoad Load { get; }

        public static async Task<Scenario> StartAsync(int brokers, ITestOutputHelper output)
        {
            var cluster = KafkaMockCluster.Start(brokers);
            GatewayHost? host = null;
            try
            {
                host = await GatewayHost.StartAsync(
                    new GatewayHostOptions
                    {
                        Backend = StorageBackend.KafkaMock,
                        SharedMockCluster = cluster,
                        Settings = new Dictionary<string, string?>
                        {
                            ["Storage:Kafka:DeliveryTimeout"] = DeliveryTimeout.ToString("c", CultureInfo.InvariantCulture),
                            ["Storage:Kafka:RequestTimeout"] = "00:00:03",
                            ["Storage:Kafka:FlushTimeout"] = "00:00:02",
                        },
                    },
                    Ct);
                var client = new KinesisJsonClient(host.Address, CallBound);
                var stream = "faults" + Guid.NewGuid().ToString("N")[..12];
                await client.CreateActiveStreamAsync(stream, Shards, Ct);
                return new Scenario(cluster, host, client, stream, output);
            }
            catch
            {
                if (host is not null)
                {
                    await host.DisposeAsync();
                }

                cluster.Dispose();
                throw;
            }
        }

        /// <summary>Starts the writers and waits until records flow.</summary>
        public async Task WarmUpAsync()
        {
            _running = Load.RunAsync(Client, Stream, _stop.Token);
            await Eventually.UntilAsync(() => Load.AcknowledgedCount >= 200, TimeSpan.FromSeconds(20), "the writers get records acknowledged");
        }

        /// <summary>Waits until a call started after <paramref name="since"/> stored all its records and writes go on; returns how long after <paramref name="since"/> that call ended.</summary>
        public async Task<TimeSpan> AwaitRecoveryAsync(TimeSpan since)
        {
            await Eventually.UntilAsync(
                () => Load.FirstFullSuccessAfter(since) is not null && Load.AcknowledgedSince(since) >= 200,
                RecoveryBound + DeliveryTimeout,
                "PutRecords stores every record again");
            return Load.FirstFullSuccessAfter(since)!.Value - since;
        }

        /// <summary>Stops the writers, then reads every shard back and checks it against the acknowledgements; returns what is stored, by payload.</summary>
        public async Task<IReadOnlyDictionary<string, (string ShardId, string SequenceNumber)>> StopAndVerifyAsync()
        {
            await _stop.CancelAsync();
            await _running!;
            _output.WriteLine(Load.Describe());
            Assert.True(Load.Unexpected.Count == 0, "answers a Kinesis client would not retry:\n" + string.Join("\n", Load.Unexpected.Take(10)));
            Assert.True(Load.LongestCall <= CallBound, $"a call took {Load.LongestCall}, over the bound {CallBound}");

            var shards = new Dictionary<string, List<(string SequenceNumber, byte[] Data)>>(StringComparer.Ordinal);
            for (var s = 0; s < Shards; s++)
            {
                var shardId = string.Create(CultureInfo.InvariantCulture, $"shardId-{s:D12}");
                shards[shardId] = await Client.ReadShardAsync(Stream, shardId, TimeSpan.FromSeconds(30), Ct);
            }

            if (Client.RetriedReads > 0)
            {
                _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read-back retried {Client.RetriedReads} retriable answers"));
            }

            return AssertExactlyOnceInOrder(shards);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_running is not null)
            {
                await _running.WaitAsync(CallBound * 2, CancellationToken.None);
            }

            Client.Dispose();
            // Kafka comes back first, so the gateway's flush at stop does not wait on a dead broker.
            Cluster.SetBrokerUp();
            await Host.DisposeAsync();
            Cluster.Dispose();
            _stop.Dispose();
        }

        private Dictionary<string, (string ShardId, string SequenceNumber)> AssertExactlyOnceInOrder(Dictionary<string, List<(string SequenceNumber, byte[] Data)>> shards)
        {
            var stored = new Dictionary<string, (string ShardId, string SequenceNumber)>(StringComparer.Ordinal);
            foreach (var (shardId, records) in shards)
            {
                var lastSequence = "";
                var lastOfWriter = new Dictionary<int, (int Call, int Index)>();
                foreach (var (sequence, bytes) in records)
                {
                    var data = Encoding.UTF8.GetString(bytes);
                    Assert.True(stored.TryAdd(data, (shardId, sequence)), $"record {data} is stored twice: {stored.GetValueOrDefault(data)} and {shardId}/{sequence}");
                    // Sequence numbers have a fixed width (30 digits), so ordinal order is numeric order.
                    Assert.True(string.CompareOrdinal(sequence, lastSequence) > 0, $"{shardId}: {sequence} after {lastSequence}");
                    lastSequence = sequence;
                    var (writer, call, index) = PutRecordsLoad.Parse(data);
                    if (lastOfWriter.TryGetValue(writer, out var last))
                    {
                        Assert.True(call > last.Call || (call == last.Call && index > last.Index), $"{shardId}: writer {writer}'s {data} is stored after c{last.Call}-r{last.Index}");
                    }

                    lastOfWriter[writer] = (call, index);
                }
            }

            foreach (var ack in Load.Acknowledged)
            {
                Assert.True(stored.TryGetValue(ack.Data, out var where), $"acknowledged record {ack.Data} ({ack.ShardId}/{ack.SequenceNumber}) was not read back");
                Assert.Equal((ack.ShardId, ack.SequenceNumber), where);
            }

            var unacknowledged = stored.Count - Load.AcknowledgedCount;
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read back {stored.Count} records over {Shards} shards: all {Load.AcknowledgedCount} acknowledged ones exactly once and in order, plus {unacknowledged} whose call failed (outcome unknown to the client, stored once)"));
            return stored;
        }
    }
}
