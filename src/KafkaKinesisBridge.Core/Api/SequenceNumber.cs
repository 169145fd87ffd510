using System.Diagnostics.CodeAnalysis;

namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// A Kinesis sequence number as this gateway issues it: a shard index and a position in the shard's
/// partition, written as a fixed-width decimal string.
/// </summary>
/// <remarks>
/// <para>Exactly <see cref="Length"/> = 30 ASCII digits, in one of two layouts told apart by the first
/// digit:</para>
/// <code>
///   L          layout digit: 2 (issued now) or 1 (issued by earlier versions; still accepted)
///   SSSSSSSSSS shard index, 10 digits, zero padded (0 .. 2147483647)
///   VVV...V    19 digits, zero padded:
///                layout 2: a position, the number of records before it: offset + 1 for the record
///                          at offset, so "before offset n" is n and "after the record at n - 1" is n
///                layout 1: the offset of a record
/// </code>
/// <para>Layout 2 numbers name positions as well as records, which layout 1 could not: a shard's
/// StartingSequenceNumber (before its first offset) sorts below every record of the shard, its
/// EndingSequenceNumber is the number of its last record, and a SubscribeToShard
/// ContinuationSequenceNumber continues exactly after the last record delivered, also when none was
/// (AFTER_SEQUENCE_NUMBER with position n starts at offset n).</para>
/// <para>Both layouts satisfy the Kinesis pattern <c>0|([1-9]\d{0,128})</c> (API reference,
/// SequenceNumber). Because every field has a fixed width, comparing two numbers as unsigned big
/// integers (what KCL and most clients do) orders them by layout, then shard, then position: every
/// layout 1 number already handed out (KCL checkpoints) sorts below every layout 2 number, which the
/// gateway issues only for records written later, so a shard's numbers keep increasing. Real Kinesis
/// numbers are 56 digits; clients treat them as opaque big integers.</para>
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

    /// <summary>The first digit of numbers issued now: the position layout.</summary>
    public const char Version = '2';

    /// <summary>The first digit of numbers issued by earlier versions (record offsets).</summary>
    public const char LegacyVersion = '1';

    private const int ShardDigits = 10;
    private const int OffsetDigits = 19;

    private readonly long _value;
    private readonly byte _layout;

    /// <summary>The sequence number of the record at <paramref name="offset"/> (layout 2).</summary>
    /// <param name="shardIndex">The shard index, 0 or more.</param>
    /// <param name="offset">The record's offset in the shard's partition, 0 or more.</param>
    public SequenceNumber(int shardIndex, long offset)
        : this(shardIndex, offset, 2)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(offset, long.MaxValue);
        _value = offset + 1;
    }

    private SequenceNumber(int shardIndex, long value, byte layout)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ShardIndex = shardIndex;
        _value = value;
        _layout = layout;
    }

    /// <summary>The position before <paramref name="offset"/> (layout 2): below the record at that offset, equal to the one before it.</summary>
    public static SequenceNumber Before(int shardIndex, long offset) => new(shardIndex, offset, 2);

    /// <summary>A layout 1 number (the record at <paramref name="offset"/>), as earlier versions issued them.</summary>
    public static SequenceNumber Legacy(int shardIndex, long offset) => new(shardIndex, offset, 1);

    /// <summary>The shard index (partition number).</summary>
    public int ShardIndex { get; }

    /// <summary>The layout: 2 (positions) or 1 (record offsets, issued by earlier versions).</summary>
    public int Layout => _layout == 1 ? 1 : 2;

    /// <summary>
    /// The offset of the record this number names, where AT_SEQUENCE_NUMBER starts: layout 2 value - 1
    /// (-1 for the position before offset 0), layout 1 the offset itself.
    /// </summary>
    public long Offset => Layout == 1 ? _value : _value - 1;

    /// <summary>Where AFTER_SEQUENCE_NUMBER starts: the offset just after this number's record or position.</summary>
    public long AfterOffset => Layout == 1 ? _value + 1 : _value;

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

    /// <summary>Parses a sequence number in either of this gateway's layouts; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out SequenceNumber value)
    {
        value = default;
        if (text.Length != Length || (text[0] != Version && text[0] != LegacyVersion))
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

        value = new SequenceNumber((int)shard, offset, text[0] == Version ? (byte)2 : (byte)1);
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
    public bool Equals(SequenceNumber other) => Layout == other.Layout && ShardIndex == other.ShardIndex && _value == other._value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SequenceNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Layout, ShardIndex, _value);

    /// <inheritdoc />
    public int CompareTo(SequenceNumber other)
    {
        var byLayout = Layout.CompareTo(other.Layout);
        if (byLayout != 0)
        {
            return byLayout;
        }

        var byShard = ShardIndex.CompareTo(other.ShardIndex);
        return byShard != 0 ? byShard : _value.CompareTo(other._value);
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

        utf8Destination[0] = (byte)LayoutDigit;
        WriteDigits(utf8Destination.Slice(1, ShardDigits), (ulong)ShardIndex);
        WriteDigits(utf8Destination.Slice(1 + ShardDigits, OffsetDigits), (ulong)_value);
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
        destination[0] = LayoutDigit;
        WriteDigits(destination.Slice(1, ShardDigits), (ulong)ShardIndex);
        WriteDigits(destination.Slice(1 + ShardDigits, OffsetDigits), (ulong)_value);
    }

    private char LayoutDigit => Layout == 1 ? LegacyVersion : Version;

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
