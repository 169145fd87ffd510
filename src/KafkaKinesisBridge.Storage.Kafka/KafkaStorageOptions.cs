using Confluent.Kafka;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>
/// Settings of the Kafka storage backend, bound from the configuration section
/// <see cref="SectionName"/> (for example <c>Storage__Kafka__BootstrapServers</c> in the environment).
/// </summary>
/// <remarks>
/// The typed settings cover what the backend relies on; anything else librdkafka accepts
/// (security, SASL, TLS, tuning) goes into <see cref="ClientConfig"/> (all clients),
/// <see cref="ProducerConfig"/>, <see cref="ConsumerConfig"/> or <see cref="AdminConfig"/>, keyed by
/// librdkafka property name (https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md).
/// Those dictionaries are applied last, so they override the typed settings.
/// </remarks>
public sealed class KafkaStorageOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Storage:Kafka";

    /// <summary>Default for <see cref="BootstrapServers"/>.</summary>
    public const string DefaultBootstrapServers = "localhost:9092";

    /// <summary>Default for <see cref="ClientId"/>.</summary>
    public const string DefaultClientId = "kafka-kinesis-bridge";

    /// <summary>Default for <see cref="LingerMs"/>: a small wait lets concurrent appends share a produce request.</summary>
    public const int DefaultLingerMs = 5;

    /// <summary>
    /// Default for <see cref="MaxMessageBytes"/>: 11 MiB, room for the largest record the core accepts
    /// (UpdateMaxRecordSize allows up to 10 MiB of data, Kinesis' own maximum) plus its partition key
    /// (256 characters), the explicit-hash-key header and Kafka's record batch framing (61 bytes of
    /// batch header plus a few varints per record, Kafka protocol "Record Batch").
    /// </summary>
    public const int DefaultMaxMessageBytes = 11 * 1024 * 1024;

    /// <summary>librdkafka's upper bound for <c>message.max.bytes</c> (CONFIGURATION.md: 1000 .. 1000000000).</summary>
    public const int MaxMessageBytesLimit = 1_000_000_000;

    /// <summary>Default for <see cref="ConsumerPoolSize"/>.</summary>
    public const int DefaultConsumerPoolSize = 32;

    /// <summary>Default for <see cref="ConsumerQueuedMaxKBytes"/>.</summary>
    public const int DefaultConsumerQueuedMaxKBytes = 4 * 1024;

    /// <summary>Default for <see cref="ConsumerFetchMaxBytes"/>.</summary>
    public const int DefaultConsumerFetchMaxBytes = 8 * 1024 * 1024;

    /// <summary>Default for <see cref="ConsumerFetchWaitMaxMs"/>.</summary>
    public const int DefaultConsumerFetchWaitMaxMs = 50;

    /// <summary>Default for <see cref="AdminRetries"/>.</summary>
    public const int DefaultAdminRetries = 3;

    /// <summary>Kafka bootstrap servers, <c>host:port</c> separated by commas.</summary>
    public string BootstrapServers { get; set; } = DefaultBootstrapServers;

    /// <summary>Client id sent to the brokers (the consumers append <c>-reader</c>).</summary>
    public string ClientId { get; set; } = DefaultClientId;

    /// <summary>
    /// Replication factor of created topics; -1 takes the broker's <c>default.replication.factor</c>
    /// (KIP-464, Kafka 2.4+). On the mock cluster, -1 means one replica per broker up to 3.
    /// </summary>
    public short TopicReplicationFactor { get; set; } = -1;

    /// <summary>
    /// Largest record batch a topic accepts (topic <c>max.message.bytes</c>, set on creation), the
    /// producer's <c>message.max.bytes</c> and the readers' <c>message.max.bytes</c> (librdkafka raises
    /// <c>fetch.max.bytes</c> and <c>receive.message.max.bytes</c> to fit it). Kinesis records hold
    /// 1 MiB of data by default and up to 10 MiB after UpdateMaxRecordSize, plus a partition key: more
    /// than Kafka's 1 MB default. Set it below 10 MiB plus overhead and the larger records the core
    /// accepts fail with InvalidArgumentException ("exceeds the size the storage accepts").
    /// </summary>
    public int MaxMessageBytes { get; set; } = DefaultMaxMessageBytes;

    /// <summary>Producer <c>linger.ms</c>: how long to wait for more records before sending a batch.</summary>
    public int LingerMs { get; set; } = DefaultLingerMs;

    /// <summary>Producer <c>compression.type</c>.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>
    /// Producer <c>message.timeout.ms</c>: an append not acknowledged within this time fails with
    /// <c>Timeout</c> (it may still have been written).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one request to the cluster (admin operations, offset and metadata queries).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries of an admin operation that failed with a retriable error, with exponential backoff.</summary>
    public int AdminRetries { get; set; } = DefaultAdminRetries;

    /// <summary>First backoff between admin retries; doubles each time, with jitter.</summary>
    public TimeSpan AdminRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the topic metadata (partition count) cached for appends and reads stays valid.</summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="KafkaLogStore.DisposeAsync"/> waits for unacknowledged records.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most consumers kept for reads. Each is assigned one partition at a time and stays positioned
    /// where the last read stopped, so a reader that continues is served from prefetched data.
    /// Reads beyond this many at once wait for a consumer.
    /// </summary>
    public int ConsumerPoolSize { get; set; } = DefaultConsumerPoolSize;

    /// <summary>An idle consumer is closed after this long.</summary>
    public TimeSpan ConsumerIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a read waits for records that exist (offset below the high watermark) but are not
    /// fetched yet. A read at the high watermark returns at once.
    /// </summary>
    public TimeSpan ReadWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Consumer <c>queued.max.messages.kbytes</c>: prefetched data kept per consumer.</summary>
    public int ConsumerQueuedMaxKBytes { get; set; } = DefaultConsumerQueuedMaxKBytes;

    /// <summary>Consumer <c>fetch.max.bytes</c> (and <c>max.partition.fetch.bytes</c>): bytes asked per fetch.</summary>
    public int ConsumerFetchMaxBytes { get; set; } = DefaultConsumerFetchMaxBytes;

    /// <summary>
    /// Consumer <c>fetch.wait.max.ms</c>: how long a broker holds a fetch at the end of a partition.
    /// Also bounds how long moving a consumer to another offset waits for the fetch in flight.
    /// </summary>
    public int ConsumerFetchWaitMaxMs { get; set; } = DefaultConsumerFetchWaitMaxMs;

    /// <summary>
    /// librdkafka <c>statistics.interval.ms</c> of the producer: how often it reports its statistics,
    /// published as the <see cref="KafkaClientMetrics.MeterName"/> meter. Zero (the default): no
    /// statistics; the gateway sets it when its metrics are on.
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.Zero;

    /// <summary>librdkafka properties for every client (security.protocol, sasl.*, ssl.*, ...).</summary>
    public Dictionary<string, string> ClientConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the producer only.</summary>
    public Dictionary<string, string> ProducerConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the read consumers only.</summary>
    public Dictionary<string, string> ConsumerConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the admin client only.</summary>
    public Dictionary<string, string> AdminConfig { get; } = new(StringComparer.Ordinal);

    /// <summary>Every problem with these settings, empty when they are valid.</summary>
    public IReadOnlyList<string> GetValidationErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            errors.Add("BootstrapServers is required.");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            errors.Add("ClientId is required.");
        }

        if (TopicReplicationFactor is 0 or < -1)
        {
            errors.Add("TopicReplicationFactor must be -1 (broker default) or at least 1.");
        }

        if (MaxMessageBytes < 1024 * 1024 || MaxMessageBytes > MaxMessageBytesLimit)
        {
            errors.Add("MaxMessageBytes must be between 1 MiB and 1,000,000,000.");
        }

        if (LingerMs is < 0 or > 900_000)
        {
            errors.Add("LingerMs must be between 0 and 900000.");
        }

        if (!Enum.IsDefined(Compression))
        {
            errors.Add("Compression must be None, Gzip, Snappy, Lz4 or Zstd.");
        }

        if (StatisticsInterval < TimeSpan.Zero || StatisticsInterval > TimeSpan.FromDays(1))
        {
            errors.Add("StatisticsInterval must be zero (off) or up to one day.");
        }

        CheckPositive(errors, DeliveryTimeout, nameof(DeliveryTimeout));
        CheckPositive(errors, RequestTimeout, nameof(RequestTimeout));
        CheckPositive(errors, MetadataMaxAge, nameof(MetadataMaxAge));
        CheckPositive(errors, FlushTimeout, nameof(FlushTimeout));
        CheckPositive(errors, ConsumerIdleTimeout, nameof(ConsumerIdleTimeout));
        if (AdminRetries is < 0 or > 20)
        {
            errors.Add("AdminRetries must be between 0 and 20.");
        }

        if (AdminRetryBackoff < TimeSpan.Zero)
        {
            errors.Add("AdminRetryBackoff must not be negative.");
        }

        if (ReadWait < TimeSpan.Zero || ReadWait > TimeSpan.FromSeconds(30))
        {
            errors.Add("ReadWait must be between 0 and 30 seconds.");
        }

        if (ConsumerPoolSize is < 1 or > 4096)
        {
            errors.Add("ConsumerPoolSize must be between 1 and 4096.");
        }

        if (ConsumerQueuedMaxKBytes is < 64 or > 2_097_151)
        {
            errors.Add("ConsumerQueuedMaxKBytes must be between 64 and 2097151.");
        }

        if (ConsumerFetchMaxBytes is < 1024 or > 100_000_000)
        {
            errors.Add("ConsumerFetchMaxBytes must be between 1024 and 100000000.");
        }

        if (ConsumerFetchWaitMaxMs is < 1 or > 300_000)
        {
            errors.Add("ConsumerFetchWaitMaxMs must be between 1 and 300000.");
        }

        return errors;
    }

    /// <summary>Throws when the settings are invalid.</summary>
    /// <exception cref="ArgumentException">At least one setting is invalid; the message lists all.</exception>
    public void Validate()
    {
        var errors = GetValidationErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Kafka storage options: " + string.Join(" ", errors));
        }
    }

    /// <summary>A deep copy, so a store is not affected by later changes to the instance it was given.</summary>
    public KafkaStorageOptions Clone()
    {
        var copy = new KafkaStorageOptions
        {
            BootstrapServers = BootstrapServers,
            ClientId = ClientId,
            TopicReplicationFactor = TopicReplicationFactor,
            MaxMessageBytes = MaxMessageBytes,
            LingerMs = LingerMs,
            Compression = Compression,
            DeliveryTimeout = DeliveryTimeout,
            RequestTimeout = RequestTimeout,
            AdminRetries = AdminRetries,
            AdminRetryBackoff = AdminRetryBackoff,
            MetadataMaxAge = MetadataMaxAge,
            FlushTimeout = FlushTimeout,
            ConsumerPoolSize = ConsumerPoolSize,
            ConsumerIdleTimeout = ConsumerIdleTimeout,
            ReadWait = ReadWait,
            ConsumerQueuedMaxKBytes = ConsumerQueuedMaxKBytes,
            ConsumerFetchMaxBytes = ConsumerFetchMaxBytes,
            ConsumerFetchWaitMaxMs = ConsumerFetchWaitMaxMs,
            StatisticsInterval = StatisticsInterval,
        };
        CopyInto(ClientConfig, copy.ClientConfig);
        CopyInto(ProducerConfig, copy.ProducerConfig);
        CopyInto(ConsumerConfig, copy.ConsumerConfig);
        CopyInto(AdminConfig, copy.AdminConfig);
        return copy;
    }

    private static void CheckPositive(List<string> errors, TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive.");
        }
    }

    private static void CopyInto(Dictionary<string, string> from, Dictionary<string, string> to)
    {
        foreach (var (key, value) in from)
        {
            to[key] = value;
        }
    }
}
