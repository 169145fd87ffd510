using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.TestSupport;
using static KafkaKinesisBridge.Storage.Tests.Kafka.KafkaMockStore;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>Failures injected into the mock cluster: brokers down, produce errors, fatal producer errors.</summary>
public sealed class KafkaLogStoreFaultTests
{
    [Fact]
    public async Task AppendAsync_BrokerDownThenUp_CompletesAndNothingAcknowledgedIsLost()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("before", 0, 5))).Status);

        Assert.Equal(ErrorCode.NoError, mock.Cluster.SetBrokerDown());
        var during = mock.AppendAsync(topic, 0, Records("during", 0, 5));
        // The records wait in librdkafka's queue while the broker refuses connections.
        await Eventually.UntilAsync(() => mock.Store.GetStatistics().AppendsInFlight == 1, because: "the append waits for the broker");
        Assert.False(during.IsCompleted);
        Assert.Equal(ErrorCode.NoError, mock.Cluster.SetBrokerUp());
        var (status, outcomes) = await during;

        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal([5L, 6L, 7L, 8L, 9L], outcomes.Select(o => o.Offset));
        Assert.Equal(
            [.. Enumerable.Range(0, 5).Select(i => $"before-{i}"), .. Enumerable.Range(0, 5).Select(i => $"during-{i}")],
            await mock.ReadValuesAsync(topic, 0, 0, 10));
    }

    [Fact]
    public async Task AppendAsync_BrokerDownPastDeliveryTimeout_FailsEveryRecordWithRetriableStatus()
    {
        await using var mock = Start(o =>
        {
            o.DeliveryTimeout = TimeSpan.FromSeconds(1);
            // Reconnect quickly once the broker is back (librdkafka backs off up to 10 s by default).
            o.ProducerConfig["reconnect.backoff.max.ms"] = "100";
        });
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("warm", 0, 1))).Status);
        mock.Cluster.SetBrokerDown();

        var (status, outcomes) = await mock.AppendAsync(topic, 0, Records("lost", 0, 4));

        // Never sent (they timed out in librdkafka's queue): certainly not written, so Unavailable,
        // which a client may retry without risking a duplicate, not a Timeout of unknown outcome.
        Assert.Equal(StorageStatus.Unavailable, status);
        Assert.All(outcomes, o => Assert.Equal(new AppendOutcome(StorageStatus.Unavailable, -1), o));
        mock.Cluster.SetBrokerUp();
        // The store works again once the broker is back; a caller retries a retriable failure.
        var offset = -1L;
        await Eventually.UntilAsync(async () =>
        {
            var after = await mock.AppendAsync(topic, 0, Records("after", 0, 1));
            offset = after.Outcomes[0].Offset;
            return after.Status == StorageStatus.Ok;
        }, TimeSpan.FromSeconds(20), "an append succeeds after the broker is back");
        var readBack = await mock.ReadValuesAsync(topic, 0, 0, offset + 1);
        Assert.Equal("warm-0", readBack[0]);
        Assert.Equal("after-0", readBack[^1]);
        // The records queued while the broker was down were never sent.
        Assert.DoesNotContain(readBack, v => v.StartsWith("lost", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ErrorCode.MsgSizeTooLarge, StorageStatus.RecordTooLarge)]
    [InlineData(ErrorCode.InvalidRecord, StorageStatus.InvalidArgument)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, StorageStatus.Failed)]
    public async Task AppendAsync_BrokerRejectsProduceRequest_MapsErrorToEveryRecordOfTheRequest(ErrorCode error, StorageStatus expected)
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("warm", 0, 1))).Status);
        mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, error);

        var (status, outcomes) = await mock.AppendAsync(topic, 0, Records("rejected", 0, 3));

        Assert.Equal(expected, status);
        Assert.All(outcomes, o => Assert.Equal(new AppendOutcome(expected, -1), o));
        Assert.Equal(1, (await mock.Store.GetOffsetsAsync(topic, 0, Ct)).Offsets.HighWatermark);
    }

    [Theory]
    [InlineData(ErrorCode.NotEnoughReplicas)]
    [InlineData(ErrorCode.NotLeaderForPartition)]
    [InlineData(ErrorCode.Local_Transport)]
    public async Task AppendAsync_RetriableProduceErrors_AreRetriedWithoutDuplicates(ErrorCode error)
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, error, error);

        var (status, outcomes) = await mock.AppendAsync(topic, 0, Records("retried", 0, 3));

        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal([0L, 1L, 2L], outcomes.Select(o => o.Offset));
        // Idempotence: retries did not write the records twice.
        Assert.Equal(3, (await mock.Store.GetOffsetsAsync(topic, 0, Ct)).Offsets.HighWatermark);
        Assert.Equal(["retried-0", "retried-1", "retried-2"], await mock.ReadValuesAsync(topic, 0, 0, 3));
    }

    [Fact]
    public async Task AppendAsync_AfterFatalProducerError_ReplacesProducerAndAppendsAgain()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("first", 0, 2))).Status);
        // An idempotent producer treats OUT_OF_ORDER_SEQUENCE_NUMBER as fatal.
        mock.Cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.OutOfOrderSequenceNumber);

        var (failed, outcomes) = await mock.AppendAsync(topic, 0, Records("fatal", 0, 2));
        var (recovered, after) = await mock.AppendAsync(topic, 0, Records("after", 0, 2));

        Assert.True(failed.IsRetriable(), $"status {failed}");
        Assert.All(outcomes, o => Assert.True(o.Status.IsRetriable(), $"outcome {o}"));
        Assert.Equal(StorageStatus.Ok, recovered);
        Assert.Equal(1, mock.Store.GetStatistics().ProducerReplacements);
        var hw = after[^1].Offset + 1;
        var values = await mock.ReadValuesAsync(topic, 0, 0, hw);
        Assert.Equal(["first-0", "first-1"], values[..2]);
        Assert.Equal(["after-0", "after-1"], values[^2..]);
    }

    [Fact]
    public async Task AppendAsync_CancelledWhileBrokerDown_ThrowsAndStoreKeepsWorking()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("warm", 0, 1))).Status);
        mock.Cluster.SetBrokerDown();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var append = mock.AppendAsync(topic, 0, Records("cancelled", 0, 3), cancel.Token);
        await Eventually.UntilAsync(() => mock.Store.GetStatistics().AppendsInFlight == 1, because: "the append waits for the broker");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => append);
        mock.Cluster.SetBrokerUp();
        // The abandoned records are still delivered in the background; later appends follow them.
        var (status, outcomes) = await mock.AppendAsync(topic, 0, Records("after", 0, 1));
        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal(4, outcomes[0].Offset);
        await Eventually.UntilAsync(() => mock.Store.GetStatistics().AppendsInFlight == 0, because: "the cancelled call's reports arrive");
    }

    [Fact]
    public async Task DisposeAsync_WithUnacknowledgedAppends_CompletesThemWithTimeout()
    {
        var mock = Start(o => o.FlushTimeout = TimeSpan.FromMilliseconds(300));
        try
        {
            var topic = await mock.CreateTopicAsync();
            Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("warm", 0, 1))).Status);
            mock.Cluster.SetBrokerDown();
            var stranded = mock.AppendAsync(topic, 0, Records("stranded", 0, 2));
            await Eventually.UntilAsync(() => mock.Store.GetStatistics().AppendsInFlight == 1, because: "the append waits for the broker");

            await mock.Store.DisposeAsync();

            var (status, outcomes) = await stranded;
            Assert.Equal(StorageStatus.Timeout, status);
            Assert.All(outcomes, o => Assert.Equal(new AppendOutcome(StorageStatus.Timeout, -1), o));
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await mock.AppendAsync(topic, 0, Records("late", 0, 1)));
        }
        finally
        {
            await mock.DisposeAsync();
        }
    }

    [Fact]
    public async Task ReadAsync_BrokerDownThenUp_ReturnsRecordsAfterRecovery()
    {
        await using var mock = Start();
        var topic = await mock.CreateTopicAsync();
        Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, 0, Records("r", 0, 20))).Status);
        Assert.Equal(["r-0", "r-1"], await mock.ReadValuesAsync(topic, 0, 0, 2, maxRecords: 2));

        mock.Cluster.SetBrokerDown();
        using (var during = await mock.Store.ReadAsync(new ReadRequest(topic, 0, 10, 5, 1 << 20), Ct))
        {
            // Whatever was prefetched may be served; nothing beyond the data, no failure of the call.
            Assert.True(during.Status is StorageStatus.Ok || during.Status.IsRetriable(), $"status {during.Status}");
        }

        mock.Cluster.SetBrokerUp();
        Assert.Equal(Enumerable.Range(2, 18).Select(i => $"r-{i}"), await mock.ReadValuesAsync(topic, 0, 2, 20, maxRecords: 7));
    }
}
