using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>Store options for the Kafka tests.</summary>
internal static class KafkaTestOptions
{
    public const string NoBrokerReason = "set KAFKA_BOOTSTRAP_SERVERS to run against a real Kafka broker";

    /// <summary>Room for the contract suite's 10 MiB record on a real broker.</summary>
    public const int BrokerMaxMessageBytes = 12 * 1024 * 1024;

    /// <summary>KAFKA_BOOTSTRAP_SERVERS, or null when unset.</summary>
    public static string? BrokerBootstrapServers =>
        Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") is { Length: > 0 } servers ? servers : null;

    /// <summary>Defaults with short timeouts, so a failing test fails in seconds.</summary>
    public static KafkaStorageOptions ForTests() => new()
    {
        ClientId = "kkb-tests",
        DeliveryTimeout = TimeSpan.FromSeconds(20),
        RequestTimeout = TimeSpan.FromSeconds(10),
        FlushTimeout = TimeSpan.FromSeconds(5),
        AdminRetryBackoff = TimeSpan.FromMilliseconds(50),
    };

    public static KafkaStorageOptions ForBroker()
    {
        var options = ForTests();
        options.BootstrapServers = BrokerBootstrapServers ?? KafkaStorageOptions.DefaultBootstrapServers;
        options.MaxMessageBytes = BrokerMaxMessageBytes;
        options.RequestTimeout = TimeSpan.FromSeconds(30);
        return options;
    }
}
