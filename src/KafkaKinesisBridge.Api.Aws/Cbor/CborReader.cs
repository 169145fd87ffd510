using System.Buffers.Binary;
using System.Text.Unicode;

namespace KafkaKinesisBridge.Api.Aws.Cbor;

/// <summary>CBOR major types (RFC 8949 §3.1).</summary>
public enum CborMajorType : byte
{
    UnsignedInteger = 0,
    NegativeInteger = 1,
    ByteString = 2,
    TextString = 3,
    Array = 4,
    Map = 5,
    Tag = 6,
    SimpleOrFloat = 7,
}

/// <summary>Outcome of a <see cref="CborReader"/> operation.</summary>
public enum CborReadStatus
{
    /// <summary>The item was read and the reader moved past it.</summary>
    Done = 0,

    /// <summary>The input ends inside the item; nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The bytes are not well-formed CBOR (reserved additional information, bad nesting, invalid UTF-8).</summary>
    Malformed,

    /// <summary>The next item is well-formed but not of the requested type (or out of the requested range); nothing was consumed.</summary>
    UnexpectedType,
}

/// <summary>
/// A forward-only CBOR (RFC 8949) reader over a span, with the Try pattern: every method returns a
/// <see cref="CborReadStatus"/> and consumes input only on <see cref="CborReadStatus.Done"/>.
/// </summary>
/// <remarks>
/// <para>Supports every major type, definite and indefinite lengths (§3.2), tags (§3.4) and
/// half/single/double floats (§3.3). Strings are returned as slices of the input (no copy) when
/// definite; an indefinite-length string is made contiguous in place when the reader was created
/// over writable memory (its chunks move left over their own headers), or copied to a caller's
/// buffer with <see cref="TryReadByteString(Span{byte}, out int)"/>.</para>
/// <para>The reader does not track container nesting: callers know where they are (the Kinesis
/// document reader keeps its own stack). <see cref="TrySkipValue"/> checks nesting of what it skips.</para>
/// </remarks>
public ref struct CborReader
{
    private const byte IndefiniteLength = 31;
    private const byte BreakByte = 0xFF;

    private readonly ReadOnlySpan<byte> _data;
    private readonly Span<byte> _writable;
    private int _position;

    /// <summary>A reader over read-only input.</summary>
    public CborReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _writable = default;
        _position = 0;
    }

    /// <summary>A reader over writable input: indefinite-length strings are made contiguous in place.</summary>
    public CborReader(Span<byte> data)
    {
        _data = data;
        _writable = data;
        _position = 0;
    }

    /// <summary>Offset of the next item.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left after <see cref="Position"/>.</summary>
    public readonly int BytesRemaining => _data.Length - _position;

    /// <summary>True when every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>True when the next byte is a "break" stop code (end of an indefinite-length item).</summary>
    public readonly bool IsAtBreak => _position < _data.Length && _data[_position] == BreakByte;

    /// <summary>The major type and additional information of the next item, without consuming it.</summary>
    public readonly CborReadStatus TryPeek(out CborMajorType majorType, out byte additionalInfo)
    {
        if (_position >= _data.Length)
        {
            majorType = default;
            additionalInfo = 0;
            return CborReadStatus.NeedMoreData;
        }

        var initial = _data[_position];
        majorType = (CborMajorType)(initial >> 5);
        additionalInfo = (byte)(initial & 0x1F);
        return CborReadStatus.Done;
    }

    /// <summary>Reads an unsigned integer (major type 0).</summary>
    public CborReadStatus TryReadUInt64(out ulong value)
    {
        var status = TryReadHead(CborMajorType.UnsignedInteger, out value, out var length, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (indefinite)
        {
            return CborReadStatus.Malformed;
        }

        _position += length;
        return CborReadStatus.Done;
    }

    /// <summary>Reads an integer of major type 0 or 1 that fits in an <see cref="long"/>.</summary>
    public CborReadStatus TryReadInt64(out long value)
    {
        value = 0;
        var status = TryPeek(out var major, out _);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (major is not (CborMajorType.UnsignedInteger or CborMajorType.NegativeInteger))
        {
            return CborReadStatus.UnexpectedType;
        }

        status = TryReadHead(major, out var argument, out var length, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (indefinite)
        {
            return CborReadStatus.Malformed;
        }

        if (argument > long.MaxValue)
        {
            return CborReadStatus.UnexpectedType;
        }

        // Major type 1 encodes -1 - n (RFC 8949 §3.1).
        value = major == CborMajorType.UnsignedInteger ? (long)argument : -1 - (long)argument;
        _position += length;
        return CborReadStatus.Done;
    }

    /// <summary>Reads a half, single or double precision float (major type 7, additional information 25-27).</summary>
    public CborReadStatus TryReadDouble(out double value)
    {
        value = 0;
        var status = TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (major != CborMajorType.SimpleOrFloat || info is < 25 or > 27)
        {
            return CborReadStatus.UnexpectedType;
        }

        var size = 1 << (info - 24);
        if (BytesRemaining < 1 + size)
        {
            return CborReadStatus.NeedMoreData;
        }

        var bytes = _data.Slice(_position + 1, size);
        value = info switch
        {
            25 => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16BigEndian(bytes)),
            26 => BinaryPrimitives.ReadSingleBigEndian(bytes),
            _ => BinaryPrimitives.ReadDoubleBigEndian(bytes),
        };
        _position += 1 + size;
        return CborReadStatus.Done;
    }

    /// <summary>Reads <c>false</c> or <c>true</c> (simple values 20 and 21).</summary>
    public CborReadStatus TryReadBoolean(out bool value)
    {
        value = false;
        var status = TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (major != CborMajorType.SimpleOrFloat || info is not (20 or 21))
        {
            return CborReadStatus.UnexpectedType;
        }

        value = info == 21;
        _position++;
        return CborReadStatus.Done;
    }

    /// <summary>Reads <c>null</c> (simple value 22) or <c>undefined</c> (23).</summary>
    public CborReadStatus TryReadNull()
    {
        var status = TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (major != CborMajorType.SimpleOrFloat || info is not (22 or 23))
        {
            return CborReadStatus.UnexpectedType;
        }

        _position++;
        return CborReadStatus.Done;
    }

    /// <summary>Reads any simple value (major type 7, not a float and not "break").</summary>
    public CborReadStatus TryReadSimpleValue(out byte value)
    {
        value = 0;
        var status = TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (major != CborMajorType.SimpleOrFloat || info is >= 25 and <= 27 || info == IndefiniteLength)
        {
            return CborReadStatus.UnexpectedType;
        }

        if (info is >= 28 and <= 30)
        {
            return CborReadStatus.Malformed;
        }

        if (info < 24)
        {
            value = info;
            _position++;
            return CborReadStatus.Done;
        }

        if (BytesRemaining < 2)
        {
            return CborReadStatus.NeedMoreData;
        }

        // RFC 8949 §3.3: a two-byte simple value below 32 is not well-formed.
        value = _data[_position + 1];
        if (value < 32)
        {
            return CborReadStatus.Malformed;
        }

        _position += 2;
        return CborReadStatus.Done;
    }

    /// <summary>Reads a tag number (major type 6); the tagged item follows.</summary>
    public CborReadStatus TryReadTag(out ulong tag)
    {
        var status = TryReadHead(CborMajorType.Tag, out tag, out var length, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (indefinite)
        {
            return CborReadStatus.Malformed;
        }

        _position += length;
        return CborReadStatus.Done;
    }

    /// <summary>Reads the head of an array: <paramref name="length"/> items follow, or -1 for an indefinite array ended by a break.</summary>
    public CborReadStatus TryReadStartArray(out int length) => TryReadContainerHead(CborMajorType.Array, out length);

    /// <summary>Reads the head of a map: <paramref name="length"/> key/value pairs follow, or -1 for an indefinite map ended by a break.</summary>
    public CborReadStatus TryReadStartMap(out int length) => TryReadContainerHead(CborMajorType.Map, out length);

    /// <summary>Reads the "break" stop code that ends an indefinite-length item.</summary>
    public CborReadStatus TryReadBreak()
    {
        if (_position >= _data.Length)
        {
            return CborReadStatus.NeedMoreData;
        }

        if (_data[_position] != BreakByte)
        {
            return CborReadStatus.UnexpectedType;
        }

        _position++;
        return CborReadStatus.Done;
    }

    /// <summary>
    /// Reads a byte string. A definite-length string is a slice of the input; an indefinite-length
    /// one needs writable input (see the constructors) and is made contiguous in place.
    /// </summary>
    public CborReadStatus TryReadByteString(out ReadOnlySpan<byte> value) => TryReadString(CborMajorType.ByteString, out value);

    /// <summary>Reads a text string as UTF-8 bytes (validated), sliced or made contiguous like <see cref="TryReadByteString(out ReadOnlySpan{byte})"/>.</summary>
    public CborReadStatus TryReadTextString(out ReadOnlySpan<byte> utf8)
    {
        var start = _position;
        var status = TryReadString(CborMajorType.TextString, out utf8);
        if (status == CborReadStatus.Done && !Utf8.IsValid(utf8))
        {
            _position = start;
            return CborReadStatus.Malformed;
        }

        return status;
    }

    /// <summary>Reads a byte string (definite or indefinite) into <paramref name="destination"/>.</summary>
    /// <returns><see cref="CborReadStatus.UnexpectedType"/> also when <paramref name="destination"/> is too small.</returns>
    public CborReadStatus TryReadByteString(scoped Span<byte> destination, out int written)
    {
        written = 0;
        var status = TryMeasureString(CborMajorType.ByteString, out var end, out var total, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (total > destination.Length)
        {
            return CborReadStatus.UnexpectedType;
        }

        CopyChunks(CborMajorType.ByteString, indefinite, destination);
        written = total;
        _position = end;
        return CborReadStatus.Done;
    }

    /// <summary>Skips the next data item, including everything nested in it.</summary>
    public CborReadStatus TrySkipValue(int maxDepth = 64)
    {
        var start = _position;
        var status = SkipItem(maxDepth);
        if (status != CborReadStatus.Done)
        {
            _position = start;
        }

        return status;
    }

    private CborReadStatus SkipItem(int depthLeft)
    {
        if (depthLeft <= 0)
        {
            return CborReadStatus.Malformed;
        }

        var status = TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        switch (major)
        {
            case CborMajorType.UnsignedInteger:
            case CborMajorType.NegativeInteger:
                status = TryReadHead(major, out _, out var length, out var indefinite);
                if (status == CborReadStatus.Done && indefinite)
                {
                    return CborReadStatus.Malformed;
                }

                if (status == CborReadStatus.Done)
                {
                    _position += length;
                }

                return status;
            case CborMajorType.ByteString:
            case CborMajorType.TextString:
                status = TryMeasureString(major, out var end, out _, out _);
                if (status == CborReadStatus.Done)
                {
                    _position = end;
                }

                return status;
            case CborMajorType.Array:
            case CborMajorType.Map:
                status = TryReadContainerHead(major, out var count);
                if (status != CborReadStatus.Done)
                {
                    return status;
                }

                var items = major == CborMajorType.Map ? 2L * count : count;
                if (count < 0)
                {
                    var pairs = 0L;
                    while (!IsAtBreak)
                    {
                        status = SkipItem(depthLeft - 1);
                        if (status != CborReadStatus.Done)
                        {
                            return status;
                        }

                        pairs++;
                    }

                    if (major == CborMajorType.Map && pairs % 2 != 0)
                    {
                        return CborReadStatus.Malformed;
                    }

                    _position++;
                    return CborReadStatus.Done;
                }

                for (var i = 0L; i < items; i++)
                {
                    status = SkipItem(depthLeft - 1);
                    if (status != CborReadStatus.Done)
                    {
                        return status;
                    }
                }

                return CborReadStatus.Done;
            case CborMajorType.Tag:
                status = TryReadTag(out _);
                return status == CborReadStatus.Done ? SkipItem(depthLeft - 1) : status;
            default:
                if (info == IndefiniteLength)
                {
                    // A break where an item is expected.
                    return CborReadStatus.Malformed;
                }

                if (info is >= 25 and <= 27)
                {
                    return TryReadDouble(out _);
                }

                return TryReadSimpleValue(out _);
        }
    }

    private CborReadStatus TryReadContainerHead(CborMajorType expected, out int length)
    {
        length = 0;
        var status = TryReadHead(expected, out var argument, out var headLength, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (indefinite)
        {
            length = -1;
        }
        else
        {
            // Each item takes at least one byte: a count beyond the input is malformed or truncated.
            var minimumItems = expected == CborMajorType.Map ? argument * 2 : argument;
            if (argument > int.MaxValue || minimumItems > (ulong)(BytesRemaining - headLength))
            {
                return argument > int.MaxValue ? CborReadStatus.Malformed : CborReadStatus.NeedMoreData;
            }

            length = (int)argument;
        }

        _position += headLength;
        return CborReadStatus.Done;
    }

    private CborReadStatus TryReadString(CborMajorType major, out ReadOnlySpan<byte> value)
    {
        value = default;
        var status = TryMeasureString(major, out var end, out var total, out var indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (!indefinite)
        {
            value = _data.Slice(end - total, total);
            _position = end;
            return CborReadStatus.Done;
        }

        if (_writable.IsEmpty)
        {
            // Read-only input: the caller must copy (TryReadByteString(Span<byte>, out int)).
            return CborReadStatus.UnexpectedType;
        }

        // Move the chunks' contents together, starting where the item starts; every destination
        // offset is at or before its source, and Span.CopyTo handles the overlap.
        var start = _position;
        CopyChunks(major, indefinite: true, _writable[start..]);
        value = _data.Slice(start, total);
        _position = end;
        return CborReadStatus.Done;
    }

    /// <summary>Walks a string item without consuming it: where it ends and how long its content is.</summary>
    private readonly CborReadStatus TryMeasureString(CborMajorType major, out int end, out int total, out bool indefinite)
    {
        end = 0;
        total = 0;
        var status = TryReadHeadAt(_position, major, out var argument, out var headLength, out indefinite);
        if (status != CborReadStatus.Done)
        {
            return status;
        }

        if (!indefinite)
        {
            if (argument > (ulong)(BytesRemaining - headLength))
            {
                return argument > int.MaxValue ? CborReadStatus.Malformed : CborReadStatus.NeedMoreData;
            }

            total = (int)argument;
            end = _position + headLength + total;
            return CborReadStatus.Done;
        }

        // RFC 8949 §3.2.3: chunks are definite-length strings of the same major type, then a break.
        var at = _position + headLength;
        var sum = 0L;
        while (true)
        {
            if (at >= _data.Length)
            {
                return CborReadStatus.NeedMoreData;
            }

            if (_data[at] == BreakByte)
            {
                end = at + 1;
                total = (int)sum;
                return CborReadStatus.Done;
            }

            status = TryReadHeadAt(at, major, out var chunkLength, out var chunkHead, out var chunkIndefinite);
            if (status != CborReadStatus.Done)
            {
                return status == CborReadStatus.UnexpectedType ? CborReadStatus.Malformed : status;
            }

            if (chunkIndefinite)
            {
                return CborReadStatus.Malformed;
            }

            if (chunkLength > (ulong)(_data.Length - at - chunkHead))
            {
                return chunkLength > int.MaxValue ? CborReadStatus.Malformed : CborReadStatus.NeedMoreData;
            }

            at += chunkHead + (int)chunkLength;
            sum += (long)chunkLength;
        }
    }

    /// <summary>Copies the content of the string at <see cref="_position"/> (already measured) to <paramref name="destination"/>.</summary>
    private readonly void CopyChunks(CborMajorType major, bool indefinite, scoped Span<byte> destination)
    {
        _ = TryReadHeadAt(_position, major, out var argument, out var headLength, out _);
        if (!indefinite)
        {
            _data.Slice(_position + headLength, (int)argument).CopyTo(destination);
            return;
        }

        var at = _position + headLength;
        var written = 0;
        while (_data[at] != BreakByte)
        {
            _ = TryReadHeadAt(at, major, out var chunkLength, out var chunkHead, out _);
            _data.Slice(at + chunkHead, (int)chunkLength).CopyTo(destination[written..]);
            written += (int)chunkLength;
            at += chunkHead + (int)chunkLength;
        }
    }

    private readonly CborReadStatus TryReadHead(CborMajorType expected, out ulong argument, out int length, out bool indefinite) =>
        TryReadHeadAt(_position, expected, out argument, out length, out indefinite);

    /// <summary>Decodes the initial byte and argument of the item at <paramref name="at"/> (RFC 8949 §3).</summary>
    private readonly CborReadStatus TryReadHeadAt(int at, CborMajorType expected, out ulong argument, out int length, out bool indefinite)
    {
        argument = 0;
        length = 0;
        indefinite = false;
        if (at >= _data.Length)
        {
            return CborReadStatus.NeedMoreData;
        }

        var initial = _data[at];
        if ((CborMajorType)(initial >> 5) != expected)
        {
            return CborReadStatus.UnexpectedType;
        }

        var info = (byte)(initial & 0x1F);
        switch (info)
        {
            case < 24:
                argument = info;
                length = 1;
                return CborReadStatus.Done;
            case 24:
            case 25:
            case 26:
            case 27:
                var size = 1 << (info - 24);
                if (_data.Length - at < 1 + size)
                {
                    return CborReadStatus.NeedMoreData;
                }

                var bytes = _data.Slice(at + 1, size);
                argument = size switch
                {
                    1 => bytes[0],
                    2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
                    4 => BinaryPrimitives.ReadUInt32BigEndian(bytes),
                    _ => BinaryPrimitives.ReadUInt64BigEndian(bytes),
                };
                length = 1 + size;
                return CborReadStatus.Done;
            case IndefiniteLength:
                // Indefinite length exists only for strings, arrays and maps (§3.2.1-3.2.3).
                if (expected is CborMajorType.UnsignedInteger or CborMajorType.NegativeInteger or CborMajorType.Tag)
                {
                    return CborReadStatus.Malformed;
                }

                indefinite = true;
                length = 1;
                return CborReadStatus.Done;
            default:
                // 28-30 are reserved (§3).
                return CborReadStatus.Malformed;
        }
    }
}
