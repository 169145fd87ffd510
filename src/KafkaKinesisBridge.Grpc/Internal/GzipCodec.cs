using System.Buffers;
using System.IO.Compression;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>Outcome of decompressing one message.</summary>
internal enum DecompressResult
{
    Ok,
    TooLarge,
    Invalid,
}

/// <summary>
/// gzip for message payloads. gRPC PROTOCOL-HTTP2: "Compression contexts are NOT maintained over
/// message boundaries", so every message is one complete gzip member.
/// </summary>
internal static class GzipCodec
{
    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/>.</summary>
    public static void Compress(ReadOnlySpan<byte> input, IBufferWriter<byte> output, CompressionLevel level)
    {
        using var sink = new BufferWriterStream(output);
        using (var gzip = new GZipStream(sink, level, leaveOpen: true))
        {
            gzip.Write(input);
        }
    }

    /// <summary>
    /// Decompresses one message into <paramref name="output"/>, stopping as soon as the result
    /// would exceed <paramref name="maxSize"/> bytes (a small compressed message may expand a lot).
    /// </summary>
    public static DecompressResult Decompress(in ReadOnlySequence<byte> input, int maxSize, PooledBufferWriter output)
    {
        try
        {
            using var source = new ReadOnlySequenceStream(input);
            using var gzip = new GZipStream(source, CompressionMode.Decompress);
            while (true)
            {
                var span = output.GetSpan(Math.Min(16 * 1024, maxSize - output.WrittenCount + 1));
                var read = gzip.Read(span);
                if (read == 0)
                {
                    return DecompressResult.Ok;
                }

                output.Advance(read);
                if (output.WrittenCount > maxSize)
                {
                    return DecompressResult.TooLarge;
                }
            }
        }
        catch (InvalidDataException)
        {
            return DecompressResult.Invalid;
        }
    }

    /// <summary>A write-only stream that appends to an <see cref="IBufferWriter{T}"/>.</summary>
    private sealed class BufferWriterStream(IBufferWriter<byte> writer) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var span = writer.GetSpan(buffer.Length);
                var n = Math.Min(span.Length, buffer.Length);
                buffer[..n].CopyTo(span);
                writer.Advance(n);
                buffer = buffer[n..];
            }
        }
    }
}

/// <summary>A read-only stream over a <see cref="ReadOnlySequence{T}"/>, for decompression.</summary>
internal sealed class ReadOnlySequenceStream(ReadOnlySequence<byte> sequence) : Stream
{
    private ReadOnlySequence<byte> _remaining = sequence;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = (int)Math.Min(buffer.Length, _remaining.Length);
        _remaining.Slice(0, n).CopyTo(buffer);
        _remaining = _remaining.Slice(n);
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
