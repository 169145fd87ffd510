using System.Buffers;
using System.IO.Pipelines;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// A response body under construction: pooled segments that grow without copying what was
/// already written (a GetRecords response can reach tens of megabytes), then written out in order.
/// </summary>
internal sealed class PooledSegmentWriter : IBufferWriter<byte>, IDisposable
{
    private const int FirstSegmentSize = 4 * 1024;
    private const int MaxSegmentSize = 1024 * 1024;

    private readonly List<(byte[] Array, int Length)> _done = [];
    private byte[] _current = [];
    private int _written;
    private int _nextSize = FirstSegmentSize;

    /// <summary>Total bytes written.</summary>
    public long Length { get; private set; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _current.Length)
        {
            throw new InvalidOperationException("Advanced past the buffer returned by GetMemory/GetSpan.");
        }

        _written += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _current.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _current.AsSpan(_written);
    }

    /// <summary>Writes everything, in order, to <paramref name="output"/> (flushing per segment for backpressure).</summary>
    public async ValueTask WriteToAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        foreach (var (array, length) in _done)
        {
            await output.WriteAsync(array.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }

        if (_written > 0)
        {
            await output.WriteAsync(_current.AsMemory(0, _written), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Everything written, as one array (tests and small bodies).</summary>
    public byte[] ToArray()
    {
        var result = new byte[Length];
        var at = 0;
        foreach (var (array, length) in _done)
        {
            array.AsSpan(0, length).CopyTo(result.AsSpan(at));
            at += length;
        }

        _current.AsSpan(0, _written).CopyTo(result.AsSpan(at));
        return result;
    }

    public void Dispose()
    {
        foreach (var (array, _) in _done)
        {
            ArrayPool<byte>.Shared.Return(array);
        }

        _done.Clear();
        if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }

        _current = [];
        _written = 0;
        Length = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_current.Length - _written >= needed)
        {
            return;
        }

        if (_written > 0)
        {
            _done.Add((_current, _written));
        }
        else if (_current.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_current);
        }

        _current = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _nextSize));
        _written = 0;
        _nextSize = Math.Min(_nextSize * 2, MaxSegmentSize);
    }
}
