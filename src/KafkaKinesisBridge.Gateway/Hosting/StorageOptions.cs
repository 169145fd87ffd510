namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>Which storage backend serves the streams.</summary>
public enum StorageBackend
{
    /// <summary>The embedded single-node log on local disk (the default; no broker needed).</summary>
    Embedded,

    /// <summary>Apache Kafka at <c>Storage:Kafka:BootstrapServers</c>.</summary>
    Kafka,

    /// <summary>librdkafka's in-process mock cluster: Kafka semantics, data in memory only (development, tests).</summary>
    KafkaMock,
}

/// <summary>
/// The <c>Storage</c> configuration section: the backend choice. The backends' own settings live in
/// <c>Storage:Embedded</c> (EmbeddedLogOptions) and <c>Storage:Kafka</c> (KafkaStorageOptions).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Storage";

    /// <summary>The backend: embedded (default), kafka or kafka-mock.</summary>
    public string Backend { get; set; } = "embedded";

    /// <summary>Brokers of the mock cluster when <see cref="Backend"/> is kafka-mock.</summary>
    public int MockBrokers { get; set; } = 1;

    /// <summary>The parsed backend.</summary>
    /// <exception cref="InvalidOperationException">An unknown backend name.</exception>
    public StorageBackend ParseBackend() => Backend.Trim().ToLowerInvariant() switch
    {
        "embedded" => StorageBackend.Embedded,
        "kafka" => StorageBackend.Kafka,
        "kafka-mock" or "kafkamock" or "mock" => StorageBackend.KafkaMock,
        _ => throw new InvalidOperationException(
            $"Storage:Backend '{Backend}' is not one of: embedded, kafka, kafka-mock."),
    };
}
