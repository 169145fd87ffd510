namespace KafkaKinesisBridge.Firehose.Sink.Kafka;

/// <summary>How the sink's consumer groups connect (filled from the Kafka backend's settings).</summary>
public sealed class ConsumerGroupOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Firehose:Sink:ConsumerGroups";

    /// <summary>Kafka bootstrap servers (default: the Kafka backend's).</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>Client id prefix.</summary>
    public string ClientId { get; set; } = "kafka-kinesis-bridge";

    /// <summary>Group id of a delivery stream: this prefix and the delivery stream's name.</summary>
    public string GroupIdPrefix { get; set; } = "kkb-firehose-sink-";

    /// <summary>session.timeout.ms: how soon a dead member's partitions move to the others.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>librdkafka properties (TLS, SASL), as the Kafka backend's ClientConfig.</summary>
    public Dictionary<string, string> ClientConfig { get; } = new(StringComparer.Ordinal);
}
