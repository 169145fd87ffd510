using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;
using Record = KafkaKinesisBridge.Contracts.Streams.V1.Record;

namespace KafkaKinesisBridge.Gateway.Tests.Durability;

/// <summary>
/// Acknowledged records survive the gateway going away, on the embedded log: a clean restart, a
/// graceful shutdown with writes in flight, and a crash (SIGKILL of the real gateway process). An
/// acknowledgement is a promise: the record is readable afterwards at the sequence number given.
/// </summary>
public sealed class DurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_SameDataDirectory_StreamActiveAndEveryRecordAtItsSequenceNumber()
    {
        await using var first = await GatewayHost.StartAsync(cancellationToken: Ct);
        var name = GatewayHost.NewStreamName("restart");
        var before = await first.Kinesis.CreateStreamAsync(name, 3);
        await first.Kinesis.IncreaseStreamRetentionPeriodAsync(new IncreaseStreamRetentionPeriodRequest { StreamName = name, RetentionPeriodHours = 72 });
        await first.Kinesis.AddTagsToStreamAsync(new AddTagsToStreamRequest { StreamName = name, Tags = { ["owner"] = "e2e" } });
        var acknowledged = new List<AcknowledgedRecord>();
        for (var i = 0; i < 12; i++)
        {
            var key = "key-" + i;
            var data = ByteString.CopyFrom([(byte)i, 0xFF, 0x00, (byte)(255 - i)]);
            var ack = await first.Kinesis.PutRecordAsync(new PutRecordRequest { StreamName = name, PartitionKey = key, Data = data });
            acknowledged.Add(new AcknowledgedRecord(ack.ShardId, ack.SequenceNumber, key, data));
        }

        var batch = new PutRecordsRequest { StreamName = name };
        for (var i = 0; i < 30; i++)
        {
            batch.Records.Add(new PutRecordsRequestEntry { PartitionKey = "batch-" + i, Data = ByteString.CopyFromUtf8("batch record " + i) });
        }

        var batchAck = await first.Kinesis.PutRecordsAsync(batch);
        Assert.Equal(0, batchAck.FailedRecordCount);
        acknowledged.AddRange(batchAck.Records.Select((r, i) => new AcknowledgedRecord(r.ShardId, r.SequenceNumber, batch.Records[i].PartitionKey, batch.Records[i].Data)));
        var iteratorBeforeRestart = await first.Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);

        await using var second = await first.RestartAsync(Ct);

        var after = (await second.Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription;
        Assert.Equal(StreamStatus.Active, after.StreamStatus);
        Assert.Equal(72, after.RetentionPeriodHours);
        Assert.Equal(before.Shards, after.Shards);
        Assert.Equal(before.StreamCreationTimestamp, after.StreamCreationTimestamp);
        var tags = await second.Kinesis.ListTagsForStreamAsync(new ListTagsForStreamRequest { StreamName = name });
        Assert.Equal([("owner", "e2e")], tags.Tags.Select(t => (t.Key, t.Value)));
        var stored = await ReadEverythingAsync(second.Kinesis, name, after.Shards);
        foreach (var shard in after.Shards)
        {
            // Exactly the acknowledged records, in acknowledgement order (one writer), nothing else.
            Assert.Equal(
                acknowledged.Where(a => a.ShardId == shard.ShardId).Select(a => (a.SequenceNumber, a.PartitionKey, a.Data)),
                stored[shard.ShardId].Select(r => (r.SequenceNumber, r.PartitionKey, r.Data)));
        }

        // Iterators are signed with a key kept in the catalog: one issued before the restart still reads.
        var (fromOldIterator, _) = await second.Kinesis.ReadAsync(iteratorBeforeRestart, expected: stored["shardId-000000000000"].Count);
        Assert.Equal(stored["shardId-000000000000"].Select(r => r.SequenceNumber), fromOldIterator.Select(r => r.SequenceNumber));

        // Writing continues after the last sequence number of the shard.
        var next = await second.Kinesis.PutRecordAsync(name, "key-0", "after restart");
        var lastBefore = acknowledged.Where(a => a.ShardId == next.ShardId).Max(a => KinesisAssert.Sequence(a.SequenceNumber));
        Assert.True(KinesisAssert.Sequence(next.SequenceNumber) > lastBefore, "a sequence number was reused after the restart");
    }

    [Fact]
    public async Task GracefulShutdown_WritesInFlight_NoAcknowledgedRecordLost()
    {
        await using var first = await GatewayHost.StartAsync(cancellationToken: Ct);
        var name = GatewayHost.NewStreamName("graceful");
        await first.Kinesis.CreateStreamAsync(name, 2);

        // The writers have their own client: stopping the host must not cancel their calls client-side.
        using var writerChannel = KinesisStreamsClient.CreateChannel(first.Address);
        var writes = new AcknowledgedWrites();
        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writing = writes.RunAsync(new KinesisStreamsClient(writerChannel), name, writers: 4, stopWriters.Token);
        await Eventually.UntilAsync(() => writes.Acknowledged.Count >= 60 || writing.IsCompleted, TimeSpan.FromSeconds(30), "60 acknowledged writes");
        Assert.False(writing.IsFaulted, writing.Exception?.ToString());

        writes.StopOnFailure();
        await first.StopAsync(Ct);
        await writing.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        await using var second = await GatewayHost.StartAsync(new GatewayHostOptions { DataDirectory = first.DataDirectory }, Ct);
        await AssertEveryAcknowledgedRecordStoredAsync(second.Kinesis, name, writes.Acknowledged);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"acknowledged {writes.Acknowledged.Count}, of which {writes.AcknowledgedAfterStop} after the stop began; {writes.Failures} calls failed during shutdown");
        Assert.True(writes.AcknowledgedAfterStop > 0, "no write was in flight when the gateway stopped, so the test proved nothing");
    }

    [Fact]
    public async Task Crash_GatewayProcessKilledWithWritesInFlight_NoAcknowledgedRecordLost()
    {
        var gateway = GatewayProcess.FindGatewayAssembly();
        if (gateway is null)
        {
            Prerequisite.Missing("KafkaKinesisBridge.Gateway.dll with its runtimeconfig was not found next to the tests or in the Gateway project's build output");
            return;
        }

        using var data = new TempDirectory("kkb-crash");
        var name = GatewayHost.NewStreamName("crash");
        var writes = new AcknowledgedWrites();
        await using (var doomed = await GatewayProcess.StartAsync(gateway, data.Path, Ct))
        {
            await doomed.Kinesis.CreateStreamAsync(name, 2);
            using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var writing = writes.RunAsync(doomed.Kinesis, name, writers: 4, stopWriters.Token);
            await Eventually.UntilAsync(() => writes.Acknowledged.Count >= 100 || writing.IsCompleted, TimeSpan.FromSeconds(30), "100 acknowledged writes");
            Assert.False(writing.IsFaulted, writing.Exception + "\n" + doomed.Output);

            writes.StopOnFailure();
            await doomed.KillAsync();
            await writing.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }

        await using var revived = await GatewayProcess.StartAsync(gateway, data.Path, Ct);
        var description = (await revived.Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription;
        Assert.Equal(StreamStatus.Active, description.StreamStatus);
        await AssertEveryAcknowledgedRecordStoredAsync(revived.Kinesis, name, writes.Acknowledged);
        TestContext.Current.TestOutputHelper?.WriteLine($"acknowledged {writes.Acknowledged.Count} before the kill; {writes.Failures} calls were cut off");
    }

    /// <summary>
    /// Reads every shard to its end and checks that each acknowledged record is stored at its
    /// sequence number with its key and data. Records whose call failed may or may not be there (their
    /// outcome is unknown), but nothing else may: every stored record is one the writers sent.
    /// </summary>
    private static async Task AssertEveryAcknowledgedRecordStoredAsync(KinesisStreamsClient kinesis, string name, IReadOnlyCollection<AcknowledgedRecord> acknowledged)
    {
        var description = (await kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription;
        Assert.Equal(StreamStatus.Active, description.StreamStatus);
        var stored = await ReadEverythingAsync(kinesis, name, description.Shards);
        var bySequence = stored.Values.SelectMany(r => r).ToDictionary(r => r.SequenceNumber, StringComparer.Ordinal);
        Assert.NotEmpty(acknowledged);
        foreach (var ack in acknowledged)
        {
            Assert.True(bySequence.TryGetValue(ack.SequenceNumber, out var record), $"acknowledged record {ack.SequenceNumber} on {ack.ShardId} is missing");
            Assert.Equal(ack.PartitionKey, record.PartitionKey);
            Assert.Equal(ack.Data, record.Data);
            Assert.Contains(record, stored[ack.ShardId]);
        }

        Assert.All(bySequence.Values, r => Assert.StartsWith("writer ", r.Data.ToStringUtf8(), StringComparison.Ordinal));
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.SequenceNumber).Distinct(StringComparer.Ordinal).Count());
    }

    private static async Task<Dictionary<string, List<Record>>> ReadEverythingAsync(KinesisStreamsClient kinesis, string name, IEnumerable<Shard> shards)
    {
        var result = new Dictionary<string, List<Record>>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            var iterator = await kinesis.GetShardIteratorAsync(name, shard.ShardId, ShardIteratorType.TrimHorizon);
            var (records, _) = await kinesis.ReadAsync(iterator);
            KinesisAssert.StrictlyIncreasing([.. records.Select(r => r.SequenceNumber)]);
            result[shard.ShardId] = records;
        }

        return result;
    }
}
