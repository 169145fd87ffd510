using System.Buffers.Binary;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// One sparse index entry: the record at <see cref="RelativeOffset"/> (from the segment base offset)
/// starts at byte <see cref="Position"/> of the segment, and every record before it in the segment
/// has a timestamp at most <see cref="MaxTimestampBefore"/>. Stored as 16 bytes, little-endian:
/// uint32 relative offset, uint32 position, int64 max timestamp before.
/// </summary>
/// <remarks>
/// One entry serves both lookups Kafka keeps in two files (.index and .timeindex): offsets are
/// increasing, and the running maximum of timestamps is non-decreasing even when record timestamps
/// are not, so both columns can be binary searched.
/// </remarks>
internal readonly record struct IndexEntry(uint RelativeOffset, uint Position, long MaxTimestampBefore)
{
    public const int Size = 16;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, RelativeOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Position);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], MaxTimestampBefore);
    }

    public static IndexEntry Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
        BinaryPrimitives.ReadInt64LittleEndian(source[8..]));
}

/// <summary>
/// The in-memory form of a segment's sparse index. One writer appends (the partition's append path);
/// any number of readers search concurrently without locks: entries below <see cref="Count"/> never
/// change, and a grown array is published before the count that needs it.
/// </summary>
internal sealed class SegmentIndex
{
    private IndexEntry[] _entries;
    private int _count;

    public SegmentIndex(int capacity = 16)
    {
        _entries = new IndexEntry[Math.Max(capacity, 1)];
    }

    private SegmentIndex(IndexEntry[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Approximate heap bytes held, for the index cache budget.</summary>
    public long MemoryBytes => (long)Volatile.Read(ref _entries).Length * IndexEntry.Size;

    public IndexEntry this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return Volatile.Read(ref _entries)[index];
        }
    }

    /// <summary>The last entry, or null when empty.</summary>
    public IndexEntry? Last
    {
        get
        {
            var count = Count;
            return count == 0 ? null : Volatile.Read(ref _entries)[count - 1];
        }
    }

    /// <summary>Appends an entry. Single writer only.</summary>
    public void Append(IndexEntry entry)
    {
        var count = _count;
        var entries = _entries;
        if (count == entries.Length)
        {
            var grown = new IndexEntry[entries.Length * 2];
            Array.Copy(entries, grown, count);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[count] = entry;
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>Drops entries from <paramref name="count"/> on. Single writer only, before readers exist.</summary>
    public void Truncate(int count) => _count = Math.Min(_count, count);

    /// <summary>A copy sized to the entries, for a sealed segment.</summary>
    public SegmentIndex Trimmed()
    {
        var count = Count;
        var entries = new IndexEntry[Math.Max(count, 1)];
        Array.Copy(Volatile.Read(ref _entries), entries, count);
        return new SegmentIndex(entries, count);
    }

    /// <summary>
    /// Where to start scanning for <paramref name="relativeOffset"/>: the last entry at or before it,
    /// or the segment start.
    /// </summary>
    public (uint RelativeOffset, uint Position) FindForOffset(long relativeOffset)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (entries[mid].RelativeOffset <= relativeOffset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? (0u, 0u) : (entries[found].RelativeOffset, entries[found].Position);
    }

    /// <summary>
    /// Where to start scanning for the first record with a timestamp at or after
    /// <paramref name="timestampMs"/>: the last entry every record before which is older, or the
    /// segment start.
    /// </summary>
    public (uint RelativeOffset, uint Position) FindForTimestamp(long timestampMs)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        int low = 0, high = count - 1, found = -1;
        while (low <= high)
        {
            var mid = (int)((uint)(low + high) >> 1);
            if (entries[mid].MaxTimestampBefore < timestampMs)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? (0u, 0u) : (entries[found].RelativeOffset, entries[found].Position);
    }

    /// <summary>
    /// Parses an index file's bytes. Returns false when the entries are not a valid index (offsets or
    /// positions not increasing, timestamps decreasing); a trailing partial entry is ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out SegmentIndex index)
    {
        var count = bytes.Length / IndexEntry.Size;
        var entries = new IndexEntry[Math.Max(count, 1)];
        for (var i = 0; i < count; i++)
        {
            var entry = IndexEntry.Read(bytes[(i * IndexEntry.Size)..]);
            if (i > 0)
            {
                var previous = entries[i - 1];
                if (entry.RelativeOffset <= previous.RelativeOffset ||
                    entry.Position <= previous.Position ||
                    entry.MaxTimestampBefore < previous.MaxTimestampBefore)
                {
                    index = new SegmentIndex();
                    return false;
                }
            }

            entries[i] = entry;
        }

        index = new SegmentIndex(entries, count);
        return true;
    }

    /// <summary>Serializes entries [<paramref name="from"/>, Count) into a new array.</summary>
    public byte[] ToBytes(int from = 0)
    {
        var count = Count;
        var entries = Volatile.Read(ref _entries);
        var bytes = new byte[(count - from) * IndexEntry.Size];
        for (var i = from; i < count; i++)
        {
            entries[i].Write(bytes.AsSpan((i - from) * IndexEntry.Size));
        }

        return bytes;
    }
}
