using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>Retention driven by the store's timer on a manual clock, and topic deletion and growth on disk.</summary>
public sealed class RetentionAndTopicTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetentionTimer_RecordsExpire_DeletesSegmentsOnlyOnceOlderThanRetention()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        var store = harness.Open();
        await harness.CreateTopicAsync(retention: TimeSpan.FromHours(1));
        await harness.AppendValuesAsync("t", 0, 0, 200, batch: 4);
        var segments = harness.SegmentFiles("t");
        Assert.True(segments.Length > 4);

        harness.Clock.Advance(TimeSpan.FromMinutes(59));

        Assert.True(store.RetentionPasses >= 59, "the timer runs a pass every check interval");
        Assert.Equal(segments, harness.SegmentFiles("t"));
        Assert.Equal(0, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.LogStartOffset);

        harness.Clock.Advance(TimeSpan.FromMinutes(2));
        await store.LastRetentionPass;

        // Every record is older than the retention: sealed segments go, and the idle active segment is
        // rolled so it can go too. The partition keeps its offsets.
        Assert.Equal(new PartitionOffsets(200, 200), (await store.GetOffsetsAsync("t", 0, Ct)).Offsets);
        Assert.Equal(["00000000000000000200.log"], harness.SegmentFiles("t").Select(Path.GetFileName));
        Assert.Equal(["00000000000000000200.index"], Directory.GetFiles(harness.PartitionDirectory("t", 0), "*.index").Select(Path.GetFileName));
        using var read = await store.ReadAsync(new ReadRequest("t", 0, 0, 10, 1 << 20), Ct);
        Assert.Equal(StorageStatus.Ok, read.Status);
        Assert.Equal(0, read.Records.Length);
        Assert.Equal(200, read.NextOffset);
        Assert.Equal(new long[] { 200 }, await harness.AppendAsync("t", 0, harness.Record("fresh")));
    }

    [Fact]
    public async Task RetentionTimer_InfiniteRetention_DeletesNothing()
    {
        await using var harness = new EmbeddedHarness(o =>
        {
            o.SegmentBytes = 4 * 1024;
            o.RetentionCheckInterval = TimeSpan.FromHours(6);
        });
        var store = harness.Open();
        await harness.CreateTopicAsync(retention: Timeout.InfiniteTimeSpan);
        await harness.AppendValuesAsync("t", 0, 0, 100, batch: 4);
        var segments = harness.SegmentFiles("t");

        harness.Clock.Advance(TimeSpan.FromDays(400));
        await store.LastRetentionPass;

        Assert.Equal(segments, harness.SegmentFiles("t"));
        Assert.Equal(new PartitionOffsets(0, 100), (await store.GetOffsetsAsync("t", 0, Ct)).Offsets);
    }

    [Fact]
    public async Task SetRetentionAsync_Shortened_AppliesAtNextPassAndSurvivesReopen()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 4 * 1024);
        var store = harness.Open();
        await harness.CreateTopicAsync(retention: TimeSpan.FromDays(7));
        await harness.AppendValuesAsync("t", 0, 0, 100, batch: 4, timestampMs: harness.NowMs - (long)TimeSpan.FromDays(2).TotalMilliseconds);
        Assert.Equal(StorageStatus.Ok, await store.RollSegmentAsync("t", 0, Ct));
        await harness.AppendValuesAsync("t", 0, 100, 10, batch: 10);
        await store.RunRetentionAsync();
        Assert.Equal(0, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.LogStartOffset);

        Assert.Equal(StorageStatus.Ok, await store.SetRetentionAsync("t", TimeSpan.FromDays(1), Ct));
        await store.RunRetentionAsync();

        Assert.Equal(100, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.LogStartOffset);
        store = await harness.ReopenAsync();
        Assert.Equal(TimeSpan.FromDays(1), (await store.DescribeTopicAsync("t", Ct)).Topic.Retention);
        Assert.Equal(new PartitionOffsets(100, 110), (await store.GetOffsetsAsync("t", 0, Ct)).Offsets);
    }

    [Fact]
    public async Task Retention_WhileReadersTailAndWritersAppend_ReadsStayConsistent()
    {
        await using var harness = new EmbeddedHarness(o => o.SegmentBytes = 2 * 1024);
        var store = harness.Open();
        await harness.CreateTopicAsync(retention: TimeSpan.FromMinutes(10));
        const int Total = 1500;

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < Total; i += 5)
            {
                await harness.AppendValuesAsync("t", 0, i, 5, batch: 5, padding: 40);
                // A minute per batch: the timer runs retention on this thread as the clock moves.
                harness.Clock.Advance(TimeSpan.FromMinutes(1));
            }
        }, Ct);

        var reader = Task.Run(async () =>
        {
            var next = 0L;
            var seen = 0;
            while (next < Total)
            {
                using var read = await store.ReadAsync(new ReadRequest("t", 0, next, 50, 1 << 20), Ct);
                Assert.Equal(StorageStatus.Ok, read.Status);
                var records = read.Records.Span;
                if (records.Length > 0)
                {
                    // Below the log start a read starts at the log start; otherwise exactly where asked.
                    Assert.Equal(Math.Max(next, read.Offsets.LogStartOffset), records[0].Offset);
                    for (var i = 0; i < records.Length; i++)
                    {
                        Assert.Equal(records[0].Offset + i, records[i].Offset);
                        Assert.Equal(EmbeddedHarness.Value((int)records[i].Offset, 40), System.Text.Encoding.UTF8.GetString(records[i].Value.Span));
                    }

                    seen += records.Length;
                }

                next = read.NextOffset;
                await Task.Yield();
            }

            return seen;
        }, Ct);

        await writer;
        var seenCount = await reader;

        var offsets = (await store.GetOffsetsAsync("t", 0, Ct)).Offsets;
        Assert.Equal(Total, offsets.HighWatermark);
        Assert.True(offsets.LogStartOffset > 0, "retention removed old segments during the run");
        Assert.True(seenCount > 0);
    }

    [Fact]
    public async Task DeleteTopicAsync_RemovesTopicFolder()
    {
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync("gone", partitions: 3);
        await harness.AppendValuesAsync("gone", 1, 0, 10);
        var folder = Path.Combine(harness.DataDirectory, "topics", "gone");
        Assert.True(Directory.Exists(folder));

        Assert.Equal(StorageStatus.Ok, await store.DeleteTopicAsync("gone", Ct));

        Assert.False(Directory.Exists(folder));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(harness.DataDirectory, "trash")));
        store = await harness.ReopenAsync();
        Assert.Empty(await store.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task DeleteTopicAsync_DuringConcurrentAppendsAndReads_EndsThemCleanly()
    {
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync("busy", partitions: 2);
        await harness.AppendValuesAsync("busy", 0, 0, 20);
        using var started = new SemaphoreSlim(0);

        var appenders = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var outcomes = new AppendOutcome[3];
            var records = new[] { harness.Record("a"), harness.Record("b"), harness.Record("c") };
            started.Release();
            while (true)
            {
                var status = await store.AppendAsync("busy", w % 2, records, outcomes, Ct);
                if (status == StorageStatus.TopicNotFound)
                {
                    Assert.All(outcomes, o => Assert.Equal(new AppendOutcome(StorageStatus.TopicNotFound, -1), o));
                    return;
                }

                Assert.Equal(StorageStatus.Ok, status);

                // Uncontended appends complete synchronously: yield so the loops share the pool threads.
                await Task.Yield();
            }
        }, Ct)).ToArray();
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                using var read = await store.ReadAsync(new ReadRequest("busy", 0, 0, 100, 1 << 20), Ct);
                if (read.Status == StorageStatus.TopicNotFound)
                {
                    return;
                }

                Assert.Equal(StorageStatus.Ok, read.Status);
                Assert.Equal(0, read.Records.Span[0].Offset);
                await Task.Yield();
            }
        }, Ct);

        for (var i = 0; i < 4; i++)
        {
            await started.WaitAsync(Ct);
        }

        Assert.Equal(StorageStatus.Ok, await store.DeleteTopicAsync("busy", Ct));

        await Task.WhenAll(appenders);
        await reader;
        Assert.False(Directory.Exists(Path.Combine(harness.DataDirectory, "topics", "busy")));

        // The name is free again, and the new topic starts empty.
        await harness.CreateTopicAsync("busy");
        Assert.Equal(new PartitionOffsets(0, 0), (await store.GetOffsetsAsync("busy", 0, Ct)).Offsets);
    }

    [Fact]
    public async Task AddPartitionsAsync_ThenReopen_KeepsCountAndData()
    {
        await using var harness = new EmbeddedHarness();
        var store = harness.Open();
        await harness.CreateTopicAsync(partitions: 1);
        await harness.AppendValuesAsync("t", 0, 0, 3);
        Assert.Equal(StorageStatus.Ok, await store.AddPartitionsAsync("t", 4, Ct));
        await harness.AppendValuesAsync("t", 3, 0, 2);

        store = await harness.ReopenAsync();

        Assert.Equal(4, (await store.DescribeTopicAsync("t", Ct)).Topic.Partitions);
        Assert.Equal(3, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
        Assert.Equal(2, (await store.GetOffsetsAsync("t", 3, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task Open_PartitionFolderBeyondCount_RemovesItAsUnfinishedGrowth()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CreateTopicAsync(partitions: 2);
        await harness.CloseAsync();
        var extra = harness.PartitionDirectory("t", 2);
        Directory.CreateDirectory(extra);
        File.WriteAllBytes(Path.Combine(extra, "00000000000000000000.log"), []);

        var store = harness.Open();

        Assert.Equal(2, (await store.DescribeTopicAsync("t", Ct)).Topic.Partitions);
        Assert.False(Directory.Exists(extra));
    }
}
