using System.Diagnostics.Metrics;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Streams.OnDemand;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests.OnDemand;

public sealed class OnDemandScalerTests
{
    [Fact]
    public async Task Tick_SustainedWritesToOneShard_SplitsItAtItsMidpointOnce()
    {
        var core = await StartOnDemandAsync();
        var executor = new RecordingExecutor();
        var scaler = NewScaler(core, executor);

        // 20 records/s to shard 0 (limit 10/s) for 3 s, nothing elsewhere.
        await scaler.TickAsync(Token);
        for (var second = 0; second < 3; second++)
        {
            await PutToShardZeroAsync(core, 20);
            core.Time.Advance(TimeSpan.FromSeconds(1));
            await scaler.TickAsync(Token);
        }

        var split = Assert.Single(executor.Calls);
        Assert.Equal("split od 0", split.Description);
        var shard0 = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "od" }, Token)).Shards[0];
        Assert.Equal(OnDemandScalingPolicy.Midpoint(shard0.HashKeyRange), split.HashKey);
    }

    [Fact]
    public async Task Tick_WritesBelowTheSplitShare_NoAction()
    {
        var core = await StartOnDemandAsync();
        var executor = new RecordingExecutor();
        var scaler = NewScaler(core, executor);

        await scaler.TickAsync(Token);
        for (var second = 0; second < 5; second++)
        {
            await PutToShardZeroAsync(core, 5);
            core.Time.Advance(TimeSpan.FromSeconds(1));
            await scaler.TickAsync(Token);
        }

        Assert.Empty(executor.Calls);
    }

    [Fact]
    public async Task Tick_ProvisionedStream_NeverScaled()
    {
        var core = await StartAsync(o => o.Quotas.WriteRecordsPerSecond = 10);
        await core.CreateStreamAsync("od", shards: 4);
        var executor = new RecordingExecutor();
        var scaler = NewScaler(core, executor);

        await scaler.TickAsync(Token);
        for (var second = 0; second < 3; second++)
        {
            await PutToShardZeroAsync(core, 20);
            core.Time.Advance(TimeSpan.FromSeconds(1));
            await scaler.TickAsync(Token);
        }

        Assert.Empty(executor.Calls);
    }

    [Fact]
    public async Task Tick_ColdShardsAboveTheMinimum_MergesAnAdjacentPairAndCountsIt()
    {
        var core = await StartOnDemandAsync(o => o.OnDemand.MinShardCount = 2);
        var executor = new RecordingExecutor();
        var scaler = NewScaler(core, executor);
        using var listener = new MeterListener();
        var counted = new List<string>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KinesisTelemetry.MeterName && instrument.Name == "kinesis.on_demand.scaling_actions")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(k => k.Key, k => k.Value?.ToString());
            if (t["stream"] == "od")
            {
                lock (counted)
                {
                    counted.Add($"{t["action"]} {t["outcome"]}");
                }
            }
        });
        listener.Start();

        await scaler.TickAsync(Token);
        for (var second = 0; second < 4; second++)
        {
            core.Time.Advance(TimeSpan.FromSeconds(1));
            await scaler.TickAsync(Token);
        }

        var merge = Assert.Single(executor.Calls);
        Assert.Equal("merge od 0+1", merge.Description);
        Assert.Equal(["merge done"], counted);
    }

    [Fact]
    public async Task Tick_ExecutorRefuses_CountedAsRefusedAndRetriedNextTick()
    {
        var core = await StartOnDemandAsync();
        var executor = new RecordingExecutor { Refuse = true };
        var scaler = NewScaler(core, executor);

        await scaler.TickAsync(Token);
        await PutToShardZeroAsync(core, 20);
        core.Time.Advance(TimeSpan.FromSeconds(1));
        await scaler.TickAsync(Token);
        await PutToShardZeroAsync(core, 20);
        core.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await scaler.TickAsync(Token));
        await PutToShardZeroAsync(core, 20);
        core.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await scaler.TickAsync(Token));

        Assert.Equal(2, executor.Calls.Count);
    }

    private static async Task<CoreHarness> StartOnDemandAsync(Action<KinesisStreamsOptions>? configure = null)
    {
        var core = await StartAsync(o =>
        {
            o.Quotas.WriteRecordsPerSecond = 10;
            o.OnDemand.SplitWindow = TimeSpan.FromSeconds(2);
            o.OnDemand.MergeWindow = TimeSpan.FromSeconds(3);
            o.OnDemand.Cooldown = TimeSpan.Zero;
            configure?.Invoke(o);
        });
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) }, Token);
        return core;
    }

    private static OnDemandScaler NewScaler(CoreHarness core, IReshardExecutor executor) =>
        new(core.Service, executor, Microsoft.Extensions.Options.Options.Create(core.Options), core.Time);

    private static async Task PutToShardZeroAsync(CoreHarness core, int records)
    {
        for (var i = 0; i < records; i++)
        {
            try
            {
                await core.PutAsync("od", "k" + i, "x", explicitHashKey: "1");
            }
            catch (KinesisException error) when (error.Code == KinesisErrorCode.ProvisionedThroughputExceeded)
            {
                // Throttled writes still count as demand.
            }
        }
    }

    private sealed class RecordingExecutor : IReshardExecutor
    {
        public bool Refuse { get; init; }

        public List<(string Description, long Version, UInt128 HashKey)> Calls { get; } = [];

        public ValueTask<bool> SplitAsync(string streamName, long basedOnVersion, int shardIndex, UInt128 newStartingHashKey, CancellationToken cancellationToken)
        {
            Calls.Add(($"split {streamName} {shardIndex}", basedOnVersion, newStartingHashKey));
            return Refuse ? throw new KinesisException(KinesisErrorCode.ResourceInUse, "busy") : ValueTask.FromResult(true);
        }

        public ValueTask<bool> MergeAsync(string streamName, long basedOnVersion, int shardIndex, int adjacentShardIndex, CancellationToken cancellationToken)
        {
            Calls.Add(($"merge {streamName} {shardIndex}+{adjacentShardIndex}", basedOnVersion, UInt128.Zero));
            return Refuse ? throw new KinesisException(KinesisErrorCode.ResourceInUse, "busy") : ValueTask.FromResult(true);
        }
    }
}

