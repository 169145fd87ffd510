using System.Buffers.Binary;
using System.Text;

namespace KafkaKinesisBridge.Bench.Kinesis;

/// <summary>One AWS event stream message as the bench needs it: its kind and its payload.</summary>
internal sealed record EventStreamFrame(string? MessageType, string? EventType, string? ExceptionType, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Splits an <c>application/vnd.amazon.eventstream</c> body into messages (prelude: total length,
/// headers length, prelude CRC; headers; payload; message CRC) and reads the string headers the bench
/// dispatches on. A load generator's reader: it trusts the framing and does not check the CRCs (the
/// gateway's codec is checked against botocore's vectors and by the SDKs in the tests).
/// </summary>
internal sealed class EventStreamFrames(Stream body)
{
    private const int Prelude = 12;
    private const int MaxMessage = 16 * 1024 * 1024;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next message, or null at the end of the body.</summary>
    public async ValueTask<EventStreamFrame?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _end - _start;
            if (available >= Prelude)
            {
                var total = (int)BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
                if (total < Prelude + 4 || total > MaxMessage)
                {
                    throw new InvalidDataException($"Invalid event stream message length {total}.");
                }

                if (available >= total)
                {
                    var frame = Parse(_buffer.AsSpan(_start, total));
                    _start += total;
                    return frame;
                }

                if (total > _buffer.Length)
                {
                    Array.Resize(ref _buffer, total);
                }
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await body.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return _end == _start ? null : throw new InvalidDataException("The event stream ended inside a message.");
            }

            _end += read;
        }
    }

    private static EventStreamFrame Parse(ReadOnlySpan<byte> message)
    {
        var headersLength = (int)BinaryPrimitives.ReadUInt32BigEndian(message[4..]);
        var headers = message.Slice(Prelude, headersLength);
        string? messageType = null, eventType = null, exceptionType = null;
        var at = 0;
        while (at < headers.Length)
        {
            int nameLength = headers[at++];
            var name = headers.Slice(at, nameLength);
            at += nameLength;
            var type = headers[at++];
            int valueLength = type switch
            {
                0 or 1 => 0,
                2 => 1,
                3 => 2,
                4 => 4,
                5 or 8 => 8,
                9 => 16,
                6 or 7 => 2 + BinaryPrimitives.ReadUInt16BigEndian(headers[at..]),
                _ => throw new InvalidDataException($"Unknown header type {type}."),
            };
            if (type == 7)
            {
                var value = Encoding.UTF8.GetString(headers.Slice(at + 2, valueLength - 2));
                if (name.SequenceEqual(":message-type"u8))
                {
                    messageType = value;
                }
                else if (name.SequenceEqual(":event-type"u8))
                {
                    eventType = value;
                }
                else if (name.SequenceEqual(":exception-type"u8))
                {
                    exceptionType = value;
                }
            }

            at += valueLength;
        }

        var payload = message[(Prelude + headersLength)..^4].ToArray();
        return new EventStreamFrame(messageType, eventType, exceptionType, payload);
    }
}
