using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>UpdateStreamMode through real HTTP against the real core, in AWS JSON 1.1 and AWS CBOR 1.1.</summary>
public sealed class CapacityModeOperationsTests
{
    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpdateStreamMode_ToOnDemandAndBack_EmptyResponseAndModeDescribed(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "m", shards: 2);

        Assert.Null(await host.OkAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("m")}}}","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"""));
        Assert.Equal("ON_DEMAND", await ModeAsync());
        var described = (await host.OkAsync(format, "DescribeStream", """{"StreamName":"m"}"""))!["StreamDescription"]!;
        Assert.Equal("ON_DEMAND", (string?)described["StreamModeDetails"]!["StreamMode"]);
        Assert.Equal(2, described["Shards"]!.AsArray().Count);

        Assert.Null(await host.OkAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("m")}}}","StreamModeDetails":{"StreamMode":"PROVISIONED"}}"""));
        Assert.Equal("PROVISIONED", await ModeAsync());

        var message = await host.ErrorAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("m")}}}","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}""", "LimitExceededException");
        Assert.Contains("24 hours", message, StringComparison.Ordinal);

        async Task<string?> ModeAsync() =>
            (string?)(await host.OkAsync(format, "DescribeStreamSummary", """{"StreamName":"m"}"""))!["StreamDescriptionSummary"]!["StreamModeDetails"]!["StreamMode"];
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpdateStreamMode_MissingMembers_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "m");

        var noArn = await host.ErrorAsync(format, "UpdateStreamMode", """{"StreamModeDetails":{"StreamMode":"ON_DEMAND"}}""", "ValidationException");
        Assert.Contains("'streamARN' failed to satisfy constraint: Member must not be null", noArn, StringComparison.Ordinal);
        var noDetails = await host.ErrorAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("m")}}}"}""", "ValidationException");
        Assert.Contains("streamModeDetails", noDetails, StringComparison.Ordinal);
        await host.ErrorAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("m")}}}","StreamModeDetails":{"StreamMode":"SOMETIMES"}}""", "ValidationException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task UpdateStreamMode_UnknownStream_ResourceNotFound(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        await host.ErrorAsync(format, "UpdateStreamMode", $$$"""{"StreamARN":"{{{KinesisCoreHost.Arn("none")}}}","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}""", "ResourceNotFoundException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task CreateStream_OnDemandWithShardCount_InvalidArgument(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        await host.ErrorAsync(format, "CreateStream", """{"StreamName":"od","ShardCount":2,"StreamModeDetails":{"StreamMode":"ON_DEMAND"}}""", "InvalidArgumentException");
    }
}
