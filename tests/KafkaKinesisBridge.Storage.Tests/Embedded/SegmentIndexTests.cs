using KafkaKinesisBridge.Storage.Embedded.Internal;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

public sealed class SegmentIndexTests
{
    [Fact]
    public void FindForOffset_RandomIndexes_MatchesLinearSearch()
    {
        var random = new Random(11);
        for (var round = 0; round < 50; round++)
        {
            var (index, entries) = RandomIndex(random, random.Next(0, 200));
            for (var target = 0L; target < 2000; target += random.Next(1, 20))
            {
                var expected = entries.LastOrDefault(e => e.RelativeOffset <= target);
                Assert.Equal((expected.RelativeOffset, expected.Position), index.FindForOffset(target));
            }
        }
    }

    [Fact]
    public void FindForTimestamp_RandomIndexes_MatchesLinearSearch()
    {
        var random = new Random(12);
        for (var round = 0; round < 50; round++)
        {
            var (index, entries) = RandomIndex(random, random.Next(0, 200));
            for (var target = 0L; target < 5000; target += random.Next(1, 40))
            {
                var expected = entries.LastOrDefault(e => e.MaxTimestampBefore < target);
                Assert.Equal((expected.RelativeOffset, expected.Position), index.FindForTimestamp(target));
            }
        }
    }

    [Fact]
    public void TryParse_SerializedIndex_RoundTrips()
    {
        var (index, entries) = RandomIndex(new Random(13), 100);

        Assert.True(SegmentIndex.TryParse(index.ToBytes(), out var parsed));

        Assert.Equal(entries, Enumerable.Range(0, parsed.Count).Select(i => parsed[i]));
    }

    [Fact]
    public void TryParse_EntriesOutOfOrder_ReturnsFalse()
    {
        var index = new SegmentIndex();
        index.Append(new IndexEntry(10, 500, 100));
        index.Append(new IndexEntry(5, 900, 100));

        Assert.False(SegmentIndex.TryParse(index.ToBytes(), out _));
    }

    [Fact]
    public void Append_BeyondCapacity_KeepsEveryEntry()
    {
        var index = new SegmentIndex(capacity: 1);
        for (uint i = 1; i <= 1000; i++)
        {
            index.Append(new IndexEntry(i, i * 10, i));
        }

        Assert.Equal(1000, index.Count);
        Assert.Equal(new IndexEntry(1000, 10_000, 1000), index.Last);
        Assert.Equal((500u, 5000u), index.FindForOffset(500));
    }

    private static (SegmentIndex Index, List<IndexEntry> Entries) RandomIndex(Random random, int count)
    {
        var index = new SegmentIndex();
        var entries = new List<IndexEntry>();
        uint offset = 0, position = 0;
        long timestamp = 0;
        for (var i = 0; i < count; i++)
        {
            offset += (uint)random.Next(1, 20);
            position += (uint)random.Next(40, 400);
            timestamp += random.Next(0, 40);
            var entry = new IndexEntry(offset, position, timestamp);
            entries.Add(entry);
            index.Append(entry);
        }

        return (index, entries);
    }
}
