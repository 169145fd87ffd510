using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Topics;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class RoutingTests
{
    private static readonly Arbitrary<UInt128> HashKeysArb = Arb.From(
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from mid in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        from edge in Gen.Elements(0, 0, 0, 1, 2)
        select edge switch
        {
            1 => UInt128.Zero + (uint)lo,
            2 => UInt128.MaxValue - (uint)lo,
            _ => new UInt128(((ulong)(uint)hi << 32) | (uint)mid, ((ulong)(uint)mid << 32) | (uint)lo),
        });

    [Fact]
    public void Split_TwoShards_BoundaryAtTwoToThe127()
    {
        var ranges = HashKeys.Split(2);

        Assert.Equal("170141183460469231731687303715884105727", ranges[0].EndingHashKey.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("170141183460469231731687303715884105728", ranges[1].StartingHashKey.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Split_ThreeShards_MatchesKinesisRanges()
    {
        var ranges = HashKeys.Split(3);

        // Ranges Kinesis reports for a 3-shard stream (ListShards).
        Assert.Equal(UInt128.Zero, ranges[0].StartingHashKey);
        Assert.Equal("113427455640312821154458202477256070484", ranges[0].EndingHashKey.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("113427455640312821154458202477256070485", ranges[1].StartingHashKey.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("226854911280625642308916404954512140969", ranges[1].EndingHashKey.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("226854911280625642308916404954512140970", ranges[2].StartingHashKey.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("340282366920938463463374607431768211455", ranges[2].EndingHashKey.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Split_AnyCount_CoversSpaceWithoutGapOrOverlapInEqualSteps()
    {
        Prop.ForAll(Arb.From(Gen.Choose(1, 5000)), count =>
        {
            var ranges = HashKeys.Split(count);
            var step = BigInteger.Pow(2, 128) / count;
            var ok = ranges.Length == count && ranges[0].StartingHashKey == UInt128.Zero && ranges[^1].EndingHashKey == UInt128.MaxValue;
            for (var i = 0; i < count && ok; i++)
            {
                ok = ranges[i].StartingHashKey <= ranges[i].EndingHashKey
                    && (BigInteger)ranges[i].StartingHashKey == step * i
                    && (i == 0 || ranges[i - 1].EndingHashKey + UInt128.One == ranges[i].StartingHashKey);
            }

            return ok;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Route_AnyHashKey_LandsInExactlyTheOneShardOwningIt()
    {
        var cases = Arb.From(from count in Gen.Choose(1, 64) from key in HashKeysArb.Generator select (count, key));
        Prop.ForAll(cases, c =>
        {
            var ranges = HashKeys.Split(c.count);
            var router = new ShardRouter(ranges.Select((r, i) => (i, r)));
            var owners = Enumerable.Range(0, c.count).Where(i => ranges[i].Contains(c.key)).ToList();
            return owners.Count == 1 && router.Route(c.key) == owners[0];
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Route_ShardBoundaries_GoToTheShardStartingThere()
    {
        var ranges = HashKeys.Split(7);
        var router = new ShardRouter(ranges.Select((r, i) => (i, r)));

        for (var i = 0; i < ranges.Length; i++)
        {
            Assert.Equal(i, router.Route(ranges[i].StartingHashKey));
            Assert.Equal(i, router.Route(ranges[i].EndingHashKey));
        }
    }

    [Fact]
    public void ShardRouter_Gap_Rejected()
    {
        var ranges = HashKeys.Split(2);
        var withGap = new[] { (0, ranges[0] with { EndingHashKey = ranges[0].EndingHashKey - UInt128.One }), (1, ranges[1]) };

        Assert.Throws<ArgumentException>(() => new ShardRouter(withGap));
    }

    [Fact]
    public void FromPartitionKey_IsMd5OfUtf8AsBigEndianInteger()
    {
        foreach (var key in new[] { "a", "partition-key", "ünïcødé ключ", new string('x', 256) })
        {
            var md5 = MD5.HashData(Encoding.UTF8.GetBytes(key));
            var expected = new BigInteger(md5, isUnsigned: true, isBigEndian: true);

            Assert.Equal(expected, (BigInteger)HashKeys.FromPartitionKey(key));
            Assert.Equal(expected, (BigInteger)HashKeys.FromUtf8PartitionKey(Encoding.UTF8.GetBytes(key)));
        }
    }

    [Fact]
    public void Md5_AnyInput_EqualsFrameworkMd5AsBigEndianInteger()
    {
        var inputs = Arb.From(
            from length in Gen.Choose(0, 800)
            from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
            select bytes);
        Prop.ForAll(inputs, bytes =>
            (BigInteger)Md5.HashToUInt128(bytes) == new BigInteger(MD5.HashData(bytes), isUnsigned: true, isBigEndian: true))
            .QuickCheckThrowOnFailure();

        // Block-boundary lengths, where the padding spills into a second block.
        foreach (var length in new[] { 0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 768 })
        {
            var bytes = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
            Assert.Equal(new BigInteger(MD5.HashData(bytes), isUnsigned: true, isBigEndian: true), (BigInteger)Md5.HashToUInt128(bytes));
        }
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("340282366920938463463374607431768211455", true)]
    [InlineData("340282366920938463463374607431768211456", false)]
    [InlineData("999999999999999999999999999999999999999", false)]
    public void TryParse_ExplicitHashKey_RangeIsZeroToTwoTo128MinusOne(string text, bool valid)
    {
        Assert.Equal(valid, HashKeys.TryParse(text, out _));
    }

    [Fact]
    public void TopicNames_DistinctStreamNames_GiveDistinctLegalTopicsWithoutUnderscore()
    {
        var names = Arb.From(
            from length in Gen.Choose(1, 128)
            from chars in Gen.ArrayOf(Gen.Elements('a', 'Z', '0', '.', '-', '_'), length)
            select new string(chars));
        var pairs = Arb.From(from a in names.Generator from b in names.Generator select (a, b));
        Prop.ForAll(pairs, pair =>
        {
            var left = TopicNames.ForStream("kinesis.", pair.a);
            var right = TopicNames.ForStream("kinesis.", pair.b);
            var legal = left.Length <= 249 && left.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-') && !left.Contains('_', StringComparison.Ordinal);

            // Kafka treats '.' and '_' alike; without '_' the topics differ even under that collision.
            return legal && (pair.a == pair.b) == (left == right)
                && (pair.a == pair.b || left.Replace('.', '_') != right.Replace('.', '_'));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TopicNames_Escape_IsReadable()
    {
        Assert.Equal("kinesis.orders", TopicNames.ForStream("kinesis.", "orders"));
        Assert.Equal("kinesis.a--b-uc.d", TopicNames.ForStream("kinesis.", "a-b_c.d"));
    }

    [Fact]
    public void TopicNames_LongEscapes_AreCutWithHashSuffix()
    {
        var dashes = new string('-', 128);
        var underscores = new string('_', 128);

        var first = TopicNames.ForStream("kinesis.", dashes);
        var second = TopicNames.ForStream("kinesis.", underscores);

        Assert.True(first.Length <= TopicNames.MaxTopicLength);
        Assert.True(second.Length <= TopicNames.MaxTopicLength);
        Assert.NotEqual(first, second);
        Assert.Contains("-h", first, StringComparison.Ordinal);
    }
}
