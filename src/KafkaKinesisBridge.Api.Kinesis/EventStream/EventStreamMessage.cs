using System.Text;

namespace KafkaKinesisBridge.Api.Kinesis.EventStream;

/// <summary>Header value types of the AWS event stream encoding (the type byte on the wire).</summary>
public enum EventStreamHeaderType : byte
{
    BoolTrue = 0,
    BoolFalse = 1,
    Byte = 2,
    Int16 = 3,
    Int32 = 4,
    Int64 = 5,
    ByteArray = 6,
    String = 7,
    Timestamp = 8,
    Uuid = 9,
}

/// <summary>A typed header value of an event stream message.</summary>
public readonly struct EventStreamHeaderValue : IEquatable<EventStreamHeaderValue>
{
    private readonly long _integer;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Guid _uuid;

    private EventStreamHeaderValue(EventStreamHeaderType type, long integer = 0, ReadOnlyMemory<byte> bytes = default, Guid uuid = default)
    {
        Type = type;
        _integer = integer;
        _bytes = bytes;
        _uuid = uuid;
    }

    /// <summary>The wire type.</summary>
    public EventStreamHeaderType Type { get; }

    /// <summary>A boolean (types 0 and 1 carry the value in the type byte).</summary>
    public static EventStreamHeaderValue FromBoolean(bool value) => new(value ? EventStreamHeaderType.BoolTrue : EventStreamHeaderType.BoolFalse);

    /// <summary>A signed byte.</summary>
    public static EventStreamHeaderValue FromByte(sbyte value) => new(EventStreamHeaderType.Byte, value);

    /// <summary>A 16-bit integer.</summary>
    public static EventStreamHeaderValue FromInt16(short value) => new(EventStreamHeaderType.Int16, value);

    /// <summary>A 32-bit integer.</summary>
    public static EventStreamHeaderValue FromInt32(int value) => new(EventStreamHeaderType.Int32, value);

    /// <summary>A 64-bit integer.</summary>
    public static EventStreamHeaderValue FromInt64(long value) => new(EventStreamHeaderType.Int64, value);

    /// <summary>Bytes (at most 32767).</summary>
    public static EventStreamHeaderValue FromBytes(ReadOnlyMemory<byte> value) => new(EventStreamHeaderType.ByteArray, bytes: value);

    /// <summary>A string, stored as UTF-8 (at most 32767 bytes).</summary>
    public static EventStreamHeaderValue FromString(string value) => new(EventStreamHeaderType.String, bytes: Encoding.UTF8.GetBytes(value));

    /// <summary>A string given as UTF-8 bytes.</summary>
    public static EventStreamHeaderValue FromUtf8(ReadOnlyMemory<byte> utf8) => new(EventStreamHeaderType.String, bytes: utf8);

    /// <summary>A timestamp in epoch milliseconds.</summary>
    public static EventStreamHeaderValue FromTimestamp(long epochMilliseconds) => new(EventStreamHeaderType.Timestamp, epochMilliseconds);

    /// <summary>A UUID (16 bytes, RFC 4122 byte order).</summary>
    public static EventStreamHeaderValue FromUuid(Guid value) => new(EventStreamHeaderType.Uuid, uuid: value);

    /// <summary>The boolean of a type 0/1 header.</summary>
    public bool AsBoolean() => Type switch
    {
        EventStreamHeaderType.BoolTrue => true,
        EventStreamHeaderType.BoolFalse => false,
        _ => throw WrongType("boolean"),
    };

    /// <summary>The integer of a byte/int16/int32/int64 header.</summary>
    public long AsInt64() => Type is EventStreamHeaderType.Byte or EventStreamHeaderType.Int16 or EventStreamHeaderType.Int32 or EventStreamHeaderType.Int64
        ? _integer
        : throw WrongType("integer");

    /// <summary>The bytes of a byte array header, or the UTF-8 of a string header.</summary>
    public ReadOnlyMemory<byte> AsBytes() => Type is EventStreamHeaderType.ByteArray or EventStreamHeaderType.String ? _bytes : throw WrongType("byte array");

    /// <summary>The text of a string header.</summary>
    public string AsString() => Type == EventStreamHeaderType.String ? Encoding.UTF8.GetString(_bytes.Span) : throw WrongType("string");

    /// <summary>The epoch milliseconds of a timestamp header.</summary>
    public long AsTimestampMilliseconds() => Type == EventStreamHeaderType.Timestamp ? _integer : throw WrongType("timestamp");

    /// <summary>The UUID of a uuid header.</summary>
    public Guid AsUuid() => Type == EventStreamHeaderType.Uuid ? _uuid : throw WrongType("uuid");

    /// <inheritdoc />
    public bool Equals(EventStreamHeaderValue other) =>
        Type == other.Type && _integer == other._integer && _uuid == other._uuid && _bytes.Span.SequenceEqual(other._bytes.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EventStreamHeaderValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, _integer, _uuid, _bytes.Length);

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        EventStreamHeaderType.BoolTrue => "true",
        EventStreamHeaderType.BoolFalse => "false",
        EventStreamHeaderType.ByteArray => Convert.ToHexString(_bytes.Span),
        EventStreamHeaderType.String => AsString(),
        EventStreamHeaderType.Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(_integer).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        EventStreamHeaderType.Uuid => _uuid.ToString(),
        _ => _integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Equality.</summary>
    public static bool operator ==(EventStreamHeaderValue left, EventStreamHeaderValue right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(EventStreamHeaderValue left, EventStreamHeaderValue right) => !left.Equals(right);

    internal ReadOnlySpan<byte> Bytes => _bytes.Span;

    internal long Integer => _integer;

    internal Guid Uuid => _uuid;

    private InvalidOperationException WrongType(string wanted) => new($"The header holds a {Type}, not a {wanted}.");
}

/// <summary>One header of an event stream message.</summary>
/// <param name="Name">The name (at most 127 bytes of UTF-8).</param>
/// <param name="Value">The typed value.</param>
public readonly record struct EventStreamHeader(string Name, EventStreamHeaderValue Value);

/// <summary>A decoded event stream message: headers and payload.</summary>
public sealed class EventStreamMessage
{
    /// <summary>A message.</summary>
    public EventStreamMessage(IReadOnlyList<EventStreamHeader> headers, ReadOnlyMemory<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Headers = headers;
        Payload = payload;
    }

    /// <summary>The headers, in wire order.</summary>
    public IReadOnlyList<EventStreamHeader> Headers { get; }

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Finds a header by name.</summary>
    public bool TryGetHeader(string name, out EventStreamHeaderValue value)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.Ordinal))
            {
                value = header.Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
