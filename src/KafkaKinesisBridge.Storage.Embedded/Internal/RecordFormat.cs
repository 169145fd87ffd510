using System.Buffers.Binary;
using System.Text;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>Outcome of decoding a record from bytes.</summary>
internal enum DecodeStatus
{
    /// <summary>A whole, valid record.</summary>
    Ok,

    /// <summary>The bytes end before the record does (need more bytes, or a torn write at the end of a file).</summary>
    Incomplete,

    /// <summary>The bytes are not a valid record: bad length, checksum mismatch, inconsistent fields.</summary>
    Corrupt,
}

/// <summary>Where the parts of a decoded record lie, relative to the record's first byte.</summary>
internal readonly struct RecordInfo
{
    public RecordInfo(long offset, long timestampMs, int totalLength, int keyStart, int keyLength, int valueStart, int valueLength, int headersStart, int headerCount)
    {
        Offset = offset;
        TimestampMs = timestampMs;
        TotalLength = totalLength;
        KeyStart = keyStart;
        KeyLength = keyLength;
        ValueStart = valueStart;
        ValueLength = valueLength;
        HeadersStart = headersStart;
        HeaderCount = headerCount;
    }

    public long Offset { get; }

    public long TimestampMs { get; }

    /// <summary>Bytes the record occupies on disk, length field included.</summary>
    public int TotalLength { get; }

    public int KeyStart { get; }

    public int KeyLength { get; }

    public int ValueStart { get; }

    public int ValueLength { get; }

    public int HeadersStart { get; }

    public int HeaderCount { get; }
}

/// <summary>
/// The on-disk record format (documented in README.md). All integers little-endian:
/// <code>
/// int32  length        bytes after this field
/// uint32 crc           CRC32C of every byte after this field
/// uint8  magic         1
/// int64  offset
/// int64  timestamp     Unix epoch milliseconds
/// int32  key length,   key bytes
/// int32  value length, value bytes
/// int32  header count, then per header: uint16 name length, UTF-8 name, int32 value length, value
/// </code>
/// Fixed-width fields rather than Kafka's varints: encoding and decoding are a few stores and loads,
/// and the overhead (37 bytes a record) is small next to the payloads the gateway carries.
/// </summary>
internal static class RecordFormat
{
    public const byte Magic = 1;

    /// <summary>Size of the length prefix.</summary>
    public const int LengthSize = 4;

    /// <summary>Offset of the first checksummed byte (after length and crc).</summary>
    public const int ChecksummedStart = 8;

    /// <summary>Bytes of a record with empty key and value and no headers.</summary>
    public const int FixedSize = 37;

    /// <summary>Fixed bytes per header: name length and value length.</summary>
    public const int HeaderFixedSize = 6;

    /// <summary>
    /// Largest value a length field may hold. Larger values can only come from corruption (a segment
    /// position is a 32-bit index entry, and the largest record option is far below this).
    /// </summary>
    public const int MaxLengthField = 1 << 30;

