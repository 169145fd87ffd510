using System.Diagnostics.CodeAnalysis;

namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// A Kinesis sequence number as this gateway issues it: a shard index and a storage offset, written
/// as a fixed-width decimal string.
/// </summary>
/// <remarks>
/// <para>Layout (version 1), exactly <see cref="Length"/> = 30 ASCII digits:</para>
/// <code>
///   1          version digit (never 0, so the string has no leading zero)
///   SSSSSSSSSS shard index, 10 digits, zero padded (0 .. 2147483647)
///   OOO...O    offset in the shard's partition, 19 digits, zero padded (0 .. 9223372036854775807)
/// </code>
/// <para>This satisfies the Kinesis pattern <c>0|([1-9]\d{0,128})</c> (API reference, SequenceNumber).
/// Because every field has a fixed width, comparing two sequence numbers as unsigned big integers
/// (what KCL and most clients do) orders them by shard, then offset, which within one shard is the
/// storage order: sequence numbers of a shard are unique and strictly increasing, as Kinesis requires.
/// Real Kinesis numbers are 56 digits; clients treat them as opaque big integers, so the shorter form
/// is compatible and saves bytes on every record.</para>
/// <para>Allocation-free: <see cref="TryFormat(Span{char}, out int)"/> and
/// <see cref="TryFormat(Span{byte}, out int)"/> write straight into a response buffer.</para>
/// </remarks>
public readonly struct SequenceNumber :
    IEquatable<SequenceNumber>,
    IComparable<SequenceNumber>,
    ISpanFormattable,
    IUtf8SpanFormattable
{
    /// <summary>Characters in a formatted sequence number.</summary>
    public const int Length = 30;

    /// <summary>The first digit: the layout version.</summary>
    public const char Version = '1';

    private const int ShardDigits = 10;
    private const int OffsetDigits = 19;

    /// <summary>Creates a sequence number.</summary>
    /// <param name="shardIndex">The shard index, 0 or more.</param>
    /// <param name="offset">The offset in the shard's partition, 0 or more.</param>
    public SequenceNumber(int shardIndex, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ShardIndex = shardIndex;
        Offset = offset;
    }

    /// <summary>The shard index (partition number).</summary>
    public int ShardIndex { get; }

    /// <summary>The storage offset of the record within the shard.</summary>
    public long Offset { get; }

    /// <summary>Equality.</summary>
    public static bool operator ==(SequenceNumber left, SequenceNumber right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(SequenceNumber left, SequenceNumber right) => !left.Equals(right);

    /// <summary>Order, as big integers.</summary>
    public static bool operator <(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) < 0;

    /// <summary>Order, as big integers.</summary>
    public static bool operator >(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) > 0;

    /// <summary>Order, as big integers.</summary>
    public static bool operator <=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) <= 0;

    /// <summary>Order, as big integers.</summary>
    public static bool operator >=(SequenceNumber left, SequenceNumber right) => left.CompareTo(right) >= 0;

    /// <summary>Parses a sequence number in this gateway's layout; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SequenceNumber value)
    {
        value = default;
        if (text.Length != Length || text[0] != Version)
        {
            return false;
        }

        ulong shard = 0;
        for (var i = 1; i <= ShardDigits; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            shard = (shard * 10) + digit;
        }

        if (shard > int.MaxValue || !TryParseOffset(text[(1 + ShardDigits)..], out var offset))
        {
            return false;
        }

        value = new SequenceNumber((int)shard, offset);
        return true;
    }

    /// <summary>Parses a UTF-8 sequence number in this gateway's layout; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Text, out SequenceNumber value)
    {
        value = default;
        if (utf8Text.Length != Length)
        {
            return false;
        }

        Span<char> chars = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            chars[i] = (char)utf8Text[i];
        }

        return TryParse(chars, out value);
    }

    /// <summary>Parses a sequence number; false for null or anything not in this gateway's layout.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SequenceNumber value)
    {
        if (text is null)
        {
            value = default;
            return false;
        }

        return TryParse(text.AsSpan(), out value);
    }

    /// <inheritdoc />
    public bool Equals(SequenceNumber other) => ShardIndex == other.ShardIndex && Offset == other.Offset;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ShardIndex, Offset);

    /// <inheritdoc />
    public int CompareTo(SequenceNumber other)
    {
        var byShard = ShardIndex.CompareTo(other.ShardIndex);
        return byShard != 0 ? byShard : Offset.CompareTo(other.Offset);
    }

    /// <summary>The 30-digit decimal form.</summary>
    public override string ToString() => string.Create(Length, this, static (span, value) => value.Write(span));

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Writes the 30-digit decimal form; false when <paramref name="destination"/> is too small.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (destination.Length < Length)
        {
            charsWritten = 0;
            return false;
        }

        Write(destination);
        charsWritten = Length;
        return true;
    }

    /// <summary>Writes the 30-digit decimal form as UTF-8; false when <paramref name="utf8Destination"/> is too small.</summary>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten)
    {
        if (utf8Destination.Length < Length)
        {
            bytesWritten = 0;
            return false;
        }

        utf8Destination[0] = (byte)Version;
        WriteDigits(utf8Destination.Slice(1, ShardDigits), (ulong)ShardIndex);
        WriteDigits(utf8Destination.Slice(1 + ShardDigits, OffsetDigits), (ulong)Offset);
        bytesWritten = Length;
        return true;
    }

    /// <inheritdoc />
    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    /// <inheritdoc />
    bool IUtf8SpanFormattable.TryFormat(Span<byte> utf8Destination, out int bytesWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(utf8Destination, out bytesWritten);

    private void Write(Span<char> destination)
    {
        destination[0] = Version;
        WriteDigits(destination.Slice(1, ShardDigits), (ulong)ShardIndex);
        WriteDigits(destination.Slice(1 + ShardDigits, OffsetDigits), (ulong)Offset);
    }

    private static bool TryParseOffset(ReadOnlySpan<char> digits, out long offset)
    {
        offset = 0;
        ulong value = 0;
        foreach (var c in digits)
        {
            var digit = (uint)(c - '0');
            if (digit > 9)
            {
                return false;
            }

            // 19 digits fit in a ulong (max 9999999999999999999 < 2^64), so no overflow check per step.
            value = (value * 10) + digit;
        }

        if (value > long.MaxValue)
        {
            return false;
        }

        offset = (long)value;
        return true;
    }

    private static void WriteDigits(Span<char> destination, ulong value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            (value, var digit) = Math.DivRem(value, 10UL);
            destination[i] = (char)('0' + digit);
        }
    }

    private static void WriteDigits(Span<byte> destination, ulong value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            (value, var digit) = Math.DivRem(value, 10UL);
            destination[i] = (byte)('0' + digit);
        }
    }
}
