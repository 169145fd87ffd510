using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Tests.Contract;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>
/// The storage contract against the Kafka backend on librdkafka's mock cluster (real Kafka protocol on
/// loopback, one cluster per test). Topics are created and deleted through the mock's C API, which the
/// store does by itself on a mock cluster.
/// </summary>
public sealed class KafkaMockClusterContractTests : LogStoreContractTests
{
    private readonly KafkaMockCluster _cluster = KafkaMockCluster.Start(brokers: 1);

    protected override int MaxRecordBytes => KafkaStorageOptions.DefaultMaxMessageBytes;

    protected override ValueTask<ILogStore> OpenStoreAsync() =>
        new(KafkaLogStore.ForMockCluster(_cluster, KafkaTestOptions.ForTests(), timeProvider: null));

    /// <summary>The mock cluster keeps its data while stores come and go.</summary>
    protected override ValueTask<ILogStore> ReopenStoreAsync() => OpenStoreAsync();

    protected override string? SkipReason(LogStoreCapability capability) => capability switch
    {
        LogStoreCapability.AddPartitions => "librdkafka's mock cluster has no CreatePartitions API",
        LogStoreCapability.Retention => "librdkafka's mock cluster enforces no retention (KafkaLogStoreReadTests.ReadAsync_BelowLogStart_ReadsFromLogStart covers reads below the log start)",
        LogStoreCapability.OffsetForTimestamp => "librdkafka's mock cluster answers ListOffsets by timestamp with -1",
        LogStoreCapability.LargeRecords => "librdkafka's mock cluster keeps about 5 MiB per partition log, dropping older data",
        _ => null,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _cluster.Dispose();
    }
}
