using System.Globalization;
using KafkaKinesisBridge.Core.Streams.Resharding;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Core;

/// <summary>
/// Settings of the Kinesis core, bound from the configuration section <see cref="SectionName"/>
/// ("Kinesis"). Every replica of a gateway must use the same Region, AccountId, TopicPrefix,
/// CatalogTopic and IteratorSigningKey.
/// </summary>
public sealed class KinesisStreamsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Kinesis";

    /// <summary>Default region.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>Default account id (12 digits).</summary>
    public const string DefaultAccountId = "000000000000";

    /// <summary>Default account shard limit: Kinesis' default quota in us-east-1, us-west-2 and eu-west-1.</summary>
    public const int DefaultShardLimit = 500;

    /// <summary>Default limit on ON_DEMAND streams per account (Kinesis default: 50).</summary>
    public const int DefaultOnDemandStreamCountLimit = 50;

    /// <summary>Shards an ON_DEMAND stream starts with (Kinesis: 4).</summary>
    public const int DefaultOnDemandShardCountValue = 4;

    /// <summary>
    /// Capacity-mode switches allowed per stream in any 24 hours (Kinesis: "You can switch between
    /// on-demand and provisioned capacity mode for each data stream in your account twice within 24 hours").
    /// </summary>
    public const int DefaultModeSwitchesPer24Hours = 2;

    /// <summary>Default topic prefix.</summary>
    public const string DefaultTopicPrefix = "kinesis.";

    /// <summary>Default catalog topic.</summary>
    public const string DefaultCatalogTopic = "__kinesis_bridge_catalog";

    /// <summary>Region used in ARNs and messages.</summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>Account id used in ARNs and messages: 12 digits.</summary>
    public string AccountId { get; set; } = DefaultAccountId;

    /// <summary>The account shard limit (DescribeLimits ShardLimit; CreateStream beyond it fails with LimitExceededException).</summary>
    public int ShardLimit { get; set; } = DefaultShardLimit;

    /// <summary>The limit on ON_DEMAND streams (DescribeLimits OnDemandStreamCountLimit).</summary>
    public int OnDemandStreamCountLimit { get; set; } = DefaultOnDemandStreamCountLimit;

    /// <summary>Shards of a new ON_DEMAND stream.</summary>
    public int DefaultOnDemandShardCount { get; set; } = DefaultOnDemandShardCountValue;

    /// <summary>UpdateStreamMode calls that change the mode, allowed per stream in any 24 hours.</summary>
    public int ModeSwitchesPer24Hours { get; set; } = DefaultModeSwitchesPer24Hours;

    /// <summary>How the gateway scales ON_DEMAND streams itself (section "Kinesis:OnDemand").</summary>
    public Streams.OnDemand.OnDemandScalingOptions OnDemand { get; set; } = new();

    /// <summary>How long a shard iterator stays valid (Kinesis: 5 minutes).</summary>
    public TimeSpan IteratorTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Optional key (at least 32 characters, or base64 of at least 32 bytes prefixed "base64:") that signs
    /// shard iterators and pagination tokens. When unset, the first replica to start stores a random key
    /// in the catalog and every replica uses it.
    /// </summary>
    public string? IteratorSigningKey { get; set; }

    /// <summary>Prefix of stream topics: topic = prefix + escaped stream name.</summary>
    public string TopicPrefix { get; set; } = DefaultTopicPrefix;

    /// <summary>The catalog topic: one partition, infinite retention, shared by all replicas.</summary>
    public string CatalogTopic { get; set; } = DefaultCatalogTopic;

    /// <summary>How often a replica reads the catalog for other replicas' changes.</summary>
    public TimeSpan CatalogPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long CreateStream/DeleteStream wait for storage before answering with the stream still
    /// CREATING/DELETING (a reconciler then finishes the work).
    /// </summary>
    public TimeSpan CreateTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the reconciler looks for unfinished creates and deletes.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Per-shard throughput quotas.</summary>
    public ShardQuotaOptions Quotas { get; set; } = new();

    /// <summary>SplitShard, MergeShards and UpdateShardCount limits and the write fence.</summary>
    public ReshardingOptions Resharding { get; set; } = new();

    /// <summary>Enhanced fan-out: consumers and SubscribeToShard.</summary>
    public FanOutOptions FanOut { get; set; } = new();

    /// <summary>The configured signing key bytes, or null when unset.</summary>
    internal byte[]? GetSigningKeyBytes()
    {
        if (string.IsNullOrEmpty(IteratorSigningKey))
        {
            return null;
        }

        return IteratorSigningKey.StartsWith("base64:", StringComparison.Ordinal)
            ? Convert.FromBase64String(IteratorSigningKey["base64:".Length..])
            : System.Text.Encoding.UTF8.GetBytes(IteratorSigningKey);
    }
}

