using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Iterators;

/// <summary>Where a shard iterator points: a stream incarnation, a shard, the next offset to read.</summary>
internal readonly record struct IteratorPosition(string StreamName, ulong Incarnation, int ShardIndex, long Offset, long IssuedAtMs);

/// <summary>A ListShards page position: the stream, the last shard returned and the filter in force.</summary>
internal readonly record struct ListShardsPosition(
    string StreamName,
    ulong Incarnation,
    int LastShardIndex,
    byte FilterType,
    long FilterTimestampMs,
    long IssuedAtMs);

/// <summary>A ListStreamConsumers page position: the stream incarnation and how many consumers were returned.</summary>
internal readonly record struct ListConsumersPosition(string StreamName, ulong Incarnation, int Returned, long IssuedAtMs);

/// <summary>
/// Opaque, tamper-evident tokens: shard iterators and pagination NextTokens. Each token is
/// <c>base64(kind | fields | HMAC-SHA256(key, kind | fields)[..16])</c>; the key is shared by all gateway
/// replicas (configured, or created once in the catalog), so any replica accepts any replica's token.
/// </summary>
/// <remarks>
/// Shard iterator layout (kind 1), at most 30 + 128 + 16 = 174 bytes, so at most 232 base64 characters,
/// within Kinesis' 1..512 (API reference, GetRecords ShardIterator):
/// <code>
///   kind 0x01 | incarnation u64 | shard i32 | offset i64 | issued-at ms i64 | name length u8 | name ASCII | tag[16]
/// </code>
/// The incarnation (random per CreateStream) rejects an iterator of a deleted and re-created stream;
/// the issue time makes iterators expire; the tag makes any change detectable (InvalidArgumentException).
/// </remarks>
internal sealed class TokenCodec
{
    private const byte IteratorKind = 0x01;
    private const byte ListShardsKind = 0x02;
    private const byte ListStreamsKind = 0x03;
    private const byte ListConsumersKind = 0x04;
    private const int TagLength = 16;
    private const int MaxNameLength = Constraints.MaxStreamNameLength;

    private byte[]? _key;

    /// <summary>True once a key is set.</summary>
    public bool HasKey => Volatile.Read(ref _key) is not null;

    /// <summary>Sets the signing key (shared by all replicas).</summary>
    public void SetKey(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new ArgumentException("The signing key must hold at least 32 bytes.", nameof(key));
        }

