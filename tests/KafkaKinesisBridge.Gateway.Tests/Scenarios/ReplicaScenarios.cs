using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>
/// Two gateway replicas on one Kafka cluster (librdkafka's mock cluster, shared in this process),
/// each with its own producer, consumers and catalog reader, talking to clients over gRPC: they agree
/// on streams, shards, tags and iterators because all of it lives in Kafka (issue 3, "a stream
/// catalog stored in Kafka"). The catalog's concurrency rule is in src/KafkaKinesisBridge.Core/README.md.
/// </summary>
public sealed class ReplicaScenarios : IAsyncLifetime
{
    private KafkaMockCluster? _cluster;
    private GatewayHost? _a;
    private GatewayHost? _b;

    private KinesisStreamsClient A => _a!.Kinesis;

    private KinesisStreamsClient B => _b!.Kinesis;

    public async ValueTask InitializeAsync()
    {
        try
        {
            _cluster = KafkaMockCluster.Start(brokers: 3);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            Prerequisite.Missing($"the native librdkafka 2.15.1 is missing ({ex.Message}); run `make deps`");
        }

        var options = new GatewayHostOptions { Backend = StorageBackend.KafkaMock, SharedMockCluster = _cluster };
        _a = await GatewayHost.StartAsync(options, TestContext.Current.CancellationToken);
        _b = await GatewayHost.StartAsync(options, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        _cluster?.Dispose();
    }

    [Fact]
    public async Task StreamCreatedOnOne_WrittenOnTheOther_ReadBackOnBothInOrder()
    {
        var name = GatewayHost.NewStreamName("replica");
        await A.CreateStreamAsync(name, 2);

        var summary = (await B.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary;
        Assert.Equal(StreamStatus.Active, summary.StreamStatus);
        Assert.Equal(2, summary.OpenShardCount);

        var request = new PutRecordsRequest { StreamName = name };
        for (var i = 0; i < 40; i++)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = $"key-{i % 5}", Data = ByteString.CopyFromUtf8($"record-{i}") });
        }

        var put = await B.PutRecordsAsync(request);
        Assert.Equal(0, put.FailedRecordCount);

        // An iterator issued by A is valid on B (the signing key is in the shared catalog), and both
        // replicas read the same records in the same order.
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var iterator = await A.GetShardIteratorAsync(name, shard, ShardIteratorType.TrimHorizon);
            var expected = put.Records.Select((r, i) => (r, i)).Where(x => x.r.ShardId == shard).Select(x => $"record-{x.i}").ToList();
            var fromB = (await B.ReadAsync(iterator, expected: expected.Count)).Records;
            var fromA = (await A.ReadAsync(await B.GetShardIteratorAsync(name, shard, ShardIteratorType.TrimHorizon), expected: expected.Count)).Records;

            Assert.Equal(expected, fromB.Select(r => r.Data.ToStringUtf8()));
            Assert.Equal(expected, fromA.Select(r => r.Data.ToStringUtf8()));
            Assert.Equal(fromA.Select(r => r.SequenceNumber), fromB.Select(r => r.SequenceNumber));
        }
    }

    [Fact]
    public async Task ConcurrentTagUpdatesOnBothReplicas_NoneIsLost()
    {
        var name = GatewayHost.NewStreamName("tags");
        await A.CreateStreamAsync(name, 1);

        // Twenty updates of one stream at once, half through each replica: every one is based on some
        // catalog version, conflicting ones lose the compare-and-set and are re-applied.
        var updates = Enumerable.Range(0, 20).Select(i =>
            (i % 2 == 0 ? A : B).AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = name, Tags = { [$"tag{i}"] = $"value{i}" } }));
        await Task.WhenAll(updates);

        foreach (var replica in new[] { A, B })
        {
            var tags = (await replica.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name })).Tags;
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"tag{i}").Order(StringComparer.Ordinal), tags.Select(t => t.Key).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task SameStreamCreatedOnBothAtOnce_ExactlyOneSucceeds()
    {
        var name = GatewayHost.NewStreamName("race");

        var outcomes = await Task.WhenAll(
            Outcome(() => A.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 })),
            Outcome(() => B.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 })));

        Assert.Single(outcomes, o => o is null);
        Assert.Single(outcomes, o => o == "ResourceInUseException");
        Assert.Equal(StreamStatus.Active, (await B.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary.StreamStatus);
    }

    [Fact]
    public async Task StreamDeletedOnOne_IsGoneOnTheOther()
    {
        var name = GatewayHost.NewStreamName("gone");
        await A.CreateStreamAsync(name, 1);
        await B.PutRecordAsync(name, "k", "before");

        await A.DeleteStreamAsync(new DeleteStreamRequest { StreamName = name });

        await Eventually.UntilAsync(
            async () => await Outcome(() => B.PutRecordAsync(name, "k", "after")) == "ResourceNotFoundException",
            TimeSpan.FromSeconds(30),
            "the other replica sees the deletion (catalog tail)");
        await KinesisAssert.FailsWithAsync(
            () => B.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name }), StatusCode.NotFound, "ResourceNotFoundException");
    }

    /// <summary>Null when the call succeeds, else the Kinesis error name it failed with.</summary>
    private static async Task<string?> Outcome(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (RpcException e)
        {
            return e.Trailers.GetValue("kinesis-error-type") ?? e.StatusCode.ToString();
        }
    }
}
