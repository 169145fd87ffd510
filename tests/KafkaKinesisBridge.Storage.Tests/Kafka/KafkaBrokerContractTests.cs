using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Tests.Contract;
using KafkaKinesisBridge.Storage.Tests.Kafka.Broker;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>
/// The storage contract against a real Kafka cluster: KAFKA_BOOTSTRAP_SERVERS when set (for example the
/// compose file's broker: <c>KAFKA_BOOTSTRAP_SERVERS=localhost:9092</c>), else a KRaft Kafka container
/// that Testcontainers starts once per run when a Docker engine answers (<see cref="KafkaBrokerFixture"/>).
/// With neither, every test is skipped with the reason. Topic names are unique per test; the topics a
/// test created are deleted afterwards.
/// </summary>
public sealed class KafkaBrokerContractTests(KafkaBrokerFixture broker) : LogStoreContractTests
{
    private readonly ConcurrentBag<string> _topics = [];
    private string? _bootstrapServers;

    protected override int MaxRecordBytes => KafkaTestOptions.BrokerMaxMessageBytes;

    public override async ValueTask InitializeAsync()
    {
        // Skips the test when there is no broker.
        _bootstrapServers = await broker.GetBootstrapServersAsync(Ct);
        await base.InitializeAsync();
    }

    protected override ValueTask<ILogStore> OpenStoreAsync() => new(new KafkaLogStore(Options()));

    protected override ValueTask<ILogStore> ReopenStoreAsync() => OpenStoreAsync();

    protected override async ValueTask CreateTopicForTestAsync(TopicSpec spec)
    {
        _topics.Add(spec.Name);
        await base.CreateTopicForTestAsync(spec);
    }

    protected override string? SkipReason(LogStoreCapability capability) => capability switch
    {
        LogStoreCapability.Retention => "a Kafka broker removes expired segments on its own schedule (log.retention.check.interval.ms), not on demand",
        _ => null,
    };

    public override async ValueTask DisposeAsync()
    {
        if (_bootstrapServers is not null && !_topics.IsEmpty)
        {
            await using var cleaner = new KafkaLogStore(Options());
            foreach (var topic in _topics)
            {
                await cleaner.DeleteTopicAsync(topic, CancellationToken.None);
            }
        }

        await base.DisposeAsync();
    }

    private KafkaStorageOptions Options() =>
        KafkaTestOptions.ForBroker(_bootstrapServers ?? throw new InvalidOperationException("No broker: the test should have been skipped."));
}
