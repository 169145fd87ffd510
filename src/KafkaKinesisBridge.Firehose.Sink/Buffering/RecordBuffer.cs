using System.Buffers;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Firehose.Sink.Buffering;

/// <summary>
/// The records of one source partition waiting to become one object: their bytes concatenated as
/// Firehose concatenates them (nothing in between, or a newline after each with
/// AppendDelimiterToRecord), the position of the first record (which names the object) and of the
/// next one (which is committed once the object is durable), and the oldest arrival time (which the
/// prefix and the key's time are evaluated at). The memory is pooled and returned on
/// <see cref="Reset"/> and <see cref="Dispose"/>.
/// </summary>
internal sealed class RecordBuffer : IDisposable
{
    private const int InitialCapacity = 64 * 1024;

    private readonly bool _appendDelimiter;
    private readonly List<int> _recordEnds = [];
    private byte[] _bytes = [];
    private int _length;

    public RecordBuffer(int partition, bool appendDelimiter)
    {
        Partition = partition;
        _appendDelimiter = appendDelimiter;
    }

    public int Partition { get; }

    /// <summary>Offset of the first buffered record; -1 when empty.</summary>
    public long FirstOffset { get; private set; } = -1;

    /// <summary>Offset after the last buffered record: the position to commit once delivered.</summary>
    public long NextOffset { get; private set; } = -1;

    /// <summary>
    /// Arrival time (log timestamp, ms) of the record at <see cref="FirstOffset"/>: fixed by the
    /// position, so a re-delivery after a crash evaluates the same object key even when it ends the
    /// buffer elsewhere (on Kafka, timestamps of one partition need not increase).
    /// </summary>
    public long FirstArrivalMs { get; private set; }

    /// <summary>Arrival time (log timestamp, ms) of the oldest buffered record.</summary>
    public long OldestArrivalMs { get; private set; } = long.MaxValue;

    /// <summary>Arrival time (log timestamp, ms) of the newest buffered record.</summary>
    public long NewestArrivalMs { get; private set; } = long.MinValue;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the first record entered.</summary>
    public long StartedTimestamp { get; private set; }

    public int Count => _recordEnds.Count;

    public int Length => _length;

    public bool IsEmpty => _recordEnds.Count == 0;

    public ReadOnlyMemory<byte> Content => _bytes.AsMemory(0, _length);

    /// <summary>Appends one record read from the log (its value is the data blob).</summary>
    public void Append(in StoredRecord record, long nowTimestamp)
    {
        if (IsEmpty)
        {
            FirstOffset = record.Offset;
            FirstArrivalMs = record.TimestampMs;
            StartedTimestamp = nowTimestamp;
        }

        var value = record.Value.Span;
        var needed = value.Length + (_appendDelimiter ? 1 : 0);
        EnsureCapacity(needed);
        value.CopyTo(_bytes.AsSpan(_length));
        _length += value.Length;
        if (_appendDelimiter)
        {
            _bytes[_length++] = (byte)'\n';
        }

        _recordEnds.Add(_length);
        NextOffset = record.Offset + 1;
        OldestArrivalMs = Math.Min(OldestArrivalMs, record.TimestampMs);
        NewestArrivalMs = Math.Max(NewestArrivalMs, record.TimestampMs);
    }

    /// <summary>The data of record <paramref name="index"/>, without the delimiter.</summary>
    public ReadOnlySpan<byte> Record(int index)
    {
        var start = index == 0 ? 0 : _recordEnds[index - 1];
        var end = _recordEnds[index] - (_appendDelimiter ? 1 : 0);
        return _bytes.AsSpan(start, end - start);
    }

    /// <summary>Empties the buffer after delivery (or a drop on revoke) and returns its memory.</summary>
    public void Reset()
    {
        _recordEnds.Clear();
        _length = 0;
        FirstOffset = -1;
        NextOffset = -1;
        OldestArrivalMs = long.MaxValue;
        NewestArrivalMs = long.MinValue;
        ReturnBytes();
    }

    public void Dispose() => ReturnBytes();

    private void EnsureCapacity(int needed)
    {
        if (_length + needed <= _bytes.Length)
        {
            return;
        }

        var size = Math.Max(InitialCapacity, _bytes.Length);
        while (size < _length + needed)
        {
            size *= 2;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _bytes.AsSpan(0, _length).CopyTo(bigger);
        ReturnBytes();
        _bytes = bigger;
    }

    private void ReturnBytes()
    {
        if (_bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = [];
        }
    }
}
