using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace KafkaKinesisBridge.Api.Grpc.Internal.Wire;

/// <summary>
/// The protobuf wire format (protobuf.dev/programming-guides/encoding) for the hand-written
/// marshallers of the hot methods: tags, varints and length-delimited fields. The
/// one-byte tag helpers take field numbers below 16.
/// </summary>
internal static class ProtoWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>The one-byte tag of a field below 16.</summary>
    public static byte Tag(int field, int wireType)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)field - 1, 14u, nameof(field));
        return (byte)((field << 3) | wireType);
    }

    /// <summary>Bytes of <paramref name="value"/> as a varint (1 to 10).</summary>
    public static int VarintSize(ulong value) => ((BitOperations.Log2(value | 1) * 9) + 73) / 64;

    /// <summary>Bytes of a length-delimited field of <paramref name="length"/> bytes with a one-byte tag.</summary>
    public static int LengthDelimitedSize(int length) => 1 + VarintSize((uint)length) + length;

    /// <summary>Bytes of a proto3 string field holding <paramref name="value"/>; 0 when it is empty (not written).</summary>
    public static int StringFieldSize(string? value) =>
        string.IsNullOrEmpty(value) ? 0 : LengthDelimitedSize(Encoding.UTF8.GetByteCount(value));

    /// <summary>Writes a varint into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>UTF-8 that throws on invalid bytes instead of replacing them with U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [DoesNotReturn]
    public static void ThrowMalformed(string what) => throw new InvalidDataException($"Malformed protobuf message: {what}.");
}

/// <summary>
/// Reads protobuf fields from one contiguous buffer. Malformed input throws <see cref="InvalidDataException"/>
/// (answered INTERNAL "Failed to deserialize request message."); a string field that is not valid
/// UTF-8 throws <see cref="InvalidUtf8Exception"/> (answered INVALID_ARGUMENT), as the proto3
/// language guide requires strings to be valid UTF-8 and Google.Protobuf refuses them too.
/// </summary>
internal ref struct ProtoReader
{
    // Google.Protobuf's default recursion limit; groups are the only nesting skipped here.
    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Where the next field starts, from the start of the buffer.</summary>
    public readonly int Position => _position;

    /// <summary>Reads the next tag; false at the end of the buffer.</summary>
    public bool TryReadTag(out uint tag)
    {
        if (_position >= _buffer.Length)
        {
            tag = 0;
            return false;
        }

        var value = ReadVarint();
        if (value > uint.MaxValue || (value >> 3) == 0)
        {
            ProtoWire.ThrowMalformed("invalid tag");
        }

        tag = (uint)value;
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                ProtoWire.ThrowMalformed("truncated varint");
            }

            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        ProtoWire.ThrowMalformed("varint longer than 10 bytes");
        return 0;
    }

    /// <summary>Reads the length of a length-delimited field and returns where its bytes start.</summary>
    public int ReadLengthDelimited(out int length)
    {
        var value = ReadVarint();
        if (value > (ulong)(_buffer.Length - _position))
        {
            ProtoWire.ThrowMalformed("length beyond the end of the message");
        }

        length = (int)value;
        var start = _position;
        _position += length;
        return start;
    }

    /// <summary>Reads a length-delimited field as a span.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var start = ReadLengthDelimited(out var length);
        return _buffer.Slice(start, length);
    }

    /// <summary>Reads a string field; empty is null (proto3 cannot tell empty from absent).</summary>
    /// <exception cref="InvalidUtf8Exception">The bytes are not valid UTF-8: refused, never altered.</exception>
    public string? ReadOptionalString(string field)
    {
        var bytes = ReadBytes();
        if (bytes.IsEmpty)
        {
            return null;
        }

        try
        {
            return ProtoWire.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidUtf8Exception(field);
        }
    }

    /// <summary>Skips the value of a field of an unknown or unexpected tag, as Google.Protobuf does.</summary>
    public void SkipField(uint tag) => SkipField(tag, 0);

    private void SkipField(uint tag, int depth)
    {
        switch ((int)(tag & 7))
        {
            case ProtoWire.Varint:
                ReadVarint();
                break;
            case ProtoWire.Fixed64:
                Skip(8);
                break;
            case ProtoWire.LengthDelimited:
                ReadLengthDelimited(out _);
                break;
            case ProtoWire.Fixed32:
                Skip(4);
                break;
            case ProtoWire.StartGroup:
                if (depth >= MaxGroupDepth)
                {
                    ProtoWire.ThrowMalformed("groups nested too deeply");
                }

                var end = (tag & ~7u) | ProtoWire.EndGroup;
                while (true)
                {
                    if (!TryReadTag(out var inner))
                    {
                        ProtoWire.ThrowMalformed("unterminated group");
                    }

                    if (inner == end)
                    {
                        return;
                    }

                    SkipField(inner, depth + 1);
                }

            default:
                ProtoWire.ThrowMalformed("invalid wire type");
                break;
        }
    }

    private void Skip(int count)
    {
        if (_buffer.Length - _position < count)
        {
            ProtoWire.ThrowMalformed("truncated fixed-size field");
        }

        _position += count;
    }
}

