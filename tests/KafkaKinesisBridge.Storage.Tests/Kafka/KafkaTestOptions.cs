using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>Store options for the Kafka tests.</summary>
internal static class KafkaTestOptions
{
    /// <summary>Room for the contract suite's 10 MiB record on a real broker.</summary>
    public const int BrokerMaxMessageBytes = 12 * 1024 * 1024;

    /// <summary>Defaults with short timeouts, so a failing test fails in seconds.</summary>
    public static KafkaStorageOptions ForTests() => new()
    {
        ClientId = "kkb-tests",
        DeliveryTimeout = TimeSpan.FromSeconds(20),
        RequestTimeout = TimeSpan.FromSeconds(10),
        FlushTimeout = TimeSpan.FromSeconds(5),
        AdminRetryBackoff = TimeSpan.FromMilliseconds(50),
    };

    /// <summary>Options for the real broker at <paramref name="bootstrapServers"/> (see Broker/KafkaBrokerFixture).</summary>
    public static KafkaStorageOptions ForBroker(string bootstrapServers)
    {
        var options = ForTests();
        options.BootstrapServers = bootstrapServers;
        options.MaxMessageBytes = BrokerMaxMessageBytes;
        options.RequestTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}
