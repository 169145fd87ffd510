using System.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>The data directory lock, checked against a second store and against other processes
/// (util-linux <c>flock</c>, which takes the same BSD lock).</summary>
public sealed class DirectoryLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_DirectoryOpenBySecondStoreInProcess_ThrowsDataDirectoryInUse()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();

        var error = Assert.Throws<DataDirectoryInUseException>(() => EmbeddedLogStore.Open(harness.Options));

        Assert.Contains(harness.DataDirectory, error.Message, StringComparison.Ordinal);
        // The first store is unharmed.
        await harness.CreateTopicAsync();
        Assert.Equal(new long[] { 0 }, await harness.AppendAsync("t", 0, harness.Record("still works")));
    }

    [Fact]
    public async Task DisposeAsync_OpenStore_ReleasesLockForNextOpen()
    {
        await using var harness = new EmbeddedHarness();
        harness.Open();

        var reopened = await harness.ReopenAsync();

        Assert.Empty(await reopened.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task Open_StoreHoldsLock_OtherProcessCannotTakeIt()
    {
        var flock = RequireFlock();
        await using var harness = new EmbeddedHarness();
        harness.Open();
        var lockFile = Path.Combine(harness.DataDirectory, "lock");

        var whileOpen = await ExternalProcess.RunAsync(flock, ["--nonblock", "--exclusive", lockFile, "true"], cancellationToken: Ct);
        await harness.CloseAsync();
        var afterClose = await ExternalProcess.RunAsync(flock, ["--nonblock", "--exclusive", lockFile, "true"], cancellationToken: Ct);

        Assert.NotEqual(0, whileOpen.ExitCode);
        Assert.Equal(0, afterClose.ExitCode);
    }

    [Fact]
    public async Task Open_OtherProcessHoldsLock_ThrowsUntilThatProcessDies()
    {
        var flock = RequireFlock();
        await using var harness = new EmbeddedHarness();
        harness.Open();
        await harness.CloseAsync();
        var lockFile = Path.Combine(harness.DataDirectory, "lock");

        // Another process takes the lock and keeps it until killed.
        using var holder = Process.Start(new ProcessStartInfo(flock, ["--exclusive", lockFile, "sleep", "600"]) { UseShellExecute = false })!;
        try
        {
            await Eventually.UntilAsync(
                async () => (await ExternalProcess.RunAsync(flock, ["--nonblock", "--exclusive", lockFile, "true"], cancellationToken: Ct)).ExitCode != 0,
                because: "the other process holds the lock");

            Assert.Throws<DataDirectoryInUseException>(() => EmbeddedLogStore.Open(harness.Options));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(Ct);
        }

        // flock's child (sleep) holds the descriptor too; the kill reaches it asynchronously.
        await Eventually.UntilAsync(
            async () => (await ExternalProcess.RunAsync(flock, ["--nonblock", "--exclusive", lockFile, "true"], cancellationToken: Ct)).ExitCode == 0,
            because: "the killed processes released the lock");

        // A dead process leaves no stale lock.
        await using var store = EmbeddedLogStore.Open(harness.Options);
        Assert.Equal(StorageStatus.Ok, await store.CreateTopicAsync(new TopicSpec("after", 1, Timeout.InfiniteTimeSpan), Ct));
    }

    private static string RequireFlock()
    {
        var flock = ExternalProcess.Find("flock");
        if (flock is null || OperatingSystem.IsWindows())
        {
            Prerequisite.Missing("util-linux flock is not installed; it plays the other process taking the lock");
        }

        return flock!;
    }
}