/// <summary>
/// Writes protobuf fields to an <see cref="IBufferWriter{T}"/> through one span at a time, so a
/// response of any size is written without materialising it. <see cref="Flush"/> commits the rest.
/// </summary>
internal ref struct ProtoWriter
{
    private const int MinimumSpan = 4096;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _position;

    public ProtoWriter(IBufferWriter<byte> output)
    {
        _output = output;
        _span = default;
        _position = 0;
    }

    public void WriteTag(int field, int wireType)
    {
        Ensure(1);
        _span[_position++] = ProtoWire.Tag(field, wireType);
    }

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        _position += ProtoWire.WriteVarint(_span[_position..], value);
    }

    /// <summary>A tag and a length: the header of a length-delimited field or a nested message.</summary>
    public void WriteLengthDelimitedHeader(int field, int length)
    {
        Ensure(11);
        _span[_position++] = ProtoWire.Tag(field, ProtoWire.LengthDelimited);
        _position += ProtoWire.WriteVarint(_span[_position..], (uint)length);
    }

    /// <summary>A bytes or UTF-8 string field (also when empty: callers skip proto3 defaults themselves).</summary>
    public void WriteBytesField(int field, ReadOnlySpan<byte> value)
    {
        WriteLengthDelimitedHeader(field, value.Length);
        WriteRaw(value);
    }

    /// <summary>A string field from UTF-16, with its UTF-8 length known (see <see cref="ProtoWire.StringFieldSize"/>).</summary>
    public void WriteStringField(int field, string value, int utf8Length)
    {
        WriteLengthDelimitedHeader(field, utf8Length);
        if (utf8Length <= MinimumSpan)
        {
            Ensure(utf8Length);
            _position += Encoding.UTF8.GetBytes(value, _span[_position..]);
            return;
        }

        WriteRaw(Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Bytes as they are, across as many spans as they need.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty)
        {
            Ensure(1);
            var count = Math.Min(value.Length, _span.Length - _position);
            value[..count].CopyTo(_span[_position..]);
            _position += count;
            value = value[count..];
        }
    }

    /// <summary>A span of exactly <paramref name="count"/> bytes to fill in place, then <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int count)
    {
        Ensure(count);
        return _span.Slice(_position, count);
    }

    public void Advance(int count) => _position += count;

    /// <summary>Commits what was written to the output.</summary>
    public void Flush()
    {
        if (_position > 0)
        {
            _output.Advance(_position);
        }

        _span = default;
        _position = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int count)
    {
        if (_span.Length - _position < count)
        {
            Renew(count);
        }
    }

    private void Renew(int count)
    {
        Flush();
        _span = _output.GetSpan(Math.Max(count, MinimumSpan));
    }
}

/// <summary>A protobuf string field whose bytes are not valid UTF-8.</summary>
internal sealed class InvalidUtf8Exception(string field)
    : FormatException($"The value of '{field}' is not valid UTF-8.")
{
    /// <summary>The field, as named in the proto file.</summary>
    public string Field { get; } = field;
}
