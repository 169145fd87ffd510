using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>
/// A read consumer and where it stands: assigned (never subscribed) to one partition and positioned
/// where the last read on it stopped, so the next read there continues from prefetched data. Used by
/// one read at a time.
/// </summary>
internal sealed class PooledConsumer(IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> consumer, ArenaDeserializer deserializer) : IDisposable
{
    public IConsumer<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> Consumer { get; } = consumer;

    public ArenaDeserializer Deserializer { get; } = deserializer;

    /// <summary>The assigned partition, null when unassigned.</summary>
    public TopicPartition? Assigned { get; private set; }

    /// <summary>The offset the next consumed record should have; -1 when unassigned.</summary>
    public long Position { get; set; } = -1;

    /// <summary>
    /// A record consumed but not returned because it did not fit the last read's byte limit; it is the
    /// first record of the next read at its offset.
    /// </summary>
    public StashedRecord? Stash { get; set; }

    /// <summary>When the consumer was last released (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastUsed { get; set; }

    /// <summary>The consumer failed in a way that makes it unfit for reuse; the pool closes it.</summary>
    public bool Broken { get; set; }

    public bool IsAt(string topic, int partition) =>
        Assigned is { } assigned && assigned.Partition.Value == partition && string.Equals(assigned.Topic, topic, StringComparison.Ordinal);

    /// <summary>True when a read at <paramref name="offset"/> continues without moving the consumer.</summary>
    public bool IsPositionedAt(string topic, int partition, long offset) =>
        IsAt(topic, partition) && (Position == offset || Stash?.Offset == offset);

    /// <summary>Positions the consumer for a read at <paramref name="offset"/>, moving it only if needed.</summary>
    public PositionChange MoveTo(string topic, int partition, long offset)
    {
        if (Assigned is { } assigned && IsAt(topic, partition) && Position >= 0)
        {
            if (Stash is { } stash && stash.Offset == offset)
            {
                return PositionChange.None;
            }

            Stash = null;
            if (Position == offset)
            {
                return PositionChange.None;
            }

            try
            {
                // Seek discards what was prefetched from the old position (librdkafka versions its
                // fetch operations) and fetches from the new one once the fetch in flight returns.
                Consumer.Seek(new TopicPartitionOffset(assigned, new Offset(offset)));
                Position = offset;
                return PositionChange.Seek;
            }
            catch (KafkaException)
            {
                // The partition is in a state that refuses seeks (for example after an error): reassign.
            }
        }

        Stash = null;
        var target = new TopicPartition(topic, new Partition(partition));
        Consumer.Assign(new TopicPartitionOffset(target, new Offset(offset)));
        Assigned = target;
        Position = offset;
        return PositionChange.Assign;
    }

    /// <summary>Stops fetching; the consumer stays open for another partition.</summary>
    public void Unassign()
    {
        Stash = null;
        Assigned = null;
        Position = -1;
        try
        {
            Consumer.Unassign();
        }
        catch (KafkaException)
        {
            Broken = true;
        }
    }

    public void Dispose()
    {
        try
        {
            Consumer.Close();
        }
        catch (KafkaException)
        {
            // Closing an assigned consumer that is not a group member only stops its fetchers.
        }
        catch (ObjectDisposedException)
        {
        }

        Consumer.Dispose();
    }
}

/// <summary>What a read had to do to position its consumer.</summary>
internal enum PositionChange
{
    /// <summary>The consumer was where the read starts: prefetched data serves it.</summary>
    None,

    /// <summary>Same partition, other offset.</summary>
    Seek,

    /// <summary>Another partition (or a new consumer).</summary>
    Assign,
}

/// <summary>A record held back by a read's byte limit, with its own copy of the bytes.</summary>
internal sealed record StashedRecord(long Offset, long TimestampMs, byte[] Key, byte[] Value, LogHeader[]? Headers)
{
    public int Size => Key.Length + Value.Length + LogRecordSize.HeadersSize(Headers);
}
