using System.Globalization;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// Reading and writing the members several operations share, in the shapes of the Kinesis service
/// model (kinesis 2013-12-02: botocore service-2.json, AWS SDK for JavaScript v3 3.1143 schemas).
/// </summary>
/// <remarks>
/// Readers return null for an absent or null member and leave every Kinesis rule (required members,
/// lengths, ranges) to the core, so the front doors report them identically. A member of the wrong
/// JSON/CBOR type is a <see cref="KinesisSerializationException"/> (SerializationException), as for
/// Kinesis, whose deserializer rejects the body before validation.
/// </remarks>
internal static class WireMembers
{
    // DateTimeOffset's range in Unix milliseconds (0001-01-01 .. 9999-12-31).
    private const long MinUnixMilliseconds = -62_135_596_800_000L;
    private const long MaxUnixMilliseconds = 253_402_300_799_999L;

    /// <summary>A timestamp member (epoch seconds in JSON, tag 1 epoch millis in CBOR).</summary>
    public static DateTimeOffset? ReadTimestamp(ref KinesisDocumentReader reader)
    {
        if (reader.ReadTimestamp() is not { } ms)
        {
            return null;
        }

        if (ms is < MinUnixMilliseconds or > MaxUnixMilliseconds)
        {
            KinesisSerializationException.Throw("The timestamp is out of range.");
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    // Kinesis limits (API reference): TagMap 1..200 entries (CreateStream, AddTagsToStream,
    // TagResource), TagKeyList 1..50 keys (RemoveTagsFromStream, UntagResource). Enforced while
    // reading so a body of many tiny tags cannot cost more than a valid request.
    private const int MaxTagMapEntries = 200;
    private const int MaxTagKeys = 50;

    /// <summary>A <c>TagMap</c> member: a map of tag keys to values (a null value reads as empty).</summary>
    /// <exception cref="KinesisException">More than 200 entries (ValidationException).</exception>
    public static Dictionary<string, string>? ReadTagMap(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartNestedObject())
        {
            return null;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.ReadProperty())
        {
            if (tags.Count == MaxTagMapEntries)
            {
                ThrowTooMany("tags", MaxTagMapEntries);
            }

            var key = reader.GetString();
            tags[key] = reader.ReadString() ?? string.Empty;
        }

        return tags;
    }

    /// <summary>A list of strings (<c>TagKeyList</c>); null elements are skipped.</summary>
    /// <exception cref="KinesisException">More than 50 elements (ValidationException).</exception>
    public static List<string>? ReadStringList(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartArray())
        {
            return null;
        }

        var values = new List<string>();
        while (reader.ReadArrayElement())
        {
            if (reader.TokenType != KinesisTokenType.Null)
            {
                if (values.Count == MaxTagKeys)
                {
                    ThrowTooMany("tagKeys", MaxTagKeys);
                }

                values.Add(reader.GetString());
            }
        }

        return values;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowTooMany(string member, int max) => throw new KinesisException(
        KinesisErrorCode.Validation,
        string.Create(CultureInfo.InvariantCulture, $"1 validation error detected: Value '[more than {max} items]' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"));

    /// <summary>
    /// A <c>StreamModeDetails</c> member. Its <c>StreamMode</c> is required by the service model, so a
    /// structure without it is the ValidationException Kinesis gives.
    /// </summary>
    public static StreamModeDetails? ReadStreamModeDetails(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartNestedObject())
        {
            return null;
        }

        string? mode = null;
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamMode"u8))
            {
                mode = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        var parsed = KinesisEnums.ParseStreamMode(mode)
            ?? throw KinesisException.ValidationFailed("null", "streamModeDetails.streamMode", "Member must not be null");
        return new StreamModeDetails(parsed);
    }

    /// <summary>A <c>ShardFilter</c> member (ListShards).</summary>
    public static ShardFilter? ReadShardFilter(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartNestedObject())
        {
            return null;
        }

        string? type = null;
        string? shardId = null;
        DateTimeOffset? timestamp = null;
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("Type"u8))
            {
                type = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardId"u8))
            {
                shardId = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Timestamp"u8))
            {
                timestamp = ReadTimestamp(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        return new ShardFilter { Type = KinesisEnums.ParseShardFilterType(type), ShardId = shardId, Timestamp = timestamp };
    }

    /// <summary>Reads an operation whose input has no members (DescribeLimits): the body must still be one object.</summary>
    public static void ReadEmptyInput(ref KinesisDocumentReader reader)
    {
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            reader.SkipValue();
        }

        reader.ReadEndOfDocument();
    }

    /// <summary>A timestamp member from a <see cref="DateTimeOffset"/>.</summary>
    public static void WriteTimestamp(KinesisDocumentWriter writer, ReadOnlySpan<byte> name, DateTimeOffset value) =>
        writer.WriteTimestamp(name, value.ToUnixTimeMilliseconds());

    /// <summary>A <c>StreamModeDetails</c> member.</summary>
    public static void WriteStreamModeDetails(KinesisDocumentWriter writer, StreamModeDetails details)
    {
        writer.WritePropertyName("StreamModeDetails"u8);
        writer.WriteStartObject();
        writer.WriteString("StreamMode"u8, details.StreamMode.ToWireName());
        writer.WriteEndObject();
    }

    /// <summary>An <c>EnhancedMonitoring</c> member: Kinesis reports <c>[{"ShardLevelMetrics": []}]</c> when disabled.</summary>
    public static void WriteEnhancedMonitoring(KinesisDocumentWriter writer, IReadOnlyList<EnhancedMetrics> monitoring)
    {
        writer.WritePropertyName("EnhancedMonitoring"u8);
        writer.WriteStartArray();
        foreach (var metrics in monitoring)
        {
            writer.WriteStartObject();
            writer.WritePropertyName("ShardLevelMetrics"u8);
            writer.WriteStartArray();
            foreach (var name in metrics.ShardLevelMetrics)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>A <c>HashKeyRange</c> member: decimal strings.</summary>
    public static void WriteHashKeyRange(KinesisDocumentWriter writer, HashKeyRange range)
    {
        Span<byte> digits = stackalloc byte[40];
        writer.WritePropertyName("HashKeyRange"u8);
        writer.WriteStartObject();
        range.StartingHashKey.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteString("StartingHashKey"u8, digits[..written]);
        range.EndingHashKey.TryFormat(digits, out written, default, CultureInfo.InvariantCulture);
        writer.WriteString("EndingHashKey"u8, digits[..written]);
        writer.WriteEndObject();
    }

    /// <summary>A sequence number member (30 ASCII digits, no allocation).</summary>
    public static void WriteSequenceNumber(KinesisDocumentWriter writer, ReadOnlySpan<byte> name, SequenceNumber value)
    {
        Span<byte> digits = stackalloc byte[SequenceNumber.Length];
        value.TryFormat(digits, out var written);
        writer.WriteString(name, digits[..written]);
    }

    /// <summary>
    /// A <c>Shard</c> (API reference, Shard): ShardId, ParentShardId and AdjacentParentShardId when
    /// present, HashKeyRange, SequenceNumberRange with EndingSequenceNumber only once the shard is closed.
    /// </summary>
    public static void WriteShard(KinesisDocumentWriter writer, Shard shard)
    {
        writer.WriteStartObject();
        writer.WriteString("ShardId"u8, shard.ShardId);
        if (shard.ParentShardId is { } parent)
        {
            writer.WriteString("ParentShardId"u8, parent);
        }

        if (shard.AdjacentParentShardId is { } adjacent)
        {
            writer.WriteString("AdjacentParentShardId"u8, adjacent);
        }

        WriteHashKeyRange(writer, shard.HashKeyRange);
        writer.WritePropertyName("SequenceNumberRange"u8);
        writer.WriteStartObject();
        WriteSequenceNumber(writer, "StartingSequenceNumber"u8, shard.SequenceNumberRange.StartingSequenceNumber);
        if (shard.SequenceNumberRange.EndingSequenceNumber is { } ending)
        {
            WriteSequenceNumber(writer, "EndingSequenceNumber"u8, ending);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A list of shards under <paramref name="name"/>.</summary>
    public static void WriteShards(KinesisDocumentWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<Shard> shards)
    {
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        for (var i = 0; i < shards.Count; i++)
        {
            WriteShard(writer, shards[i]);
        }

        writer.WriteEndArray();
    }

    /// <summary>A <c>TagList</c> member: <c>[{"Key", "Value"?}]</c>.</summary>
    public static void WriteTagList(KinesisDocumentWriter writer, IReadOnlyList<Tag> tags)
    {
        writer.WritePropertyName("Tags"u8);
        writer.WriteStartArray();
        foreach (var tag in tags)
        {
            writer.WriteStartObject();
            writer.WriteString("Key"u8, tag.Key);
            if (tag.Value is { } value)
            {
                writer.WriteString("Value"u8, value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
