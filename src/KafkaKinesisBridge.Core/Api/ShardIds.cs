namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// Shard ids: shard <c>i</c> of a stream is <c>shardId-</c> followed by <c>i</c> in 12 digits
/// (<c>shardId-000000000000</c>), as Kinesis names them. Formatting is cached so results can carry the
/// id string without allocating per record.
/// </summary>
public static class ShardIds
{
    /// <summary>The prefix of every shard id.</summary>
    public const string Prefix = "shardId-";

    /// <summary>Characters in a shard id of an index below 10^12 (every int index).</summary>
    public const int Length = 20;

    private const int CachedCount = 4096;
    private static readonly string?[] Cache = new string?[CachedCount];

    /// <summary>The shard id of shard <paramref name="index"/>; cached for the first 4096 indexes.</summary>
    public static string Format(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index < CachedCount)
        {
            // Benign race: two threads may both create the string; either instance is correct.
            return Cache[index] ??= Create(index);
        }

        return Create(index);
    }

    /// <summary>Writes the shard id of <paramref name="index"/> as UTF-8 (20 bytes).</summary>
    public static bool TryFormat(int index, Span<byte> utf8Destination, out int bytesWritten)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (utf8Destination.Length < Length)
        {
            bytesWritten = 0;
            return false;
        }

        "shardId-"u8.CopyTo(utf8Destination);
        var value = (uint)index;
        for (var i = Length - 1; i >= Prefix.Length; i--)
        {
            (value, var digit) = Math.DivRem(value, 10u);
            utf8Destination[i] = (byte)('0' + digit);
        }

        bytesWritten = Length;
        return true;
    }

    /// <summary>
    /// Reads a shard index from a shard id the way Kinesis does: the digits after the last '-' (or
    /// the whole text when it has none) are the index, whatever the prefix, so <c>shardId-000000000001</c>,
    /// <c>shardId-1</c> and <c>1</c> all name shard 1. False when those are not 1 or more decimal
    /// digits of a value up to <see cref="int.MaxValue"/> (Kinesis then answers "Could not find shard").
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> shardId, out int index)
    {
        index = -1;
        var dash = shardId.LastIndexOf('-');
        var digits = dash < 0 ? shardId : shardId[(dash + 1)..];
        if (digits.IsEmpty)
        {
            return false;
        }

        long value = 0;
        foreach (var c in digits)
        {
            var digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
            if (value > int.MaxValue)
            {
                return false;
            }
        }

        index = (int)value;
        return true;
    }

    private static string Create(int index) => string.Create(Length, index, static (span, value) =>
    {
        Prefix.AsSpan().CopyTo(span);
        var remaining = (uint)value;
        for (var i = Length - 1; i >= Prefix.Length; i--)
        {
            (remaining, var digit) = Math.DivRem(remaining, 10u);
            span[i] = (char)('0' + digit);
        }
    });
}
