using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>What opening a store finds after crashes and damage: torn writes, corrupt records, missing or stale indexes.</summary>
public sealed class RecoveryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_TornLastRecord_TruncatesItAndKeepsTheRest()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 10);
        await harness.CloseAsync();
        var log = harness.SegmentFiles("t").Single();
        var length = new FileInfo(log).Length;
        var lastRecordLength = length / 10;

        // A crash in the middle of the last write: only part of the record reached the file.
        TruncateFile(log, length - 5);
        var store = harness.Open();

        Assert.Equal(new PartitionOffsets(0, 9), (await store.GetOffsetsAsync("t", 0, Ct)).Offsets);
        Assert.Equal(length - lastRecordLength, new FileInfo(log).Length);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => EmbeddedHarness.Value(i)), (await harness.ReadAllAsync("t")).Select(r => r.Value));
        Assert.Equal(new long[] { 9 }, await harness.AppendAsync("t", 0, harness.Record("after recovery")));
        Assert.Equal("after recovery", (await harness.ReadAllAsync("t", from: 9)).Single().Value);
    }

    [Fact]
    public async Task Open_ZeroFilledTail_TruncatesIt()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 5);
        await harness.CloseAsync();
        var log = harness.SegmentFiles("t").Single();
        var length = new FileInfo(log).Length;

        // File systems may show a grown file with zeros where data never arrived.
        using (var stream = new FileStream(log, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        var store = harness.Open();

        Assert.Equal(5, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
        Assert.Equal(length, new FileInfo(log).Length);
    }

    [Fact]
    public async Task Open_CorruptCrcInTail_DropsCorruptRecordAndWhatFollows()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 10);
        await harness.CloseAsync();
        var log = harness.SegmentFiles("t").Single();
        var recordLength = new FileInfo(log).Length / 10;

        // Flip a byte inside the value of record 8.
        FlipByte(log, (8 * recordLength) + recordLength - 10);
        var store = harness.Open();

        Assert.Equal(8, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
        Assert.Equal(8 * recordLength, new FileInfo(log).Length);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => EmbeddedHarness.Value(i)), (await harness.ReadAllAsync("t")).Select(r => r.Value));
    }

    [Fact]
    public async Task ReadAsync_CorruptRecordBeforeTail_ThrowsInvalidDataException()
    {
        // The tail scan at open starts at the last index entry, so damage further back is found by reads.
        await using var harness = new EmbeddedHarness(o => o.IndexIntervalBytes = 256);
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 40);
        await harness.CloseAsync();
        var log = harness.SegmentFiles("t").Single();
        var recordLength = new FileInfo(log).Length / 40;
        FlipByte(log, (3 * recordLength) + recordLength - 10);
        var store = harness.Open();
        Assert.Equal(40, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.ReadAsync(new ReadRequest("t", 0, 0, 100, 1 << 20), Ct));

        Assert.Contains(log, error.Message, StringComparison.Ordinal);
        // Records past the damage are still served.
        using var after = await store.ReadAsync(new ReadRequest("t", 0, 20, 5, 1 << 20), Ct);
        Assert.Equal(20, after.Records.Span[0].Offset);
    }

    [Fact]
    public async Task Open_MissingIndexOfSealedSegment_RebuildsItIdentically()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 8 * 1024);
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 300, batch: 5);
        await harness.CloseAsync();
        var segments = harness.SegmentFiles("t");
        Assert.True(segments.Length >= 3, $"expected several segments, got {segments.Length}");
        var index = Path.ChangeExtension(segments[1], ".index");
        var original = File.ReadAllBytes(index);
        Assert.NotEmpty(original);

        File.Delete(index);
        var store = harness.Open();

        Assert.Equal(original, File.ReadAllBytes(index));
        var all = await harness.ReadAllAsync("t");
        Assert.Equal(Enumerable.Range(0, 300).Select(i => EmbeddedHarness.Value(i)), all.Select(r => r.Value));
    }

    [Fact]
    public async Task Open_MissingActiveIndex_RebuildsIt()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 100, batch: 3);
        await harness.CloseAsync();
        var index = Path.ChangeExtension(harness.SegmentFiles("t").Single(), ".index");
        var original = File.ReadAllBytes(index);
        Assert.NotEmpty(original);

        File.Delete(index);
        harness.Open();

        Assert.Equal(original, File.ReadAllBytes(index));
        var from50 = await harness.ReadAllAsync("t", from: 50);
        Assert.Equal(50, from50[0].Offset);
    }

    [Fact]
    public async Task Open_IndexEntriesBeyondLog_DropsThem()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 60, batch: 4);
        await harness.CloseAsync();
        var log = harness.SegmentFiles("t").Single();
        var index = Path.ChangeExtension(log, ".index");
        var original = File.ReadAllBytes(index);

        // The index got entries for records whose log write was lost (an OS crash without fsync).
        TruncateFile(log, new FileInfo(log).Length / 2);
        var store = harness.Open();

        var hw = (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark;
        Assert.InRange(hw, 25, 30);
        Assert.True(new FileInfo(index).Length < original.Length);
        Assert.Equal(Enumerable.Range(0, (int)hw).Select(i => EmbeddedHarness.Value(i)), (await harness.ReadAllAsync("t")).Select(r => r.Value));
        Assert.Equal(hw, (await harness.AppendAsync("t", 0, harness.Record("next")))[0]);
    }

    [Fact]
    public async Task Open_TruncatedSealedSegment_EndsLogThereAndDropsLaterSegments()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 200, batch: 2);
        await harness.CloseAsync();
        var segments = harness.SegmentFiles("t");
        Assert.True(segments.Length >= 4);

        // Damage in a sealed segment (possible only if the OS crashed without fsync): later segments
        // would leave a gap in the offsets, so the log ends at the damage.
        TruncateFile(segments[1], new FileInfo(segments[1]).Length - 3);
        var store = harness.Open();

        var remaining = harness.SegmentFiles("t");
        Assert.Equal(segments[..2], remaining);
        var hw = (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark;
        var all = await harness.ReadAllAsync("t");
        Assert.Equal(hw, all.Count);
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => EmbeddedHarness.Value(i)), all.Select(r => r.Value));
        Assert.Equal(hw, (await harness.AppendAsync("t", 0, harness.Record("continues")))[0]);
    }

    [Fact]
    public async Task Open_TopicFolderWithoutMetadata_RemovesItAsUnfinishedCreate()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync("kept");
        await harness.CloseAsync();
        var unfinished = Path.Combine(harness.DataDirectory, "topics", "unfinished");
        Directory.CreateDirectory(Path.Combine(unfinished, "0"));

        var store = harness.Open();

        Assert.Equal(["kept"], await store.ListTopicsAsync(Ct));
        Assert.False(Directory.Exists(unfinished));
    }

    private static void TruncateFile(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    private static void FlipByte(string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = position;
        var value = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(value ^ 0xFF));
    }
}
