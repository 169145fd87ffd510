namespace KafkaKinesisBridge.Core.Api;

/// <summary>Stream status (Kinesis <c>StreamStatus</c>).</summary>
public enum StreamStatus
{
    /// <summary>Being created: not yet readable or writable.</summary>
    Creating = 1,

    /// <summary>Being deleted.</summary>
    Deleting = 2,

    /// <summary>Ready for reads and writes.</summary>
    Active = 3,

    /// <summary>Being resharded; still readable and writable.</summary>
    Updating = 4,
}

/// <summary>Capacity mode (Kinesis <c>StreamMode</c>).</summary>
public enum StreamMode
{
    /// <summary>Shard count set by the user.</summary>
    Provisioned = 1,

    /// <summary>Shard count managed by the service.</summary>
    OnDemand = 2,
}

/// <summary>Where a shard iterator starts (Kinesis <c>ShardIteratorType</c>).</summary>
public enum ShardIteratorType
{
    /// <summary>At the record with <c>StartingSequenceNumber</c>.</summary>
    AtSequenceNumber = 1,

    /// <summary>Just after the record with <c>StartingSequenceNumber</c>.</summary>
    AfterSequenceNumber = 2,

    /// <summary>At the oldest record still stored.</summary>
    TrimHorizon = 3,

    /// <summary>After the most recent record, so only new records are read.</summary>
    Latest = 4,

    /// <summary>At the first record written at or after <c>Timestamp</c>.</summary>
    AtTimestamp = 5,
}

/// <summary>Which shards ListShards returns (Kinesis <c>ShardFilterType</c>).</summary>
public enum ShardFilterType
{
    /// <summary>Shards after <c>ShardFilter.ShardId</c>.</summary>
    AfterShardId = 1,

    /// <summary>Shards open at the trim horizon.</summary>
    AtTrimHorizon = 2,

    /// <summary>Shards within the retention period (the default).</summary>
    FromTrimHorizon = 3,

    /// <summary>Open shards only.</summary>
    AtLatest = 4,

    /// <summary>Shards open at <c>ShardFilter.Timestamp</c>.</summary>
    AtTimestamp = 5,

    /// <summary>Shards open at or after <c>ShardFilter.Timestamp</c>.</summary>
    FromTimestamp = 6,
}

/// <summary>Server-side encryption (Kinesis <c>EncryptionType</c>). The gateway never encrypts.</summary>
public enum EncryptionType
{
    /// <summary>No encryption.</summary>
    None = 0,

    /// <summary>KMS encryption (never reported by this gateway).</summary>
    Kms = 1,
}

/// <summary>
/// The Kinesis wire names of the enums ("ACTIVE", "AT_TIMESTAMP", ...) for front doors that carry
/// them as strings (AWS JSON / CBOR). The Parse methods throw the ValidationException Kinesis gives
/// for an unknown value, so every front door reports it the same way.
/// </summary>
public static class KinesisEnums
{
    /// <summary>The wire name of a stream status.</summary>
    public static string ToWireName(this StreamStatus value) => value switch
    {
        StreamStatus.Creating => "CREATING",
        StreamStatus.Deleting => "DELETING",
        StreamStatus.Active => "ACTIVE",
        StreamStatus.Updating => "UPDATING",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a stream mode.</summary>
    public static string ToWireName(this StreamMode value) => value switch
    {
        StreamMode.Provisioned => "PROVISIONED",
        StreamMode.OnDemand => "ON_DEMAND",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of an encryption type.</summary>
    public static string ToWireName(this EncryptionType value) => value switch
    {
        EncryptionType.None => "NONE",
        EncryptionType.Kms => "KMS",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a shard iterator type.</summary>
    public static string ToWireName(this ShardIteratorType value) => value switch
    {
        ShardIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        ShardIteratorType.AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        ShardIteratorType.TrimHorizon => "TRIM_HORIZON",
        ShardIteratorType.Latest => "LATEST",
        ShardIteratorType.AtTimestamp => "AT_TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a shard filter type.</summary>
    public static string ToWireName(this ShardFilterType value) => value switch
    {
        ShardFilterType.AfterShardId => "AFTER_SHARD_ID",
        ShardFilterType.AtTrimHorizon => "AT_TRIM_HORIZON",
        ShardFilterType.FromTrimHorizon => "FROM_TRIM_HORIZON",
        ShardFilterType.AtLatest => "AT_LATEST",
        ShardFilterType.AtTimestamp => "AT_TIMESTAMP",
        ShardFilterType.FromTimestamp => "FROM_TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>
    /// Parses a ShardIteratorType wire name; null stays null (the core reports the missing member).
    /// </summary>
    /// <exception cref="KinesisException">ValidationException for an unknown value.</exception>
    public static ShardIteratorType? ParseShardIteratorType(string? value) => value switch
    {
        null => null,
        "AT_SEQUENCE_NUMBER" => ShardIteratorType.AtSequenceNumber,
        "AFTER_SEQUENCE_NUMBER" => ShardIteratorType.AfterSequenceNumber,
        "TRIM_HORIZON" => ShardIteratorType.TrimHorizon,
        "LATEST" => ShardIteratorType.Latest,
        "AT_TIMESTAMP" => ShardIteratorType.AtTimestamp,
        _ => throw EnumValidation(value, "shardIteratorType", "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"),
    };

    /// <summary>Parses a StreamMode wire name; null stays null.</summary>
    /// <param name="value">The wire value.</param>
    /// <param name="memberPath">Where it was, for the message: <c>streamModeDetails.streamMode</c> by default.</param>
    /// <exception cref="KinesisException">ValidationException for an unknown value.</exception>
    public static StreamMode? ParseStreamMode(string? value, string memberPath = "streamModeDetails.streamMode") => value switch
    {
        null => null,
        "PROVISIONED" => StreamMode.Provisioned,
        "ON_DEMAND" => StreamMode.OnDemand,
        _ => throw EnumValidation(value, memberPath, "[PROVISIONED, ON_DEMAND]"),
    };

    /// <summary>Parses a ShardFilterType wire name; null stays null.</summary>
    /// <exception cref="KinesisException">ValidationException for an unknown value.</exception>
    public static ShardFilterType? ParseShardFilterType(string? value) => value switch
    {
        null => null,
        "AFTER_SHARD_ID" => ShardFilterType.AfterShardId,
        "AT_TRIM_HORIZON" => ShardFilterType.AtTrimHorizon,
        "FROM_TRIM_HORIZON" => ShardFilterType.FromTrimHorizon,
        "AT_LATEST" => ShardFilterType.AtLatest,
        "AT_TIMESTAMP" => ShardFilterType.AtTimestamp,
        "FROM_TIMESTAMP" => ShardFilterType.FromTimestamp,
        _ => throw EnumValidation(value, "shardFilter.type", "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"),
    };

    private static KinesisException EnumValidation(string value, string member, string set) =>
        KinesisException.ValidationFailed($"'{value}'", member, "Member must satisfy enum value set: " + set);
}
