using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.Storage.Tests.Contract;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

/// <summary>The storage contract, run against the embedded log in a temporary directory.</summary>
public sealed class EmbeddedLogStoreContractTests : LogStoreContractTests
{
    private readonly TempDirectory _directory = new("kkb-embedded-contract");

    /// <summary>Small segments (so tests roll and cross segments) and a small index interval (so they use the index).</summary>
    private EmbeddedLogOptions Options => new()
    {
        DataDirectory = _directory.Path,
        SegmentBytes = 64 * 1024,
        IndexIntervalBytes = 512,
        RetentionCheckInterval = TimeSpan.FromMinutes(1),
        MaxRecordBytes = MaxRecordBytes,
    };

    protected override int MaxRecordBytes => 12 * 1024 * 1024;

    protected override ValueTask<ILogStore> OpenStoreAsync() => new(EmbeddedLogStore.Open(Options, timeProvider: Clock));

    protected override ValueTask<ILogStore> ReopenStoreAsync() => OpenStoreAsync();

    protected override async ValueTask RollSegmentAsync(string topic, int partition) =>
        Assert.Equal(StorageStatus.Ok, await ((EmbeddedLogStore)Store).RollSegmentAsync(topic, partition, Ct));

    /// <summary>Moves the clock past the check interval: the store's retention timer runs the pass.</summary>
    protected override async ValueTask RunRetentionAsync()
    {
        var store = (EmbeddedLogStore)Store;
        var passes = store.RetentionPasses;
        Clock.Advance(Options.RetentionCheckInterval);
        Assert.True(store.RetentionPasses > passes, "the retention timer did not start a pass");
        await store.LastRetentionPass;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}
