using System.Buffers;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>
/// Pooled memory the keys and values of one read are copied into, straight from librdkafka's buffers
/// by <see cref="ArenaDeserializer"/>: one copy, no array per record. Segments come from
/// <see cref="ArrayPool{T}.Shared"/> and go back when the read result is disposed.
/// </summary>
internal sealed class RecordArena
{
    private const int MinSegmentSize = 4 * 1024;
    private const int MaxSegmentSize = 1024 * 1024;

    private readonly List<byte[]> _segments = [];
    private byte[]? _current;
    private int _used;
    private int _nextSegmentSize;

    /// <param name="sizeHint">Bytes the read expects at most (its MaxBytes).</param>
    public RecordArena(int sizeHint)
    {
        _nextSegmentSize = Math.Clamp(sizeHint, MinSegmentSize, MaxSegmentSize);
    }

    /// <summary>Copies <paramref name="data"/> in and returns where it now lives.</summary>
    public ReadOnlyMemory<byte> Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_current is null || _current.Length - _used < data.Length)
        {
            _current = ArrayPool<byte>.Shared.Rent(Math.Max(data.Length, _nextSegmentSize));
            _segments.Add(_current);
            _used = 0;
            _nextSegmentSize = Math.Min(_nextSegmentSize * 2, MaxSegmentSize);
        }

        data.CopyTo(_current.AsSpan(_used));
        var memory = new ReadOnlyMemory<byte>(_current, _used, data.Length);
        _used += data.Length;
        return memory;
    }

    /// <summary>The current end, to roll back to with <see cref="Rewind"/>.</summary>
    public Mark GetMark() => new(_segments.Count, _used);

    /// <summary>Forgets everything appended since <paramref name="mark"/>.</summary>
    public void Rewind(Mark mark)
    {
        while (_segments.Count > mark.Segments)
        {
            ArrayPool<byte>.Shared.Return(_segments[^1]);
            _segments.RemoveAt(_segments.Count - 1);
        }

        _current = _segments.Count > 0 ? _segments[^1] : null;
        _used = mark.Used;
    }

    /// <summary>Returns every segment to the pool; memory handed out before must not be used any more.</summary>
    public void Release()
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        _current = null;
        _used = 0;
    }

    public readonly record struct Mark(int Segments, int Used);
}