        Volatile.Write(ref _key, key);
    }

    public string EncodeIterator(in IteratorPosition position)
    {
        Span<byte> buffer = stackalloc byte[30 + MaxNameLength + TagLength];
        buffer[0] = IteratorKind;
        BinaryPrimitives.WriteUInt64BigEndian(buffer[1..], position.Incarnation);
        BinaryPrimitives.WriteInt32BigEndian(buffer[9..], position.ShardIndex);
        BinaryPrimitives.WriteInt64BigEndian(buffer[13..], position.Offset);
        BinaryPrimitives.WriteInt64BigEndian(buffer[21..], position.IssuedAtMs);
        var length = 29 + WriteName(buffer[29..], position.StreamName);
        return Seal(buffer, length);
    }

    public bool TryDecodeIterator(string token, out IteratorPosition position)
    {
        position = default;
        Span<byte> buffer = stackalloc byte[400];
        if (!TryOpen(token, IteratorKind, buffer, out var payload) || payload.Length < 30)
        {
            return false;
        }

        if (!TryReadName(payload[29..], out var name, out var consumed) || 29 + consumed != payload.Length)
        {
            return false;
        }

        var shard = BinaryPrimitives.ReadInt32BigEndian(payload[9..]);
        var offset = BinaryPrimitives.ReadInt64BigEndian(payload[13..]);
        if (shard < 0 || offset < 0)
        {
            return false;
        }

        position = new IteratorPosition(
            name,
            BinaryPrimitives.ReadUInt64BigEndian(payload[1..]),
            shard,
            offset,
            BinaryPrimitives.ReadInt64BigEndian(payload[21..]));
        return true;
    }

    public string EncodeListShards(in ListShardsPosition position)
    {
        Span<byte> buffer = stackalloc byte[31 + MaxNameLength + TagLength];
        buffer[0] = ListShardsKind;
        BinaryPrimitives.WriteUInt64BigEndian(buffer[1..], position.Incarnation);
        BinaryPrimitives.WriteInt32BigEndian(buffer[9..], position.LastShardIndex);
        buffer[13] = position.FilterType;
        BinaryPrimitives.WriteInt64BigEndian(buffer[14..], position.FilterTimestampMs);
        BinaryPrimitives.WriteInt64BigEndian(buffer[22..], position.IssuedAtMs);
        var length = 30 + WriteName(buffer[30..], position.StreamName);
        return Seal(buffer, length);
    }

    public bool TryDecodeListShards(string token, out ListShardsPosition position)
    {
        position = default;
        Span<byte> buffer = stackalloc byte[400];
        if (!TryOpen(token, ListShardsKind, buffer, out var payload) || payload.Length < 31)
        {
            return false;
        }

        if (!TryReadName(payload[30..], out var name, out var consumed) || 30 + consumed != payload.Length)
        {
            return false;
        }

        position = new ListShardsPosition(
            name,
            BinaryPrimitives.ReadUInt64BigEndian(payload[1..]),
            BinaryPrimitives.ReadInt32BigEndian(payload[9..]),
            payload[13],
            BinaryPrimitives.ReadInt64BigEndian(payload[14..]),
            BinaryPrimitives.ReadInt64BigEndian(payload[22..]));
        return true;
    }

    public string EncodeListStreams(string lastStreamName, long issuedAtMs)
    {
        Span<byte> buffer = stackalloc byte[10 + MaxNameLength + TagLength];
        buffer[0] = ListStreamsKind;
        BinaryPrimitives.WriteInt64BigEndian(buffer[1..], issuedAtMs);
        var length = 9 + WriteName(buffer[9..], lastStreamName);
        return Seal(buffer, length);
    }

    public bool TryDecodeListStreams(string token, out string lastStreamName, out long issuedAtMs)
    {
        lastStreamName = string.Empty;
        issuedAtMs = 0;
        Span<byte> buffer = stackalloc byte[400];
        if (!TryOpen(token, ListStreamsKind, buffer, out var payload) || payload.Length < 10)
        {
            return false;
        }

        if (!TryReadName(payload[9..], out lastStreamName, out var consumed) || 9 + consumed != payload.Length)
        {
            return false;
        }

        issuedAtMs = BinaryPrimitives.ReadInt64BigEndian(payload[1..]);
        return true;
    }

    public string EncodeListConsumers(in ListConsumersPosition position)
    {
        Span<byte> buffer = stackalloc byte[22 + MaxNameLength + TagLength];
        buffer[0] = ListConsumersKind;
        BinaryPrimitives.WriteUInt64BigEndian(buffer[1..], position.Incarnation);
        BinaryPrimitives.WriteInt32BigEndian(buffer[9..], position.Returned);
        BinaryPrimitives.WriteInt64BigEndian(buffer[13..], position.IssuedAtMs);
        var length = 21 + WriteName(buffer[21..], position.StreamName);
        return Seal(buffer, length);
    }

    public bool TryDecodeListConsumers(string token, out ListConsumersPosition position)
    {
        position = default;
        Span<byte> buffer = stackalloc byte[400];
        if (!TryOpen(token, ListConsumersKind, buffer, out var payload) || payload.Length < 22)
        {
            return false;
        }

        if (!TryReadName(payload[21..], out var name, out var consumed) || 21 + consumed != payload.Length)
        {
            return false;
        }

        var returned = BinaryPrimitives.ReadInt32BigEndian(payload[9..]);
        if (returned < 0)
        {
            return false;
        }

        position = new ListConsumersPosition(
            name,
            BinaryPrimitives.ReadUInt64BigEndian(payload[1..]),
            returned,
            BinaryPrimitives.ReadInt64BigEndian(payload[13..]));
        return true;
    }

    private static int WriteName(Span<byte> destination, string name)
    {
        if (name.Length is 0 or > MaxNameLength || !Constraints.IsName(name))
        {
            throw new ArgumentException("Not a stream name.", nameof(name));
        }

        destination[0] = (byte)name.Length;
        var written = Encoding.ASCII.GetBytes(name, destination[1..]);
        return 1 + written;
    }

    private static bool TryReadName(ReadOnlySpan<byte> source, out string name, out int consumed)
    {
        name = string.Empty;
        consumed = 0;
        if (source.Length < 1)
        {
            return false;
        }

        var length = source[0];
        if (length is 0 or > MaxNameLength || source.Length < 1 + length)
        {
            return false;
        }

        name = Encoding.ASCII.GetString(source.Slice(1, length));
        if (!Constraints.IsName(name))
        {
            return false;
        }

        consumed = 1 + length;
        return true;
    }

    private string Seal(Span<byte> buffer, int length)
    {
        var key = Volatile.Read(ref _key) ?? throw new InvalidOperationException("The token signing key is not set yet.");
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, buffer[..length], mac);
        mac[..TagLength].CopyTo(buffer[length..]);
        return Convert.ToBase64String(buffer[..(length + TagLength)]);
    }

    private bool TryOpen(string token, byte kind, Span<byte> buffer, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var key = Volatile.Read(ref _key);
        if (key is null || token.Length > 512 || !Convert.TryFromBase64String(token, buffer, out var written))
        {
            return false;
        }

        if (written <= TagLength + 1 || buffer[0] != kind)
        {
            return false;
        }

        var body = buffer[..(written - TagLength)];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, body, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..TagLength], buffer.Slice(written - TagLength, TagLength)))
        {
            return false;
        }

        payload = body;
        return true;
    }
}
