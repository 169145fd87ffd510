using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Tests.Contract;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>
/// The storage contract against a real Kafka cluster, at KAFKA_BOOTSTRAP_SERVERS (for example the
/// compose file's broker: <c>KAFKA_BOOTSTRAP_SERVERS=localhost:9092</c>). Without it every test is
/// skipped. Topic names are unique per test; the topics a test created are deleted afterwards.
/// </summary>
public sealed class KafkaBrokerContractTests : LogStoreContractTests
{
    private readonly ConcurrentBag<string> _topics = [];

    protected override int MaxRecordBytes => KafkaTestOptions.BrokerMaxMessageBytes;

    public override ValueTask InitializeAsync()
    {
        if (KafkaTestOptions.BrokerBootstrapServers is null)
        {
            Assert.Skip(KafkaTestOptions.NoBrokerReason);
        }

        return base.InitializeAsync();
    }

    protected override ValueTask<ILogStore> OpenStoreAsync() => new(new KafkaLogStore(KafkaTestOptions.ForBroker()));

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
        if (KafkaTestOptions.BrokerBootstrapServers is not null && !_topics.IsEmpty)
        {
            await using var cleaner = new KafkaLogStore(KafkaTestOptions.ForBroker());
            foreach (var topic in _topics)
            {
                await cleaner.DeleteTopicAsync(topic, CancellationToken.None);
            }
        }

        await base.DisposeAsync();
    }
}
