using System.Buffers;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Wire;

/// <summary>Byte-level helpers: raw protobuf fields and buffers that split data awkwardly.</summary>
internal static class WireTestKit
{
    public static byte[] Varint(ulong value)
    {
        var buffer = new byte[10];
        return buffer[..ProtoWire.WriteVarint(buffer, value)];
    }

    public static byte[] Field(int field, int wireType, params byte[][] parts)
    {
        var body = parts.SelectMany(p => p).ToArray();
        var tag = Varint((ulong)((field << 3) | wireType));
        return wireType == ProtoWire.LengthDelimited ? [.. tag, .. Varint((ulong)body.Length), .. body] : [.. tag, .. body];
    }

    /// <summary>One unknown field of every wire type, including a group with a field inside.</summary>
    public static byte[] UnknownFields(int firstField) =>
    [
        .. Field(firstField, ProtoWire.Varint, Varint(300)),
        .. Field(firstField + 1, ProtoWire.Fixed64, new byte[8]),
        .. Field(firstField + 2, ProtoWire.LengthDelimited, "junk"u8.ToArray()),
        .. Field(firstField + 3, ProtoWire.Fixed32, new byte[4]),
        .. Varint((ulong)(((firstField + 4) << 3) | ProtoWire.StartGroup)),
        .. Field(1, ProtoWire.Varint, Varint(1)),
        .. Varint((ulong)(((firstField + 4) << 3) | ProtoWire.EndGroup)),
    ];

    /// <summary>A sequence of several segments of at most <paramref name="segmentSize"/> bytes.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        if (bytes.Length <= segmentSize)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var chunk = bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset));
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out spans of exactly the size asked (at least 1), so
/// every write crosses span boundaries where it can; it checks nothing is written past a span.
/// </summary>
internal sealed class TightBufferWriter : IBufferWriter<byte>
{
    private readonly List<byte> _written = [];
    private byte[] _current = [];

    public int Spans { get; private set; }

    public byte[] WrittenBytes => [.. _written];

    public void Advance(int count)
    {
        if (count > _current.Length)
        {
            throw new InvalidOperationException($"Advanced {count} past a span of {_current.Length}.");
        }

        _written.AddRange(_current.AsSpan(0, count));
        _current = [];
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Spans++;
        _current = new byte[Math.Max(sizeHint, 1)];
        return _current;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
