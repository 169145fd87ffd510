using System.Globalization;
using Confluent.Kafka;

namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>
/// The librdkafka configurations of the store's clients, built from <see cref="KafkaStorageOptions"/>.
/// The option dictionaries come last so an operator can override any property.
/// </summary>
internal static class KafkaClientConfigs
{
    public static ProducerConfig Producer(KafkaStorageOptions options)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            // Durable by Kafka's definition: acknowledged by all in-sync replicas; idempotence keeps
            // retried batches from being written twice or out of order (KIP-98).
            Acks = Acks.All,
            EnableIdempotence = true,
            MaxInFlight = 5,
            LingerMs = options.LingerMs,
            CompressionType = options.Compression,
            MessageMaxBytes = options.MaxMessageBytes,
            MessageTimeoutMs = ToMilliseconds(options.DeliveryTimeout),
            RequestTimeoutMs = ToMilliseconds(options.RequestTimeout),
            // Appends to a missing topic must fail, not create it with broker defaults.
            AllowAutoCreateTopics = false,
            // librdkafka waits this long before failing records for a topic it cannot see (default 30 s).
            // The store checks topics itself first, so this only matters for a topic deleted meanwhile.
            TopicMetadataPropagationMaxMs = 5_000,
            // Bounds the memory of records waiting for delivery (default 1 GiB).
            QueueBufferingMaxKbytes = 256 * 1024,
            // Delivery reports carry offset and error; the store needs nothing else back.
            DeliveryReportFields = "status",
            SocketKeepaliveEnable = true,
            ReconnectBackoffMaxMs = ReconnectBackoffMaxMs,
            StatisticsIntervalMs = options.StatisticsInterval > TimeSpan.Zero ? ToMilliseconds(options.StatisticsInterval) : 0,
        };
        Apply(config, options.ClientConfig);
        Apply(config, options.ProducerConfig);
        return config;
    }

    public static ConsumerConfig Consumer(KafkaStorageOptions options)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId + "-reader",
            // Confluent.Kafka requires a group id; the consumers are assigned partitions directly and
            // never join the group or commit offsets.
            GroupId = options.ClientId + "-readers",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // Offsets below the log start (removed by retention) read from the log start, as the
            // storage port requires; offsets beyond the high watermark are rejected before assigning.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadUncommitted,
            FetchWaitMaxMs = options.ConsumerFetchWaitMaxMs,
            FetchMinBytes = 1,
            // A record batch as large as a topic accepts must fit one fetch response: librdkafka raises
            // fetch.max.bytes to message.max.bytes and receive.message.max.bytes to fetch.max.bytes + 512.
            // max.partition.fetch.bytes may stay smaller: brokers since 0.10.1 (KIP-74), and the mock
            // cluster, return the first batch of a partition whole even when it is larger.
            MessageMaxBytes = options.MaxMessageBytes,
            FetchMaxBytes = Math.Max(options.ConsumerFetchMaxBytes, options.MaxMessageBytes),
            MaxPartitionFetchBytes = options.ConsumerFetchMaxBytes,
            QueuedMaxMessagesKbytes = options.ConsumerQueuedMaxKBytes,
            QueuedMinMessages = 10_000,
            // When the prefetch queue is over those limits, librdkafka postpones the next fetch by
            // this much (default 1 s): a reader that drains the queue would then find nothing for a
            // second. Checking again soon is a local operation.
            FetchQueueBackoffMs = 10,
            FetchErrorBackoffMs = 20,
            SocketKeepaliveEnable = true,
            ReconnectBackoffMaxMs = ReconnectBackoffMaxMs,
            StatisticsIntervalMs = 0,
            // Confluent.Kafka reads headers and timestamps only when asked.
            ConsumeResultFields = "headers,timestamp",
        };
        Apply(config, options.ClientConfig);
        Apply(config, options.ConsumerConfig);
        return config;
    }

    public static AdminClientConfig Admin(KafkaStorageOptions options)
    {
        var config = new AdminClientConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId + "-admin",
            SocketKeepaliveEnable = true,
            ReconnectBackoffMaxMs = ReconnectBackoffMaxMs,
            StatisticsIntervalMs = 0,
        };
        Apply(config, options.ClientConfig);
        Apply(config, options.AdminConfig);
        return config;
    }

    /// <summary>
    /// librdkafka backs off reconnects up to 10 s by default, so a broker that comes back would be
    /// unused for that long; 2 s keeps recovery quick without a reconnect storm.
    /// </summary>
    private const int ReconnectBackoffMaxMs = 2_000;

    private static int ToMilliseconds(TimeSpan value) =>
        (int)Math.Clamp(Math.Ceiling(value.TotalMilliseconds), 1, int.MaxValue);

    private static void Apply(ClientConfig config, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            config.Set(key, value);
        }
    }

    /// <summary>Milliseconds as librdkafka and Kafka configs write them.</summary>
    public static string Milliseconds(long value) => value.ToString(CultureInfo.InvariantCulture);
}
