using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace KafkaKinesisBridge.Api.Kinesis.EventStream;

/// <summary>Outcome of <see cref="EventStreamCodec.TryDecode(ReadOnlySpan{byte}, out EventStreamMessage?, out int, out string?)"/>.</summary>
public enum EventStreamDecodeStatus
{
    /// <summary>A message was decoded.</summary>
    Done,

    /// <summary>The input holds only part of a message (or of its prelude); nothing was consumed.</summary>
    NeedMoreData,

    /// <summary>The input is not a valid message: bad lengths, checksum mismatch, bad header.</summary>
    Invalid,
}

/// <summary>
/// Encoder and decoder of the AWS event stream encoding (<c>application/vnd.amazon.eventstream</c>),
/// the framing of SubscribeToShard over HTTP/2.
/// </summary>
/// <remarks>
/// A message is: total length (uint32), headers length (uint32), prelude CRC (CRC-32 of those 8
/// bytes), headers, payload, message CRC (CRC-32 of everything before it); integers big-endian.
/// A header is: name length (1 byte), name (UTF-8), type (1 byte), value (booleans none; byte 1,
/// int16 2, int32 4, int64 8, timestamp 8 = epoch milliseconds, uuid 16; byte array and string:
/// uint16 length + bytes). Limits as in awslabs/aws-c-event-stream: 16 MiB per message, 128 KiB of
/// headers, 127-byte names, 32767-byte values. Source: the Smithy event stream specification
/// ("Amazon Event Stream Specification") and botocore/eventstream.py; tests use botocore's vectors.
/// </remarks>
public static class EventStreamCodec
{
    /// <summary>Bytes of the prelude (total length, headers length, prelude CRC).</summary>
    public const int PreludeLength = 12;

    /// <summary>Smallest message: prelude and message CRC.</summary>
    public const int MinMessageLength = PreludeLength + 4;

    /// <summary>Largest message accepted or produced.</summary>
    public const int MaxMessageLength = 16 * 1024 * 1024;

    /// <summary>Largest headers section.</summary>
    public const int MaxHeadersLength = 128 * 1024;

    /// <summary>Longest header name in UTF-8 bytes.</summary>
    public const int MaxHeaderNameLength = 127;

    /// <summary>Longest byte array or string header value.</summary>
    public const int MaxHeaderValueLength = short.MaxValue;

    /// <summary>The encoded size of a message.</summary>
    /// <exception cref="ArgumentException">A header or the message exceeds a limit.</exception>
    public static int GetEncodedLength(ReadOnlySpan<EventStreamHeader> headers, int payloadLength)
    {
        var headersLength = GetHeadersLength(headers);
        var total = (long)PreludeLength + headersLength + payloadLength + 4;
        if (total > MaxMessageLength)
        {
            throw new ArgumentException($"An event stream message is limited to {MaxMessageLength} bytes; this one would take {total}.", nameof(payloadLength));
        }

        return (int)total;
    }

    /// <summary>Writes one message to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A header or the message exceeds a limit.</exception>
    public static void Encode(IBufferWriter<byte> output, ReadOnlySpan<EventStreamHeader> headers, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(output);
        var headersLength = GetHeadersLength(headers);
        var total = GetEncodedLength(headers, payload.Length);

        var head = output.GetSpan(PreludeLength + headersLength)[..(PreludeLength + headersLength)];
        BinaryPrimitives.WriteUInt32BigEndian(head, (uint)total);
        BinaryPrimitives.WriteUInt32BigEndian(head[4..], (uint)headersLength);
        BinaryPrimitives.WriteUInt32BigEndian(head[8..], Crc32.Compute(head[..8]));
        WriteHeaders(headers, head[PreludeLength..]);
        var crc = Crc32.Compute(head);
        output.Advance(head.Length);

        crc = Crc32.Append(crc, payload);
        output.Write(payload);

        var tail = output.GetSpan(4);
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        output.Advance(4);
    }

