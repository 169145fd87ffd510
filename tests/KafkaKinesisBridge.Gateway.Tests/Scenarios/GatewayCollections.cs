using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>The scenario classes on the embedded backend share one gateway (and run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class EmbeddedGatewayCollection : ICollectionFixture<EmbeddedGatewayFixture>
{
    public const string Name = "gateway on the embedded log";
}

/// <summary>The scenario classes on the kafka-mock backend share one gateway (and run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class KafkaMockGatewayCollection : ICollectionFixture<KafkaMockGatewayFixture>
{
    public const string Name = "gateway on the librdkafka mock cluster";
}
