using System.Numerics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class SequenceNumberTests
{
    private static readonly Arbitrary<(int Shard, long Offset)> Positions = Arb.From(
        from shard in Gen.Choose(0, int.MaxValue)
        from high in Gen.Choose(0, int.MaxValue)
        from low in Gen.Choose(0, int.MaxValue)
        from scale in Gen.Elements(0, 1, 2)
        select (shard, scale switch
        {
            0 => (long)low,
            1 => ((long)high << 31) | (uint)low,
            _ => long.MaxValue - 1 - low,
        }));

    [Fact]
    public void ToString_KnownValue_HasFixedLayout()
    {
        var value = new SequenceNumber(3, 42);

        // Layout 2: the record at offset 42 is position 43 (the records before it plus itself).
        Assert.Equal("200000000030000000000000000043", value.ToString());
        Assert.Equal("200000000030000000000000000042", SequenceNumber.Before(3, 42).ToString());
        Assert.Equal("100000000030000000000000000042", SequenceNumber.Legacy(3, 42).ToString());
        Assert.Equal(SequenceNumber.Length, value.ToString().Length);
    }

    [Fact]
    public void ToString_Extremes_MatchKinesisPattern()
    {
        var max = SequenceNumber.Before(int.MaxValue, long.MaxValue).ToString();
        var min = SequenceNumber.Legacy(0, 0).ToString();

        Assert.Matches("^(0|([1-9]\\d{0,128}))$", max);
        Assert.Matches("^(0|([1-9]\\d{0,128}))$", min);
        Assert.Equal("221474836479223372036854775807", max);
    }

    [Fact]
    public void RoundTrip_AnyPosition_ParsesBackExactly()
    {
        Prop.ForAll(Positions, p =>
        {
            var value = new SequenceNumber(p.Shard, p.Offset);
            var text = value.ToString();
            Span<byte> utf8 = stackalloc byte[SequenceNumber.Length];
            Span<char> utf16 = stackalloc char[SequenceNumber.Length];
            var utf8Ok = value.TryFormat(utf8, out var bytes) & SequenceNumber.TryParse(utf8[..bytes], out var fromUtf8);
            var utf16Ok = value.TryFormat(utf16, out var chars) & SequenceNumber.TryParse(utf16[..chars], out var fromUtf16);
            return SequenceNumber.TryParse(text, out var parsed)
                && parsed == value
                && utf8Ok && fromUtf8 == value
                && utf16Ok && fromUtf16 == value
                && Encoding.ASCII.GetString(utf8) == text;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Order_AnyTwoPositions_MatchesBigIntegerOrder()
    {
        var pairs = Arb.From(from a in Positions.Generator from b in Positions.Generator select (a, b));
        Prop.ForAll(pairs, pair =>
        {
            var left = new SequenceNumber(pair.a.Shard, pair.a.Offset);
            var right = new SequenceNumber(pair.b.Shard, pair.b.Offset);
            var asIntegers = BigInteger.Parse(left.ToString()).CompareTo(BigInteger.Parse(right.ToString()));
            return Math.Sign(asIntegers) == Math.Sign(left.CompareTo(right));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Order_SameShardIncreasingOffsets_StrictlyIncreasingAsIntegers()
    {
        var previous = BigInteger.MinusOne;
        foreach (var offset in new long[] { 0, 1, 9, 10, 99, 100, 123456789, long.MaxValue - 2, long.MaxValue - 1 })
        {
            var current = BigInteger.Parse(new SequenceNumber(7, offset).ToString());
            Assert.True(current > previous);
            previous = current;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("49554751971385712311965096607999491514675643249030332418")]
    [InlineData("300000000030000000000000000042")]
    [InlineData("000000000030000000000000000042")]
    [InlineData("10000000003000000000000000004")]
    [InlineData("1000000000300000000000000000042")]
    [InlineData("10000000003000000000000000004a")]
    [InlineData("130000000000000000000000000000")]
    [InlineData("100000000009999999999999999999")]
    public void TryParse_NotThisLayout_ReturnsFalse(string text)
    {
        Assert.False(SequenceNumber.TryParse(text, out _));
        Assert.False(SequenceNumber.TryParse(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void RoundTrip_AnyLayout_ParsesBackExactly()
    {
        Prop.ForAll(Positions, p =>
        {
            var legacy = SequenceNumber.Legacy(p.Shard, p.Offset);
            var position = SequenceNumber.Before(p.Shard, p.Offset);
            return SequenceNumber.TryParse(legacy.ToString(), out var parsedLegacy) && parsedLegacy == legacy && parsedLegacy.Layout == 1
                && SequenceNumber.TryParse(position.ToString(), out var parsedPosition) && parsedPosition == position && parsedPosition.Layout == 2;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Order_LegacyAndPositions_MatchBigIntegerOrderAndLegacySortsBelow()
    {
        var pairs = Arb.From(from a in Positions.Generator from b in Positions.Generator select (a, b));
        Prop.ForAll(pairs, pair =>
        {
            var legacy = SequenceNumber.Legacy(pair.a.Shard, pair.a.Offset);
            var position = SequenceNumber.Before(pair.b.Shard, pair.b.Offset);
            var asIntegers = BigInteger.Parse(legacy.ToString()).CompareTo(BigInteger.Parse(position.ToString()));
            return asIntegers < 0 && legacy.CompareTo(position) < 0 && position.CompareTo(legacy) > 0;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Positions_RecordAndNeighbours_BeforeAtAfterAgree()
    {
        var record = new SequenceNumber(4, 10);

        Assert.Equal(SequenceNumber.Before(4, 11), record);
        Assert.True(SequenceNumber.Before(4, 10) < record);
        Assert.Equal(10, record.Offset);
        Assert.Equal(11, record.AfterOffset);
        Assert.Equal(0, SequenceNumber.Before(4, 0).AfterOffset);
        Assert.Equal(10, SequenceNumber.Legacy(4, 10).Offset);
        Assert.Equal(11, SequenceNumber.Legacy(4, 10).AfterOffset);
    }

    [Fact]
    public void TryFormat_DestinationTooSmall_ReturnsFalse()
    {
        var value = new SequenceNumber(1, 2);

        Assert.False(value.TryFormat(new char[SequenceNumber.Length - 1], out var chars));
        Assert.False(value.TryFormat(new byte[SequenceNumber.Length - 1], out var bytes));
        Assert.Equal(0, chars + bytes);
    }

    [Fact]
    public void ShardIds_FormatAndParse_FollowKinesis()
    {
        Assert.Equal("shardId-000000000000", ShardIds.Format(0));
        Assert.Equal("shardId-002147483647", ShardIds.Format(int.MaxValue));
        Assert.Same(ShardIds.Format(5), ShardIds.Format(5));
        var utf8 = new byte[ShardIds.Length];
        Assert.True(ShardIds.TryFormat(12, utf8, out _));
        Assert.Equal("shardId-000000000012", Encoding.ASCII.GetString(utf8));

        // Kinesis reads the digits after the last '-' whatever the prefix.
        Assert.True(ShardIds.TryParse("shardId-000000000005", out var a) && a == 5);
        Assert.True(ShardIds.TryParse("shardId-5", out var b) && b == 5);
        Assert.True(ShardIds.TryParse("2147483647", out var c) && c == int.MaxValue);
        Assert.True(ShardIds.TryParse("a-00002147483647", out var d) && d == int.MaxValue);
        Assert.False(ShardIds.TryParse("2147483648", out _));
        Assert.False(ShardIds.TryParse("ABKLFD8", out _));
        Assert.False(ShardIds.TryParse("2.14E4", out _));
        Assert.False(ShardIds.TryParse("shardId-", out _));
    }
}