    /// <summary>Decodes the first message of <paramref name="data"/>.</summary>
    /// <param name="data">Received bytes; may hold several messages or part of one.</param>
    /// <param name="message">The message (its payload and byte values are copies).</param>
    /// <param name="consumed">Bytes the message took.</param>
    /// <param name="error">Why the input is invalid.</param>
    public static EventStreamDecodeStatus TryDecode(ReadOnlySpan<byte> data, out EventStreamMessage? message, out int consumed, out string? error)
    {
        message = null;
        consumed = 0;
        error = null;
        if (data.Length < PreludeLength)
        {
            return EventStreamDecodeStatus.NeedMoreData;
        }

        var total = BinaryPrimitives.ReadUInt32BigEndian(data);
        var headersLength = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (total < MinMessageLength || total > MaxMessageLength)
        {
            error = $"Invalid total length {total}.";
            return EventStreamDecodeStatus.Invalid;
        }

        if (headersLength > MaxHeadersLength || headersLength > total - MinMessageLength)
        {
            error = $"Invalid headers length {headersLength} for a message of {total} bytes.";
            return EventStreamDecodeStatus.Invalid;
        }

        if (Crc32.Compute(data[..8]) != BinaryPrimitives.ReadUInt32BigEndian(data[8..]))
        {
            error = "Prelude checksum mismatch.";
            return EventStreamDecodeStatus.Invalid;
        }

        if (data.Length < total)
        {
            return EventStreamDecodeStatus.NeedMoreData;
        }

        var whole = data[..(int)total];
        if (Crc32.Compute(whole[..^4]) != BinaryPrimitives.ReadUInt32BigEndian(whole[^4..]))
        {
            error = "Message checksum mismatch.";
            return EventStreamDecodeStatus.Invalid;
        }

        var headerBytes = whole.Slice(PreludeLength, (int)headersLength);
        if (!TryReadHeaders(headerBytes, out var headers, out error))
        {
            return EventStreamDecodeStatus.Invalid;
        }

        var payload = whole[(PreludeLength + (int)headersLength)..^4];
        message = new EventStreamMessage(headers, payload.ToArray());
        consumed = (int)total;
        return EventStreamDecodeStatus.Done;
    }

