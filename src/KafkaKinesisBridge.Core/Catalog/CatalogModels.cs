using System.Text.Json.Serialization;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Catalog;

/// <summary>
/// A stream as the catalog stores it: everything every replica needs to serve the stream. Treated as
/// immutable once applied; changes are made on a <see cref="Clone"/> and proposed as a new version.
/// </summary>
internal sealed class StreamEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Random per CreateStream: tells a re-created stream from an earlier one of the same name.</summary>
    public ulong Incarnation { get; set; }

    public StreamStatus Status { get; set; }

    public long CreatedAtMs { get; set; }

    /// <summary>When this version was proposed (the reconciler waits before finishing someone else's work).</summary>
    public long UpdatedAtMs { get; set; }

    public int RetentionHours { get; set; }

    public StreamMode Mode { get; set; }

    public int MaxRecordSizeKiB { get; set; }

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The Kafka topic holding the shards (partition i = shard i).</summary>
    public string Topic { get; set; } = string.Empty;

    /// <summary>All shards, open and closed; <c>Shards[i].Index == i</c>.</summary>
    public List<ShardEntry> Shards { get; set; } = [];

    /// <summary>
    /// Shard-level metrics turned on by EnableEnhancedMonitoring (Kinesis metric names, canonical
    /// order); null or empty when none. Older catalog records lack the member and read as none.
    /// </summary>
    public List<string>? ShardLevelMetrics { get; set; }

    /// <summary>
    /// When UpdateStreamMode changed the mode (Unix ms), the last 24 hours' worth: Kinesis allows a
    /// bounded number of switches per 24 hours. Null when none; older records lack the member.
    /// </summary>
    public List<long>? ModeSwitchesAtMs { get; set; }

    /// <summary>
    /// Enhanced fan-out consumers registered with the stream, in registration order; null or empty
    /// when none. Older catalog records lack the member and read as none.
    /// </summary>
    public List<ConsumerEntry>? Consumers { get; set; }

    public StreamEntry Clone() => new()
    {
        Name = Name,
        Incarnation = Incarnation,
        Status = Status,
        CreatedAtMs = CreatedAtMs,
        UpdatedAtMs = UpdatedAtMs,
        RetentionHours = RetentionHours,
        Mode = Mode,
        MaxRecordSizeKiB = MaxRecordSizeKiB,
        Tags = new Dictionary<string, string>(Tags, StringComparer.Ordinal),
        Topic = Topic,
        Shards = [.. Shards.Select(s => s.Clone())],
        ShardLevelMetrics = ShardLevelMetrics is null ? null : [.. ShardLevelMetrics],
        ModeSwitchesAtMs = ModeSwitchesAtMs is null ? null : [.. ModeSwitchesAtMs],
        Consumers = Consumers is null ? null : [.. Consumers.Select(c => c.Clone())],
    };
}

/// <summary>
/// An enhanced fan-out consumer as the catalog stores it. Its status is derived, so no replica has to
/// write the CREATING to ACTIVE step: CREATING until <see cref="FanOutOptions.ConsumerActivationDelay"/>
/// after <see cref="CreatedAtMs"/>, then ACTIVE, and DELETING from <see cref="DeletingSinceMs"/> until
/// the entry is removed.
/// </summary>
internal sealed class ConsumerEntry
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Registration time; its epoch seconds end the consumer ARN.</summary>
    public long CreatedAtMs { get; set; }

    /// <summary>Set by DeregisterStreamConsumer; the entry is removed shortly after.</summary>
    public long? DeletingSinceMs { get; set; }

    public ConsumerEntry Clone() => (ConsumerEntry)MemberwiseClone();
}

/// <summary>A shard as the catalog stores it.</summary>
internal sealed class ShardEntry
{
    public int Index { get; set; }

    /// <summary>Decimal, 0 .. 2^128 - 1.</summary>
    public string StartingHashKey { get; set; } = "0";

    /// <summary>Decimal, 0 .. 2^128 - 1.</summary>
    public string EndingHashKey { get; set; } = "0";

    public int? ParentIndex { get; set; }

    public int? AdjacentParentIndex { get; set; }

    /// <summary>
    /// The first offset of this incarnation's data in the partition: 0 for a fresh topic; the high
    /// watermark at activation when the partition already held records (a topic left behind by an
    /// earlier stream of the same name), which are then never served.
    /// </summary>
    public long StartingOffset { get; set; }

    /// <summary>Exclusive end offset once the shard is closed (split or merged); null while open.</summary>
    public long? EndingOffset { get; set; }

    public long CreatedAtMs { get; set; }

    public long? ClosedAtMs { get; set; }

    public ShardEntry Clone() => (ShardEntry)MemberwiseClone();
}

/// <summary>What a catalog command does.</summary>
internal enum CatalogCommandKind
{
    /// <summary>Create or replace a stream, if its current version is <see cref="CatalogCommand.BasedOnVersion"/>.</summary>
    PutStream = 1,

    /// <summary>Remove a stream, if its current version is <see cref="CatalogCommand.BasedOnVersion"/>.</summary>
    RemoveStream = 2,

    /// <summary>Set the shared token signing key, if none is set yet.</summary>
    SetSigningKey = 3,

    // ----- Documents (Firehose delivery streams) -------------------------------------------------
    // Other resources replicate on the same log and rules: a JSON document per (collection, key),
    // written whole, versioned by the offset of the command that wrote it, compare-and-set on it.

    /// <summary>Create or replace a document, if its current version is <see cref="CatalogCommand.BasedOnVersion"/>.</summary>
    PutDocument = 20,

    /// <summary>Remove a document, if its current version is <see cref="CatalogCommand.BasedOnVersion"/>.</summary>
    RemoveDocument = 21,
}

/// <summary>
/// One record of the catalog log: a full stream record plus the version it is based on. Every replica
/// applies the log in order and accepts a command only if it is based on the stream's current version
/// (the log offset of the command that produced it, or -1 when the stream does not exist).
/// </summary>
internal sealed class CatalogCommand
{
    public CatalogCommandKind Kind { get; set; }

    public string? StreamName { get; set; }

    public long BasedOnVersion { get; set; } = -1;

    public StreamEntry? Stream { get; set; }

    /// <summary>Base64 key bytes, for <see cref="CatalogCommandKind.SetSigningKey"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Unique per proposal: lets the proposer learn its own outcome.</summary>
    public string ProposalId { get; set; } = string.Empty;

    /// <summary>The document's collection (e.g. <c>firehose</c>), for the document kinds.</summary>
    public string? Collection { get; set; }

    /// <summary>The document's key within its collection, for the document kinds.</summary>
    public string? DocumentKey { get; set; }

    /// <summary>The document (JSON text), for <see cref="CatalogCommandKind.PutDocument"/>.</summary>
    public string? Document { get; set; }
}

/// <summary>A stream and its version (the log offset of the command that wrote it).</summary>
internal sealed record CatalogStream(StreamEntry Entry, long Version);

/// <summary>System.Text.Json source generation for the catalog records (no reflection).</summary>
[JsonSourceGenerationOptions(
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CatalogCommand))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
