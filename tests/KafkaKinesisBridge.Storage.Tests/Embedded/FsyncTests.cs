using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>
/// FsyncOnAppend: an append is acknowledged only after its group commit was flushed to the device.
/// A crash test cannot tell (killing the process leaves the operating system's buffers intact), so
/// the store counts its flushes.
/// </summary>
public sealed class FsyncTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Append_FsyncOn_EveryAcknowledgedAppendWasFlushed()
    {
        await using var harness = new EmbeddedHarness(o => o.FsyncOnAppend = true);
        var store = harness.Open();
        await harness.CreateTopicAsync();
        var flushesAfterCreate = store.DataFlushes;

        for (var i = 0; i < 5; i++)
        {
            // Each awaited append is its own group commit: a flush before each acknowledgement.
            await harness.AppendAsync("t", 0, harness.Record($"sequential-{i}"));
            Assert.Equal(flushesAfterCreate + i + 1, store.DataFlushes);
        }

        // Concurrent appends share group commits: at least one flush, at most one per append.
        var before = store.DataFlushes;
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => harness.AppendAsync("t", 0, harness.Record($"concurrent-{i}"))));
        Assert.InRange(store.DataFlushes - before, 1, 50);
        Assert.Equal(55, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task Append_FsyncOff_NeverFlushes()
    {
        await using var harness = new EmbeddedHarness(o => o.FsyncOnAppend = false);
        var store = harness.Open();
        await harness.CreateTopicAsync();

        await harness.AppendValuesAsync("t", 0, 0, 20, batch: 5);

        Assert.Equal(0, store.DataFlushes);
        Assert.Equal(20, (await store.GetOffsetsAsync("t", 0, Ct)).Offsets.HighWatermark);
    }
}