    /// <summary>Decodes the first message of a possibly segmented buffer (copies when it spans segments).</summary>
    public static EventStreamDecodeStatus TryDecode(ReadOnlySequence<byte> data, out EventStreamMessage? message, out int consumed, out string? error)
    {
        if (data.IsSingleSegment)
        {
            return TryDecode(data.FirstSpan, out message, out consumed, out error);
        }

        message = null;
        consumed = 0;
        error = null;
        if (data.Length < PreludeLength)
        {
            return EventStreamDecodeStatus.NeedMoreData;
        }

        Span<byte> prelude = stackalloc byte[4];
        data.Slice(0, 4).CopyTo(prelude);
        var total = BinaryPrimitives.ReadUInt32BigEndian(prelude);
        var length = (int)Math.Min(data.Length, total is >= MinMessageLength and <= MaxMessageLength ? total : PreludeLength);
        var copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, PreludeLength));
        try
        {
            data.Slice(0, length).CopyTo(copy);
            return TryDecode(copy.AsSpan(0, length), out message, out consumed, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static int GetHeadersLength(ReadOnlySpan<EventStreamHeader> headers)
    {
        var length = 0;
        foreach (var header in headers)
        {
            var nameLength = Encoding.UTF8.GetByteCount(header.Name);
            if (nameLength is 0 or > MaxHeaderNameLength)
            {
                throw new ArgumentException($"Header name '{header.Name}' must be 1 to {MaxHeaderNameLength} bytes of UTF-8.", nameof(headers));
            }

            length += 1 + nameLength + 1 + ValueLength(header);
        }

        if (length > MaxHeadersLength)
        {
            throw new ArgumentException($"Headers are limited to {MaxHeadersLength} bytes; these take {length}.", nameof(headers));
        }

        return length;
    }

    private static int ValueLength(in EventStreamHeader header)
    {
        var value = header.Value;
        switch (value.Type)
        {
            case EventStreamHeaderType.BoolTrue:
            case EventStreamHeaderType.BoolFalse:
                return 0;
            case EventStreamHeaderType.Byte:
                return 1;
            case EventStreamHeaderType.Int16:
                return 2;
            case EventStreamHeaderType.Int32:
                return 4;
            case EventStreamHeaderType.Int64:
            case EventStreamHeaderType.Timestamp:
                return 8;
            case EventStreamHeaderType.Uuid:
                return 16;
            default:
                if (value.Bytes.Length > MaxHeaderValueLength)
                {
                    throw new ArgumentException($"Header '{header.Name}' value is limited to {MaxHeaderValueLength} bytes.", nameof(header));
                }

                return 2 + value.Bytes.Length;
        }
    }

    private static void WriteHeaders(ReadOnlySpan<EventStreamHeader> headers, Span<byte> destination)
    {
        var at = 0;
        foreach (var header in headers)
        {
            var nameLength = Encoding.UTF8.GetBytes(header.Name, destination[(at + 1)..]);
            destination[at] = (byte)nameLength;
            at += 1 + nameLength;
            var value = header.Value;
            destination[at++] = (byte)value.Type;
            switch (value.Type)
            {
                case EventStreamHeaderType.BoolTrue:
                case EventStreamHeaderType.BoolFalse:
                    break;
                case EventStreamHeaderType.Byte:
                    destination[at++] = (byte)(sbyte)value.Integer;
                    break;
                case EventStreamHeaderType.Int16:
                    BinaryPrimitives.WriteInt16BigEndian(destination[at..], (short)value.Integer);
                    at += 2;
                    break;
                case EventStreamHeaderType.Int32:
                    BinaryPrimitives.WriteInt32BigEndian(destination[at..], (int)value.Integer);
                    at += 4;
                    break;
                case EventStreamHeaderType.Int64:
                case EventStreamHeaderType.Timestamp:
                    BinaryPrimitives.WriteInt64BigEndian(destination[at..], value.Integer);
                    at += 8;
                    break;
                case EventStreamHeaderType.Uuid:
                    value.Uuid.TryWriteBytes(destination[at..], bigEndian: true, out _);
                    at += 16;
                    break;
                default:
                    BinaryPrimitives.WriteUInt16BigEndian(destination[at..], (ushort)value.Bytes.Length);
                    value.Bytes.CopyTo(destination[(at + 2)..]);
                    at += 2 + value.Bytes.Length;
                    break;
            }
        }
    }

    private static bool TryReadHeaders(ReadOnlySpan<byte> data, out List<EventStreamHeader> headers, out string? error)
    {
        headers = [];
        error = null;
        var at = 0;
        while (at < data.Length)
        {
            int nameLength = data[at++];
            if (nameLength == 0 || data.Length - at < nameLength + 1)
            {
                error = "Truncated or empty header name.";
                return false;
            }

            var name = Encoding.UTF8.GetString(data.Slice(at, nameLength));
            at += nameLength;
            var type = (EventStreamHeaderType)data[at++];
            var fixedLength = type switch
            {
                EventStreamHeaderType.BoolTrue or EventStreamHeaderType.BoolFalse => 0,
                EventStreamHeaderType.Byte => 1,
                EventStreamHeaderType.Int16 => 2,
                EventStreamHeaderType.Int32 => 4,
                EventStreamHeaderType.Int64 or EventStreamHeaderType.Timestamp => 8,
                EventStreamHeaderType.Uuid => 16,
                EventStreamHeaderType.ByteArray or EventStreamHeaderType.String => 2,
                _ => -1,
            };
            if (fixedLength < 0)
            {
                error = $"Unknown header type {(byte)type} for '{name}'.";
                return false;
            }

            if (data.Length - at < fixedLength)
            {
                error = $"Truncated value of header '{name}'.";
                return false;
            }

            var raw = data.Slice(at, fixedLength);
            at += fixedLength;
            EventStreamHeaderValue value;
            switch (type)
            {
                case EventStreamHeaderType.BoolTrue:
                    value = EventStreamHeaderValue.FromBoolean(true);
                    break;
                case EventStreamHeaderType.BoolFalse:
                    value = EventStreamHeaderValue.FromBoolean(false);
                    break;
                case EventStreamHeaderType.Byte:
                    value = EventStreamHeaderValue.FromByte((sbyte)raw[0]);
                    break;
                case EventStreamHeaderType.Int16:
                    value = EventStreamHeaderValue.FromInt16(BinaryPrimitives.ReadInt16BigEndian(raw));
                    break;
                case EventStreamHeaderType.Int32:
                    value = EventStreamHeaderValue.FromInt32(BinaryPrimitives.ReadInt32BigEndian(raw));
                    break;
                case EventStreamHeaderType.Int64:
                    value = EventStreamHeaderValue.FromInt64(BinaryPrimitives.ReadInt64BigEndian(raw));
                    break;
                case EventStreamHeaderType.Timestamp:
                    value = EventStreamHeaderValue.FromTimestamp(BinaryPrimitives.ReadInt64BigEndian(raw));
                    break;
                case EventStreamHeaderType.Uuid:
                    value = EventStreamHeaderValue.FromUuid(new Guid(raw, bigEndian: true));
                    break;
                default:
                    int valueLength = BinaryPrimitives.ReadUInt16BigEndian(raw);
                    if (data.Length - at < valueLength)
                    {
                        error = $"Truncated value of header '{name}'.";
                        return false;
                    }

                    var bytes = data.Slice(at, valueLength).ToArray();
                    at += valueLength;
                    value = type == EventStreamHeaderType.String ? EventStreamHeaderValue.FromUtf8(bytes) : EventStreamHeaderValue.FromBytes(bytes);
                    break;
            }

            foreach (var existing in headers)
            {
                if (string.Equals(existing.Name, name, StringComparison.Ordinal))
                {
                    error = $"Duplicate header '{name}'.";
                    return false;
                }
            }

            headers.Add(new EventStreamHeader(name, value));
        }

        return true;
    }
}