    private const int OffsetPosition = 9;
    private const int TimestampPosition = 17;
    private const int KeyLengthPosition = 25;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The encoded size of <paramref name="record"/>, or -1 when a header cannot be encoded (a null
    /// name, a name that is not valid UTF-16, or a name longer than 65,535 UTF-8 bytes).
    /// </summary>
    public static long GetEncodedSize(in LogRecord record)
    {
        long size = FixedSize + record.Key.Length + record.Value.Length;
        var headers = record.Headers;
        if (headers is not null)
        {
            for (var i = 0; i < headers.Count; i++)
            {
                var header = headers[i];
                if (header.Key is null)
                {
                    return -1;
                }

                int nameBytes;
                try
                {
                    nameBytes = StrictUtf8.GetByteCount(header.Key);
                }
                catch (ArgumentException)
                {
                    // An unpaired surrogate: the name has no UTF-8 form.
                    return -1;
                }

                if (nameBytes > ushort.MaxValue)
                {
                    return -1;
                }

                size += HeaderFixedSize + nameBytes + header.Value.Length;
            }
        }

        return size;
    }

    /// <summary>
    /// Encodes <paramref name="record"/> with <paramref name="offset"/> into <paramref name="destination"/>,
    /// which must hold <paramref name="encodedSize"/> bytes (from <see cref="GetEncodedSize"/>).
    /// </summary>
    public static void Write(Span<byte> destination, in LogRecord record, long offset, int encodedSize)
    {
        var span = destination[..encodedSize];
        BinaryPrimitives.WriteInt32LittleEndian(span, encodedSize - LengthSize);
        span[ChecksummedStart] = Magic;
        BinaryPrimitives.WriteInt64LittleEndian(span[OffsetPosition..], offset);
        BinaryPrimitives.WriteInt64LittleEndian(span[TimestampPosition..], record.TimestampMs);
        var position = KeyLengthPosition;
        position = WriteBlock(span, position, record.Key.Span);
        position = WriteBlock(span, position, record.Value.Span);
        var headers = record.Headers;
        var count = headers?.Count ?? 0;
        BinaryPrimitives.WriteInt32LittleEndian(span[position..], count);
        position += 4;
        for (var i = 0; i < count; i++)
        {
            var header = headers![i];
            var nameLength = StrictUtf8.GetBytes(header.Key, span[(position + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[position..], (ushort)nameLength);
            position += 2 + nameLength;
            position = WriteBlock(span, position, header.Value.Span);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[LengthSize..], Crc32C.Compute(span[ChecksummedStart..]));
    }

    /// <summary>
    /// Reads the total size of the record starting at <paramref name="source"/> from its length field.
    /// </summary>
    /// <returns>Incomplete when fewer than 4 bytes are given, Corrupt when the length is impossible.</returns>
    public static DecodeStatus TryReadTotalLength(ReadOnlySpan<byte> source, out int totalLength)
    {
        totalLength = 0;
        if (source.Length < LengthSize)
        {
            return DecodeStatus.Incomplete;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(source);
        if (length < FixedSize - LengthSize || length > MaxLengthField)
        {
            return DecodeStatus.Corrupt;
        }

        totalLength = length + LengthSize;
        return DecodeStatus.Ok;
    }

    /// <summary>
    /// Decodes the record at the start of <paramref name="source"/>, checking its structure and,
    /// when <paramref name="verifyChecksum"/> is set, its CRC32C.
    /// </summary>
    public static DecodeStatus TryDecode(ReadOnlySpan<byte> source, bool verifyChecksum, out RecordInfo info)
    {
        info = default;
        var status = TryReadTotalLength(source, out var total);
        if (status != DecodeStatus.Ok)
        {
            return status;
        }

        if (source.Length < total)
        {
            return DecodeStatus.Incomplete;
        }

        var record = source[..total];
        if (record[ChecksummedStart] != Magic)
        {
            return DecodeStatus.Corrupt;
        }

        if (verifyChecksum &&
            BinaryPrimitives.ReadUInt32LittleEndian(record[LengthSize..]) != Crc32C.Compute(record[ChecksummedStart..]))
        {
            return DecodeStatus.Corrupt;
        }

        var offset = BinaryPrimitives.ReadInt64LittleEndian(record[OffsetPosition..]);
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(record[TimestampPosition..]);
        var position = KeyLengthPosition;
        if (!TryReadBlock(record, ref position, out var keyStart, out var keyLength) ||
            !TryReadBlock(record, ref position, out var valueStart, out var valueLength) ||
            record.Length - position < 4)
        {
            return DecodeStatus.Corrupt;
        }

        var headerCount = BinaryPrimitives.ReadInt32LittleEndian(record[position..]);
        position += 4;
        var headersStart = position;
        if (headerCount < 0 || headerCount > (record.Length - position) / HeaderFixedSize)
        {
            return DecodeStatus.Corrupt;
        }

        for (var i = 0; i < headerCount; i++)
        {
            if (record.Length - position < 2)
            {
                return DecodeStatus.Corrupt;
            }

            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record[position..]);
            position += 2;
            if (record.Length - position < nameLength)
            {
                return DecodeStatus.Corrupt;
            }

            position += nameLength;
            if (!TryReadBlock(record, ref position, out _, out _))
            {
                return DecodeStatus.Corrupt;
            }
        }

        if (position != record.Length)
        {
            return DecodeStatus.Corrupt;
        }

        info = new RecordInfo(offset, timestamp, total, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
        return DecodeStatus.Ok;
    }

    /// <summary>
    /// Materializes the headers of a decoded record. Names become strings; values point into
    /// <paramref name="buffer"/>, so they live as long as it does.
    /// </summary>
    /// <param name="buffer">The buffer holding the record.</param>
    /// <param name="recordStart">Index of the record's first byte in <paramref name="buffer"/>.</param>
    /// <param name="info">The decoded record.</param>
    /// <param name="size">Receives the bytes the headers count for in read limits (<see cref="LogRecordSize.HeadersSize"/>).</param>
    public static LogHeader[]? ReadHeaders(byte[] buffer, int recordStart, in RecordInfo info, out int size)
    {
        size = 0;
        if (info.HeaderCount == 0)
        {
            return null;
        }

        var headers = new LogHeader[info.HeaderCount];
        var position = recordStart + info.HeadersStart;
        for (var i = 0; i < headers.Length; i++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(position));
            position += 2;
            var name = Encoding.UTF8.GetString(buffer, position, nameLength);
            position += nameLength;
            var valueLength = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
            position += 4;
            headers[i] = new LogHeader(name, new ReadOnlyMemory<byte>(buffer, position, valueLength));
            position += valueLength;
            size += name.Length + valueLength;
        }

        return headers;
    }

    /// <summary>The record offset stored in an encoded record (no validation).</summary>
    public static long ReadOffset(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[OffsetPosition..]);

    private static int WriteBlock(Span<byte> span, int position, ReadOnlySpan<byte> block)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[position..], block.Length);
        block.CopyTo(span[(position + 4)..]);
        return position + 4 + block.Length;
    }

    private static bool TryReadBlock(ReadOnlySpan<byte> record, ref int position, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (record.Length - position < 4)
        {
            return false;
        }

        length = BinaryPrimitives.ReadInt32LittleEndian(record[position..]);
        position += 4;
        if (length < 0 || length > record.Length - position)
        {
            return false;
        }

        start = position;
        position += length;
        return true;
    }
}
