using KafkaKinesisBridge.Core.Api;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests.OnDemand;

public sealed class UpdateStreamModeTests
{
    private const string Arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";

    [Fact]
    public async Task UpdateStreamMode_ProvisionedToOnDemand_ModeShownAndShardsKept()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 3);

        await SwitchAsync(core, StreamMode.OnDemand);

        var summary = (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token)).StreamDescriptionSummary;
        Assert.Equal(StreamMode.OnDemand, summary.StreamModeDetails.StreamMode);
        Assert.Equal(3, summary.OpenShardCount);
        Assert.Equal(StreamStatus.Active, summary.StreamStatus);
        var described = await core.Service.DescribeStreamAsync(new DescribeStreamRequest { StreamName = "s" }, Token);
        Assert.Equal(StreamMode.OnDemand, described.StreamDescription.StreamModeDetails.StreamMode);
        Assert.Equal(1, (await core.Service.DescribeLimitsAsync(Token)).OnDemandStreamCount);
    }

    [Fact]
    public async Task UpdateStreamMode_ThirdSwitchWithin24Hours_LimitExceededThenAllowedAfterADay()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 1);
        await SwitchAsync(core, StreamMode.OnDemand);
        core.Time.Advance(TimeSpan.FromHours(1));
        await SwitchAsync(core, StreamMode.Provisioned);
        core.Time.Advance(TimeSpan.FromHours(1));

        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, () => SwitchAsync(core, StreamMode.OnDemand));

        core.Time.Advance(TimeSpan.FromHours(22));
        await SwitchAsync(core, StreamMode.OnDemand);
        var summary = (await core.Service.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "s" }, Token)).StreamDescriptionSummary;
        Assert.Equal(StreamMode.OnDemand, summary.StreamModeDetails.StreamMode);
    }

    [Fact]
    public async Task UpdateStreamMode_SameMode_NoChangeAndNotCounted()
    {
        var core = await StartAsync(o => o.ModeSwitchesPer24Hours = 1);
        await core.CreateStreamAsync("s", shards: 1);

        await SwitchAsync(core, StreamMode.Provisioned);
        await SwitchAsync(core, StreamMode.Provisioned);
        await SwitchAsync(core, StreamMode.OnDemand);

        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, () => SwitchAsync(core, StreamMode.Provisioned));
    }

    [Fact]
    public async Task UpdateStreamMode_BeyondOnDemandStreamLimit_LimitExceeded()
    {
        var core = await StartAsync(o => o.OnDemandStreamCountLimit = 1);
        await core.Service.CreateStreamAsync(new CreateStreamRequest { StreamName = "od", StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) }, Token);
        await core.CreateStreamAsync("s", shards: 1);

        await ThrowsKinesisAsync(KinesisErrorCode.LimitExceeded, () => SwitchAsync(core, StreamMode.OnDemand));
    }

    [Fact]
    public async Task UpdateStreamMode_MissingDetails_ValidationException()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("s", shards: 1);

        var error = await ThrowsKinesisAsync(
            KinesisErrorCode.Validation,
            async () => await core.Service.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = Arn }, Token));
        Assert.Contains("streamModeDetails", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateStreamMode_UnknownStream_ResourceNotFound()
    {
        var core = await StartAsync();

        await ThrowsKinesisAsync(KinesisErrorCode.ResourceNotFound, () => SwitchAsync(core, StreamMode.OnDemand));
    }

    [Fact]
    public async Task CreateStream_OnDemandWithShardCount_InvalidArgument()
    {
        var core = await StartAsync();

        await ThrowsKinesisAsync(
            KinesisErrorCode.InvalidArgument,
            async () => await core.Service.CreateStreamAsync(
                new CreateStreamRequest { StreamName = "od", ShardCount = 2, StreamModeDetails = new StreamModeDetails(StreamMode.OnDemand) },
                Token));
    }

    private static async Task SwitchAsync(CoreHarness core, StreamMode mode) =>
        await core.Service.UpdateStreamModeAsync(new UpdateStreamModeRequest { StreamARN = Arn, StreamModeDetails = new StreamModeDetails(mode) }, Token);
}
