using Confluent.Kafka;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>
/// Key and value deserializer of a read consumer: copies the bytes Confluent.Kafka hands over (a span
/// over librdkafka's message) into the arena of the read in progress, so a record costs no array.
/// </summary>
internal sealed class ArenaDeserializer : IDeserializer<ReadOnlyMemory<byte>>
{
    /// <summary>The arena of the read in progress; set around each Consume call by the consumer's only user.</summary>
    public RecordArena? Target { get; set; }

    public ReadOnlyMemory<byte> Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull || data.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        return Target is { } arena ? arena.Append(data) : data.ToArray();
    }
}
