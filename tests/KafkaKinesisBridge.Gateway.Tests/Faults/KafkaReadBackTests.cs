using System.Text.Json.Nodes;
using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Gateway.Tests.Faults;

/// <summary>
/// Reading a shard back to its end on Kafka while the reader's fetches are still in flight, as a
/// Kinesis client does: GetRecords until an empty page at MillisBehindLatest 0.
/// </summary>
public sealed class KafkaReadBackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetRecords_FetchesStillInFlight_EmptyPagesBelowTheTipAreNotTheEnd()
    {
        // librdkafka's mock cluster answers a Fetch with one record batch per partition
        // (rd_kafka_mock_handle_Fetch, "FIXME: Multiple messageSets ?"), so a shard written by many
        // calls takes one fetch round trip per call to read, and ReadWait 0 makes every read that finds
        // the next fetch not back yet return an empty page at once: what a loaded machine does with
        // the default 200 ms. Such a page once said MillisBehindLatest 0, and the client stopped there.
        await using var host = await GatewayHost.StartAsync(
            new GatewayHostOptions
            {
                Backend = StorageBackend.KafkaMock,
                Settings = new Dictionary<string, string?> { ["Storage:Kafka:ReadWait"] = "00:00:00" },
            },
            Ct);
        using var client = new KinesisJsonClient(host.Address, TimeSpan.FromSeconds(30));
        var stream = GatewayHost.NewStreamName("readback");
        await client.CreateActiveStreamAsync(stream, 1, Ct);
        var acknowledged = new List<(string SequenceNumber, string Data)>();
        for (var i = 0; i < 30; i++)
        {
            // One call at a time: each is its own record batch in the partition log.
            var data = Convert.ToBase64String([(byte)i]);
            var put = await client.CallOkAsync("PutRecord", new JsonObject { ["StreamName"] = stream, ["PartitionKey"] = "k", ["Data"] = data }, Ct);
            acknowledged.Add((put.GetProperty("SequenceNumber").GetString()!, data));
        }

        var read = await client.ReadShardAsync(stream, "shardId-000000000000", TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(acknowledged, read.Select(r => (r.SequenceNumber, Convert.ToBase64String(r.Data))));
    }

    [Fact]
    public async Task GetShardIterator_AfterTheLeaderMoved_FindsTheNewLeader()
    {
        using var cluster = KafkaMockCluster.Start(3);
        await using var host = await GatewayHost.StartAsync(new GatewayHostOptions { Backend = StorageBackend.KafkaMock, SharedMockCluster = cluster }, Ct);
        using var client = new KinesisJsonClient(host.Address, TimeSpan.FromSeconds(30));
        var stream = GatewayHost.NewStreamName("leader");
        await client.CreateActiveStreamAsync(stream, 1, Ct);
        var iteratorRequest = new JsonObject { ["StreamName"] = stream, ["ShardId"] = "shardId-000000000000", ["ShardIteratorType"] = "TRIM_HORIZON" };
        // The admin client now knows the partition's leader.
        await client.CallOkAsync("GetShardIterator", iteratorRequest.DeepClone().AsObject(), Ct);

        var moved = new List<int>();
        for (var leader = 1; leader <= 3; leader++)
        {
            Assert.Equal(Confluent.Kafka.ErrorCode.NoError, cluster.SetPartitionLeader("kinesis." + stream, 0, leader));
            var answer = await client.CallAsync("GetShardIterator", iteratorRequest.DeepClone().AsObject(), Ct);
            Assert.True(answer.IsSuccess, $"GetShardIterator after the leader moved to broker {leader}: HTTP {answer.StatusCode} {answer.Body} after {answer.Elapsed}");
            moved.Add(leader);
        }

        Assert.Equal([1, 2, 3], moved);
    }
}