public sealed class OnDemandScalerResharderTests
{
    [Fact]
    public async Task Tick_SustainedWritesWithTheCoreExecutor_GatewaySplitsTheHotShardItself()
    {
        var core = await StartAsync(o =>
        {
            o.Quotas.WriteRecordsPerSecond = 10;
            o.OnDemand.SplitWindow = TimeSpan.FromSeconds(2);
            o.Resharding.FenceLease = TimeSpan.FromMilliseconds(1);
        });
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) }, Token);
        var scaler = new OnDemandScaler(core.Service, new StreamsServiceReshardExecutor(core.Service), Microsoft.Extensions.Options.Options.Create(core.Options), core.Time);

        await scaler.TickAsync(Token);
        var actions = 0;
        for (var second = 0; second < 3; second++)
        {
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    await core.PutAsync("od", "k" + i, "x", explicitHashKey: "1");
                }
                catch (KinesisException error) when (error.Code == KinesisErrorCode.ProvisionedThroughputExceeded)
                {
                }
            }

            core.Time.Advance(TimeSpan.FromSeconds(1));
            actions += await scaler.TickAsync(Token);
        }

        await core.Service.WhenReshardFinishedAsync("od");
        Assert.Equal(1, actions);
        var shards = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "od" }, Token)).Shards;
        Assert.NotNull(shards[0].SequenceNumberRange.EndingSequenceNumber);
        Assert.Equal(["shardId-000000000000", "shardId-000000000000"], shards.Where(s => s.ParentShardId is not null).Select(s => s.ParentShardId));
        var summary = (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "od" }, Token)).StreamDescriptionSummary;
        Assert.Equal(5, summary.OpenShardCount);
        Assert.Equal(StreamStatus.Active, summary.StreamStatus);
    }

    [Fact]
    public async Task Tick_ColdShardsWithTheCoreExecutor_MergesAnAdjacentPairDownToTheMinimum()
    {
        var core = await StartAsync(o =>
        {
            o.OnDemand.MergeWindow = TimeSpan.FromSeconds(2);
            o.OnDemand.Cooldown = TimeSpan.FromSeconds(1);
            o.OnDemand.MinShardCount = 3;
            o.Resharding.FenceLease = TimeSpan.FromMilliseconds(1);
        });
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) }, Token);
        var scaler = new OnDemandScaler(core.Service, new StreamsServiceReshardExecutor(core.Service), Microsoft.Extensions.Options.Options.Create(core.Options), core.Time);

        var actions = 0;
        for (var second = 0; second < 8; second++)
        {
            actions += await scaler.TickAsync(Token);
            await core.Service.WhenReshardFinishedAsync("od");
            core.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, actions);
        var shards = (await core.Service.ListShardsAsync(new ListShardsRequest { StreamName = "od" }, Token)).Shards;
        var child = Assert.Single(shards, s => s.AdjacentParentShardId is not null);
        Assert.Equal(("shardId-000000000000", "shardId-000000000001"), (child.ParentShardId, child.AdjacentParentShardId));
        Assert.Equal(3, shards.Count(s => s.SequenceNumberRange.EndingSequenceNumber is null));
    }

    [Fact]
    public async Task ScalerSplit_StaleVersionOrProvisionedStream_NothingDone()
    {
        var core = await StartAsync();
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) }, Token);
        await core.CreateStreamAsync("p", shards: 4);
        var od = core.Service.LocalStreams.Single(s => s.Name == "od");
        var p = core.Service.LocalStreams.Single(s => s.Name == "p");

        Assert.False(await core.Service.ScalerSplitAsync("od", od.Version - 1, 0, UInt128.One, Token));
        Assert.False(await core.Service.ScalerSplitAsync("p", p.Version, 0, UInt128.One, Token));
        Assert.True(await core.Service.ScalerSplitAsync("od", od.Version, 0, UInt128.One, Token));
        await core.Service.WhenReshardFinishedAsync("od");
        Assert.Equal(5, core.Service.LocalStreams.Single(s => s.Name == "od").OpenShardCount);
    }
}