/// <summary>
/// Per-shard throughput quotas, as Kinesis applies them to provisioned shards. Token buckets with one
/// second of burst. Enforced per gateway replica (each replica counts only the traffic it serves).
/// </summary>
public sealed class ShardQuotaOptions
{
    /// <summary>Whether quotas are enforced.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Write bytes per second per shard (Kinesis: 1 MiB).</summary>
    public long WriteBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Written records per second per shard (Kinesis: 1000).</summary>
    public int WriteRecordsPerSecond { get; set; } = 1000;

    /// <summary>Read bytes per second per shard (Kinesis: 2 MiB).</summary>
    public long ReadBytesPerSecond { get; set; } = 2 * 1024 * 1024;

    /// <summary>GetRecords calls per second per shard (Kinesis: 5).</summary>
    public int ReadCallsPerSecond { get; set; } = 5;

    /// <summary>
    /// Bytes per second SubscribeToShard pushes to each consumer per shard (Kinesis enhanced fan-out:
    /// 2 MiB), independent of GetRecords traffic. A subscriber at the limit is slowed, not failed.
    /// </summary>
    public long SubscriptionReadBytesPerSecond { get; set; } = 2 * 1024 * 1024;
}

/// <summary>Enhanced fan-out settings (Kinesis API reference, RegisterStreamConsumer and SubscribeToShard).</summary>
public sealed class FanOutOptions
{
    /// <summary>Consumers per stream (Kinesis: 20).</summary>
    public int MaxConsumersPerStream { get; set; } = 20;

    /// <summary>How long a new consumer stays CREATING before it is ACTIVE (Kinesis: a few seconds).</summary>
    public TimeSpan ConsumerActivationDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a deregistered consumer is reported DELETING before it is gone.</summary>
    public TimeSpan ConsumerDeletionDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a subscription lasts before the client must subscribe again (Kinesis: 5 minutes).</summary>
    public TimeSpan SubscriptionLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A second SubscribeToShard for the same consumer and shard within this time of the first fails
    /// with ResourceInUseException; after it, the second takes over (Kinesis: 5 seconds).
    /// </summary>
    public TimeSpan TakeoverAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An event with no records is sent after this long without one, so the client sees its position and lag (Kinesis: about 5 seconds).</summary>
    public TimeSpan EmptyEventInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a caught-up subscription waits for an append notification before reading anyway.
    /// Appends through this replica wake it at once; this bounds the delay for records written
    /// through another replica (Kafka backend).
    /// </summary>
    public TimeSpan IdleReadInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>At most this many bytes of records per event.</summary>
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Events read ahead per subscription, waiting for the client: with <see cref="MaxEventBytes"/> this
    /// bounds a subscription's memory however slowly its client reads.
    /// </summary>
    public int EventQueueCapacity { get; set; } = 2;
}

