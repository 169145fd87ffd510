namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>The <c>Metrics</c> configuration section: the Prometheus endpoint and what it reports.</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Metrics";

    /// <summary>The default scrape path.</summary>
    public const string DefaultPath = "/metrics";

    /// <summary>
    /// Serve <see cref="Path"/> and collect metrics. Off: no listener is attached, the core's
    /// instruments cost a branch, <see cref="Path"/> answers 404 and the Kafka client sends no statistics.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scrape path (Prometheus text format).</summary>
    public string Path { get; set; } = DefaultPath;

    /// <summary>
    /// When access is enforced (<c>KinesisApi:AuthMode=Verify</c>), the scrape path answers only
    /// loopback clients, since its labels name every stream and shard; true serves it to any client
    /// (for a scraper on a trusted network). Without enforcement everything is open anyway.
    /// </summary>
    public bool AllowRemoteScrape { get; set; }

    /// <summary>How often the Kafka producer reports librdkafka statistics (Kafka backends only).</summary>
    public TimeSpan KafkaStatisticsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The settings' problems, empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(Path) || Path[0] != '/' || Path == "/")
        {
            errors.Add($"Metrics:Path must be a path other than / starting with '/' (got '{Path}').");
        }

        if (KafkaStatisticsInterval < TimeSpan.FromMilliseconds(100) || KafkaStatisticsInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"Metrics:KafkaStatisticsInterval must be between 100 ms and 1 day (got {KafkaStatisticsInterval}).");
        }

        return errors;
    }
}

/// <summary>The <c>Tracing</c> configuration section: where spans go.</summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Tracing";

    /// <summary>The OpenTelemetry SDK's own endpoint variable, honoured when <see cref="OtlpEndpoint"/> is unset.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The OTLP collector (for example http://localhost:4317 for gRPC, or http://localhost:4318 with
    /// <see cref="OtlpProtocol"/> http/protobuf). Unset, and no <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: no spans are made.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = "grpc";
}
