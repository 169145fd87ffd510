using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>What <see cref="RecordScanner.Next"/> found.</summary>
internal enum ScanStatus
{
    /// <summary>A valid record; see <see cref="RecordScanner.Current"/>.</summary>
    Record,

    /// <summary>The scan reached its end exactly at a record boundary.</summary>
    End,

    /// <summary>The data ends inside a record: a torn write.</summary>
    Incomplete,

    /// <summary>The bytes at the position are not a valid record.</summary>
    Corrupt,
}

/// <summary>
/// Reads records one after another from a region of a segment file through positional reads into a
/// pooled buffer. Used where records are visited rather than returned: recovery, index rebuilds and
/// timestamp lookups. The buffer grows to hold a record larger than it.
/// </summary>
internal sealed class RecordScanner : IDisposable
{
    private const int DefaultBufferSize = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly long _end;
    private readonly bool _verifyChecksums;
    private byte[] _buffer;
    private long _bufferFilePosition;
    private int _bufferLength;
    private int _currentStart;

    /// <param name="handle">The segment file.</param>
    /// <param name="start">File position of the first record to visit.</param>
    /// <param name="end">File position where the scan stops (the file length, or the published length).</param>
    /// <param name="verifyChecksums">Whether to check each record's CRC32C.</param>
    /// <param name="bufferSize">Initial read size.</param>
    public RecordScanner(SafeFileHandle handle, long start, long end, bool verifyChecksums, int bufferSize = DefaultBufferSize)
    {
        _handle = handle;
        _end = end;
        _verifyChecksums = verifyChecksums;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        Position = start;
        _bufferFilePosition = start;
    }

    /// <summary>File position of the next record (after <see cref="Next"/> returned a record: just past it).</summary>
    public long Position { get; private set; }

    /// <summary>File position of the current record.</summary>
    public long CurrentPosition { get; private set; }

    /// <summary>The current record (valid after <see cref="Next"/> returned <see cref="ScanStatus.Record"/>).</summary>
    public RecordInfo Current { get; private set; }

    /// <summary>Bytes of the current record, until the next call to <see cref="Next"/>.</summary>
    public ReadOnlySpan<byte> CurrentBytes => _buffer.AsSpan(_currentStart, Current.TotalLength);

    /// <summary>Moves to the next record.</summary>
    public ScanStatus Next()
    {
        if (Position >= _end)
        {
            return ScanStatus.End;
        }

        if (_end - Position < RecordFormat.LengthSize || !EnsureBuffered(RecordFormat.LengthSize))
        {
            return ScanStatus.Incomplete;
        }

        var start = (int)(Position - _bufferFilePosition);
        if (RecordFormat.TryReadTotalLength(_buffer.AsSpan(start, _bufferLength - start), out var total) != DecodeStatus.Ok)
        {
            return ScanStatus.Corrupt;
        }

        if (_end - Position < total || !EnsureBuffered(total))
        {
            return ScanStatus.Incomplete;
        }

        start = (int)(Position - _bufferFilePosition);
        if (RecordFormat.TryDecode(_buffer.AsSpan(start, total), _verifyChecksums, out var info) != DecodeStatus.Ok)
        {
            return ScanStatus.Corrupt;
        }

        Current = info;
        CurrentPosition = Position;
        _currentStart = start;
        Position += total;
        return ScanStatus.Record;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Makes [Position, Position + count) available in the buffer; false if the file ends first.</summary>
    private bool EnsureBuffered(int count)
    {
        if (Position >= _bufferFilePosition && Position + count <= _bufferFilePosition + _bufferLength)
        {
            return true;
        }

        if (count > _buffer.Length)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(count);
        }

        var want = (int)Math.Min(_buffer.Length, _end - Position);
        _bufferFilePosition = Position;
        _bufferLength = FileIo.ReadAtLeast(_handle, _buffer.AsSpan(0, want), Position, want);
        return _bufferLength >= count;
    }
}

/// <summary>Positional I/O helpers.</summary>
internal static class FileIo
{
    /// <summary>
    /// Reads into <paramref name="buffer"/> at <paramref name="fileOffset"/> until at least
    /// <paramref name="minimum"/> bytes arrived or the file ended; returns the bytes read.
    /// </summary>
    public static int ReadAtLeast(SafeFileHandle handle, Span<byte> buffer, long fileOffset, int minimum)
    {
        var total = 0;
        while (total < minimum)
        {
            var read = RandomAccess.Read(handle, buffer[total..], fileOffset + total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
