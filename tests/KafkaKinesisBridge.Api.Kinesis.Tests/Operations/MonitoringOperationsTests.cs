using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using static KafkaKinesisBridge.Api.Kinesis.Tests.Operations.WireDocuments;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>EnableEnhancedMonitoring / DisableEnhancedMonitoring through real HTTP against the real core, JSON and CBOR.</summary>
public sealed class MonitoringOperationsTests
{
    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EnableThenDisable_ExactShapes_AndDescribeReportsThem(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "watched");

        var enabled = await host.OkAsync(format, "EnableEnhancedMonitoring", """{"StreamName":"watched","ShardLevelMetrics":["IncomingBytes","OutgoingRecords"]}""");
        Assert.Equal(["CurrentShardLevelMetrics", "DesiredShardLevelMetrics", "StreamARN", "StreamName"], SortedMembers(enabled));
        Assert.Equal("watched", (string)enabled!["StreamName"]!);
        Assert.Equal(KinesisCoreHost.Arn("watched"), (string)enabled["StreamARN"]!);
        Assert.Equal("[]", enabled["CurrentShardLevelMetrics"]!.ToJsonString());
        Assert.Equal("""["IncomingBytes","OutgoingRecords"]""", enabled["DesiredShardLevelMetrics"]!.ToJsonString());

        var described = await host.OkAsync(format, "DescribeStream", """{"StreamName":"watched"}""");
        Assert.Equal("""[{"ShardLevelMetrics":["IncomingBytes","OutgoingRecords"]}]""", described!["StreamDescription"]!["EnhancedMonitoring"]!.ToJsonString());

        var disabled = await host.OkAsync(format, "DisableEnhancedMonitoring", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("watched")}}","ShardLevelMetrics":["ALL"]}""");
        Assert.Equal("""["IncomingBytes","OutgoingRecords"]""", disabled!["CurrentShardLevelMetrics"]!.ToJsonString());
        Assert.Equal("[]", disabled["DesiredShardLevelMetrics"]!.ToJsonString());
        var summary = await host.OkAsync(format, "DescribeStreamSummary", """{"StreamName":"watched"}""");
        Assert.Equal("""[{"ShardLevelMetrics":[]}]""", summary!["StreamDescriptionSummary"]!["EnhancedMonitoring"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EnableEnhancedMonitoring_MissingMetrics_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "watched");

        var message = await host.ErrorAsync(format, "EnableEnhancedMonitoring", """{"StreamName":"watched"}""", "ValidationException");

        Assert.Equal("1 validation error detected: Value null at 'shardLevelMetrics' failed to satisfy constraint: Member must not be null", message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DisableEnhancedMonitoring_UnknownStream_ResourceNotFound(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        await host.ErrorAsync(format, "DisableEnhancedMonitoring", """{"StreamName":"absent","ShardLevelMetrics":["ALL"]}""", "ResourceNotFoundException");
    }
}