/// <summary>Validates <see cref="KinesisStreamsOptions"/> at start.</summary>
public sealed class KinesisStreamsOptionsValidator : IValidateOptions<KinesisStreamsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KinesisStreamsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Region) || !options.Region.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            failures.Add($"Kinesis:Region '{options.Region}' must be letters, digits and '-'.");
        }

        if (options.AccountId is not { Length: 12 } || !options.AccountId.All(char.IsAsciiDigit))
        {
            failures.Add($"Kinesis:AccountId '{options.AccountId}' must be 12 digits.");
        }

        Positive(failures, options.ShardLimit, "ShardLimit");
        Positive(failures, options.OnDemandStreamCountLimit, "OnDemandStreamCountLimit");
        Positive(failures, options.DefaultOnDemandShardCount, "DefaultOnDemandShardCount");
        Positive(failures, options.ModeSwitchesPer24Hours, "ModeSwitchesPer24Hours");
        Positive(failures, options.IteratorTtl, "IteratorTtl");
        Positive(failures, options.CatalogPollInterval, "CatalogPollInterval");
        Positive(failures, options.CreateTimeout, "CreateTimeout");
        Positive(failures, options.ReconcileInterval, "ReconcileInterval");
        if (options.DefaultOnDemandShardCount > options.ShardLimit)
        {
            failures.Add("Kinesis:DefaultOnDemandShardCount must not exceed ShardLimit.");
        }

        if (string.IsNullOrEmpty(options.TopicPrefix) || options.TopicPrefix.Length > 100 || !options.TopicPrefix.All(IsTopicChar))
        {
            failures.Add($"Kinesis:TopicPrefix '{options.TopicPrefix}' must be 1 to 100 of [a-zA-Z0-9._-].");
        }

        if (string.IsNullOrEmpty(options.CatalogTopic) || options.CatalogTopic.Length > 249 || !options.CatalogTopic.All(IsTopicChar)
            || options.CatalogTopic is "." or "..")
        {
            failures.Add($"Kinesis:CatalogTopic '{options.CatalogTopic}' must be a legal Kafka topic name.");
        }
        else if (!string.IsNullOrEmpty(options.TopicPrefix) && options.CatalogTopic.StartsWith(options.TopicPrefix, StringComparison.Ordinal))
        {
            failures.Add("Kinesis:CatalogTopic must not start with TopicPrefix (a stream topic could take its name).");
        }

        try
        {
            if (options.GetSigningKeyBytes() is { Length: < 32 })
            {
                failures.Add("Kinesis:IteratorSigningKey must hold at least 32 bytes.");
            }
        }
        catch (FormatException)
        {
            failures.Add("Kinesis:IteratorSigningKey 'base64:' value is not valid base64.");
        }

        var quotas = options.Quotas;
        if (quotas is null)
        {
            failures.Add("Kinesis:Quotas must be set.");
        }
        else
        {
            Positive(failures, quotas.WriteBytesPerSecond, "Quotas:WriteBytesPerSecond");
            Positive(failures, quotas.WriteRecordsPerSecond, "Quotas:WriteRecordsPerSecond");
            Positive(failures, quotas.ReadBytesPerSecond, "Quotas:ReadBytesPerSecond");
            Positive(failures, quotas.ReadCallsPerSecond, "Quotas:ReadCallsPerSecond");
            Positive(failures, quotas.SubscriptionReadBytesPerSecond, "Quotas:SubscriptionReadBytesPerSecond");
        }

        var fanOut = options.FanOut;
        if (fanOut is null)
        {
            failures.Add("Kinesis:FanOut must be set.");
        }
        else
        {
            Positive(failures, fanOut.MaxConsumersPerStream, "FanOut:MaxConsumersPerStream");
            NotNegative(failures, fanOut.ConsumerActivationDelay, "FanOut:ConsumerActivationDelay");
            NotNegative(failures, fanOut.ConsumerDeletionDelay, "FanOut:ConsumerDeletionDelay");
            Positive(failures, fanOut.SubscriptionLifetime, "FanOut:SubscriptionLifetime");
            NotNegative(failures, fanOut.TakeoverAfter, "FanOut:TakeoverAfter");
            Positive(failures, fanOut.EmptyEventInterval, "FanOut:EmptyEventInterval");
            Positive(failures, fanOut.IdleReadInterval, "FanOut:IdleReadInterval");
            Positive(failures, fanOut.MaxEventBytes, "FanOut:MaxEventBytes");
            Positive(failures, fanOut.EventQueueCapacity, "FanOut:EventQueueCapacity");
        }

        if (options.Resharding is null)
        {
            failures.Add("Kinesis:Resharding must be set.");
        }
        else
        {
            options.Resharding.Validate(failures);
        }

        if (options.OnDemand is null)
        {
            failures.Add("Kinesis:OnDemand must be set.");
        }
        else
        {
            options.OnDemand.Validate(failures, options.DefaultOnDemandShardCount);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsTopicChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';

    private static void Positive(List<string> failures, long value, string name)
    {
        if (value <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:{name} must be positive (was {value})."));
        }
    }

    private static void Positive(List<string> failures, TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:{name} must be positive (was {value})."));
        }
    }

    private static void NotNegative(List<string> failures, TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"Kinesis:{name} must not be negative (was {value})."));
        }
    }
}
