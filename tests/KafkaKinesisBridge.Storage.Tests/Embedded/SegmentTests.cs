using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded.Internal;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>Segment files, rolling, and the bounds on open files and index memory.</summary>
public sealed class SegmentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AppendAsync_PastSegmentBytes_RollsToSegmentsNamedByTheirBaseOffset()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        harness.Open();
        await harness.CreateTopicAsync();

        await harness.AppendValuesAsync("t", 0, 0, 200, batch: 3);

        var segments = harness.SegmentFiles("t");
        Assert.True(segments.Length >= 5, $"expected several segments, got {segments.Length}");
        Assert.Equal("00000000000000000000.log", Path.GetFileName(segments[0]));
        foreach (var segment in segments)
        {
            Assert.True(new FileInfo(segment).Length <= 4 * 1024, $"{segment} exceeds the segment size");
            Assert.True(File.Exists(Path.ChangeExtension(segment, ".index")));

            // The name is the offset of the segment's first record.
            var baseOffset = long.Parse(Path.GetFileNameWithoutExtension(segment), System.Globalization.CultureInfo.InvariantCulture);
            var bytes = File.ReadAllBytes(segment);
            Assert.Equal(DecodeStatus.Ok, RecordFormat.TryDecode(bytes, verifyChecksum: true, out var first));
            Assert.Equal(baseOffset, first.Offset);
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => EmbeddedHarness.Value(i)), (await harness.ReadAllAsync("t")).Select(r => r.Value));
    }

    [Fact]
    public async Task ReadAsync_AtSegmentEnd_StopsThereAndNextReadContinues()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        var store = harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 100, batch: 4);
        var secondBase = long.Parse(Path.GetFileNameWithoutExtension(harness.SegmentFiles("t")[1]), System.Globalization.CultureInfo.InvariantCulture);

        using var first = await store.ReadAsync(new ReadRequest("t", 0, 0, 1000, 1 << 20), Ct);
        using var second = await store.ReadAsync(new ReadRequest("t", 0, first.NextOffset, 1000, 1 << 20), Ct);

        Assert.Equal(secondBase, first.NextOffset);
        Assert.Equal(secondBase, first.Records.Length);
        Assert.Equal(secondBase, second.Records.Span[0].Offset);
    }

    [Fact]
    public async Task AppendAsync_ActiveSegmentOlderThanMaxAge_Rolls()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentMaxAge = TimeSpan.FromHours(1));
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 3);
        harness.Clock.Advance(TimeSpan.FromMinutes(59));
        await harness.AppendValuesAsync("t", 0, 3, 1);
        Assert.Single(harness.SegmentFiles("t"));

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await harness.AppendValuesAsync("t", 0, 4, 1);

        Assert.Equal(["00000000000000000000.log", "00000000000000000004.log"], harness.SegmentFiles("t").Select(Path.GetFileName));
    }

    [Fact]
    public async Task Reopen_ManySegments_AppendsContinueInTheLastOne()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 150, batch: 5);
        var before = harness.SegmentFiles("t");

        var store = await harness.ReopenAsync();
        await harness.AppendValuesAsync("t", 0, 150, 1);

        Assert.Equal(before, harness.SegmentFiles("t"));
        Assert.Equal(new PartitionOffsets(0, 151), (await store.GetOffsetsAsync("t", 0, Ct)).Offsets);
        Assert.Equal(Enumerable.Range(0, 151).Select(i => EmbeddedHarness.Value(i)), (await harness.ReadAllAsync("t")).Select(r => r.Value));
    }

    [Fact]
    public async Task ReadAsync_ManySegments_OpenHandlesStayWithinMaxOpenFiles()
    {
        const int MaxOpenFiles = 4;
        await using var harness = new EmbeddedHarness(o =>
        {
            o.SegmentBytes = 2 * 1024;
            o.MaxOpenFiles = MaxOpenFiles;
        });
        var store = harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 600, batch: 2);
        var segments = harness.SegmentFiles("t").Length;
        Assert.True(segments > 40, $"expected many segments, got {segments}");

        // Read every segment twice; the active segment's handle is pinned, so one more than the bound.
        for (var pass = 0; pass < 2; pass++)
        {
            var next = 0L;
            while (true)
            {
                using var read = await store.ReadAsync(new ReadRequest("t", 0, next, 1000, 1 << 20), Ct);
                if (read.Records.IsEmpty)
                {
                    break;
                }

                next = read.NextOffset;
                Assert.True(store.OpenFileCount <= MaxOpenFiles + 1, $"{store.OpenFileCount} segment handles open");
                Assert.True(OpenFilesUnder(harness.DataDirectory) <= MaxOpenFiles + 3, $"{OpenFilesUnder(harness.DataDirectory)} files open in the data directory");
            }

            Assert.Equal(600, next);
        }
    }

    [Fact]
    public async Task ReadAsync_ManySegments_IndexCacheStaysWithinBudget()
    {
        const long Budget = 2048;
        await using var harness = new EmbeddedHarness(o =>
        {
            o.SegmentBytes = 4 * 1024;
            o.IndexIntervalBytes = 128;
            o.IndexCacheBytes = Budget;
        });
        var store = harness.Open();
        await harness.CreateTopicAsync();
        await harness.AppendValuesAsync("t", 0, 0, 800, batch: 4);
        var sealedSegments = harness.SegmentFiles("t").Length - 1;

        await harness.ReadAllAsync("t", maxRecords: 7);

        var cache = store.Context.Indexes;
        Assert.True(sealedSegments > 10);
        Assert.InRange(cache.Count, 1, sealedSegments - 1);
        // At most one index over budget: the one just used is kept even if alone it exceeds the budget.
        Assert.True(cache.Bytes <= Budget + 1024, $"index cache holds {cache.Bytes} bytes");
    }

    [Fact]
    public async Task AppendAsync_AppendsQueuedBehindAWrite_AreWrittenTogether()
    {
        // Group commit: appends that arrive while a write is in progress go out in one write. The first
        // write is held until the other appenders have queued, so the grouping is deterministic.
        const int Appenders = 16;
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync();
        var partition = store.FindPartition("t", 0)!;
        var groups = new List<int>();
        using var firstWriteStarted = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        partition.BeforeGroupWrite = count =>
        {
            lock (groups)
            {
                groups.Add(count);
            }

            firstWriteStarted.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        var appends = Enumerable.Range(0, Appenders).Select(w => Task.Run(async () =>
            await harness.AppendAsync("t", 0, [.. Enumerable.Range(0, 10).Select(i => harness.Record($"w{w}-{i}"))]), Ct)).ToArray();
        Assert.True(firstWriteStarted.Wait(TimeSpan.FromSeconds(30), Ct));
        var first = groups[0];
        await Eventually.UntilAsync(() => partition.QueueLength == Appenders - first, because: "the other appenders queue behind the write");
        release.Set();
        var offsets = await Task.WhenAll(appends);

        Assert.Equal([first, Appenders - first], groups);
        Assert.Equal(2, partition.GroupWrites);
        Assert.All(offsets, o => Assert.Equal(Enumerable.Range((int)o[0], 10).Select(i => (long)i), o));
        Assert.Equal(Enumerable.Range(0, Appenders * 10).Select(i => (long)i), offsets.SelectMany(o => o).Order());
        var read = await harness.ReadAllAsync("t");
        Assert.Equal(Appenders * 10, read.Count);
    }

    [Fact]
    public async Task AppendAsync_CancelledToken_ThrowsWithoutAppending()
    {
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await store.AppendAsync("t", 0, new[] { harness.Record("x") }, new AppendOutcome[1], cancelled.Token));

        Assert.Equal(0, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task AppendAsync_AfterDispose_ThrowsObjectDisposed()
    {
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync();
        await harness.CloseAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () =>
            await store.AppendAsync("t", 0, new[] { harness.Record("x") }, new AppendOutcome[1], Ct));
    }

    /// <summary>Open file descriptors of this process pointing into <paramref name="directory"/> (Linux /proc).</summary>
    private static int OpenFilesUnder(string directory)
    {
        if (!Directory.Exists("/proc/self/fd"))
        {
            return 0;
        }

        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(directory, StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The descriptor closed while listing.
            }
        }

        return count;
    }
}
