using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KafkaKinesisBridge.Api.Aws.Cbor;

/// <summary>
/// Writes CBOR (RFC 8949) items straight into an <see cref="IBufferWriter{T}"/>, each head in its
/// shortest form (preferred serialization, §4.1).
/// </summary>
/// <remarks>
/// The writer keeps no state: it does not check that containers are balanced or that a definite
/// container gets the announced number of items. Callers that build documents (the Kinesis
/// document writer) guarantee the structure.
/// </remarks>
public readonly struct CborWriter
{
    private readonly IBufferWriter<byte> _output;

    /// <summary>A writer appending to <paramref name="output"/>.</summary>
    public CborWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>An unsigned integer (major type 0).</summary>
    public void WriteUInt64(ulong value) => WriteHead(CborMajorType.UnsignedInteger, value);

    /// <summary>An integer: major type 0 when non-negative, 1 (encoding -1 - n) when negative.</summary>
    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteHead(CborMajorType.UnsignedInteger, (ulong)value);
        }
        else
        {
            WriteHead(CborMajorType.NegativeInteger, (ulong)(-1 - value));
        }
    }

    /// <summary>A double-precision float (additional information 27).</summary>
    public void WriteDouble(double value)
    {
        var span = _output.GetSpan(9);
        span[0] = 0xFB;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        _output.Advance(9);
    }

    /// <summary>A single-precision float (additional information 26).</summary>
    public void WriteSingle(float value)
    {
        var span = _output.GetSpan(5);
        span[0] = 0xFA;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        _output.Advance(5);
    }

    /// <summary>A half-precision float (additional information 25).</summary>
    public void WriteHalf(Half value)
    {
        var span = _output.GetSpan(3);
        span[0] = 0xF9;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], BitConverter.HalfToUInt16Bits(value));
        _output.Advance(3);
    }

    /// <summary><c>false</c> or <c>true</c>.</summary>
    public void WriteBoolean(bool value) => WriteByte(value ? (byte)0xF5 : (byte)0xF4);

    /// <summary><c>null</c>.</summary>
    public void WriteNull() => WriteByte(0xF6);

    /// <summary><c>undefined</c>.</summary>
    public void WriteUndefined() => WriteByte(0xF7);

    /// <summary>A simple value (0-19 and 32-255; 20-23 have their own methods, 24-31 are reserved).</summary>
    public void WriteSimpleValue(byte value)
    {
        if (value is >= 24 and < 32)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Simple values 24-31 are reserved (RFC 8949 §3.3).");
        }

        if (value < 24)
        {
            WriteByte((byte)(0xE0 | value));
        }
        else
        {
            var span = _output.GetSpan(2);
            span[0] = 0xF8;
            span[1] = value;
            _output.Advance(2);
        }
    }

    /// <summary>A tag; the tagged item must be written next.</summary>
    public void WriteTag(ulong tag) => WriteHead(CborMajorType.Tag, tag);

    /// <summary>The head of a definite-length array of <paramref name="length"/> items.</summary>
    public void WriteStartArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        WriteHead(CborMajorType.Array, (ulong)length);
    }

    /// <summary>The head of an indefinite-length array; end it with <see cref="WriteBreak"/>.</summary>
    public void WriteStartIndefiniteArray() => WriteByte(0x9F);

    /// <summary>The head of a definite-length map of <paramref name="pairs"/> key/value pairs.</summary>
    public void WriteStartMap(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        WriteHead(CborMajorType.Map, (ulong)pairs);
    }

    /// <summary>The head of an indefinite-length map; end it with <see cref="WriteBreak"/>.</summary>
    public void WriteStartIndefiniteMap() => WriteByte(0xBF);

    /// <summary>The head of an indefinite-length byte string; write definite chunks, then <see cref="WriteBreak"/>.</summary>
    public void WriteStartIndefiniteByteString() => WriteByte(0x5F);

    /// <summary>The head of an indefinite-length text string; write definite chunks, then <see cref="WriteBreak"/>.</summary>
    public void WriteStartIndefiniteTextString() => WriteByte(0x7F);

    /// <summary>The "break" stop code ending an indefinite-length item.</summary>
    public void WriteBreak() => WriteByte(0xFF);

    /// <summary>A definite-length byte string.</summary>
    public void WriteByteString(ReadOnlySpan<byte> value)
    {
        WriteHead(CborMajorType.ByteString, (ulong)value.Length);
        _output.Write(value);
    }

    /// <summary>A definite-length text string from UTF-8 bytes (not validated: the caller vouches for them).</summary>
    public void WriteTextString(ReadOnlySpan<byte> utf8)
    {
        WriteHead(CborMajorType.TextString, (ulong)utf8.Length);
        _output.Write(utf8);
    }

    /// <summary>A definite-length text string, encoded to UTF-8 straight into the output.</summary>
    public void WriteTextString(ReadOnlySpan<char> value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteHead(CborMajorType.TextString, (ulong)length);
        if (length == 0)
        {
            return;
        }

        var span = _output.GetSpan(length);
        var written = Encoding.UTF8.GetBytes(value, span);
        _output.Advance(written);
    }

    private void WriteByte(byte value)
    {
        var span = _output.GetSpan(1);
        span[0] = value;
        _output.Advance(1);
    }

    private void WriteHead(CborMajorType major, ulong argument)
    {
        var type = (byte)((byte)major << 5);
        var span = _output.GetSpan(9);
        int length;
        if (argument < 24)
        {
            span[0] = (byte)(type | (byte)argument);
            length = 1;
        }
        else if (argument <= byte.MaxValue)
        {
            span[0] = (byte)(type | 24);
            span[1] = (byte)argument;
            length = 2;
        }
        else if (argument <= ushort.MaxValue)
        {
            span[0] = (byte)(type | 25);
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)argument);
            length = 3;
        }
        else if (argument <= uint.MaxValue)
        {
            span[0] = (byte)(type | 26);
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)argument);
            length = 5;
        }
        else
        {
            span[0] = (byte)(type | 27);
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], argument);
            length = 9;
        }

        _output.Advance(length);
    }
}
