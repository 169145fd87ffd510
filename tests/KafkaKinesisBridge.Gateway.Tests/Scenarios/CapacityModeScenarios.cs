using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>UpdateStreamMode over gRPC against a real gateway (rules of the Kinesis API reference, UpdateStreamMode).</summary>
public abstract class CapacityModeScenarios<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    [Fact]
    public async Task UpdateStreamMode_ByArnThenByName_ModeDescribedAndThirdSwitchLimited()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 2 });
        var arn = (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary.StreamArn;

        await UpdateAsync(new UpdateStreamModeRequest { StreamArn = arn, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.OnDemand } });
        var summary = (await Kinesis.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = name })).StreamDescriptionSummary;
        Assert.Equal(StreamMode.OnDemand, summary.StreamModeDetails.StreamMode);
        Assert.Equal(2, summary.OpenShardCount);

        await UpdateAsync(new UpdateStreamModeRequest { StreamName = name, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.Provisioned } });
        var described = (await Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name })).StreamDescription;
        Assert.Equal(StreamMode.Provisioned, described.StreamModeDetails.StreamMode);

        var error = await Assert.ThrowsAsync<RpcException>(() => UpdateAsync(new UpdateStreamModeRequest { StreamName = name, StreamModeDetails = new StreamModeDetails { StreamMode = StreamMode.OnDemand } }));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("LimitExceededException", error.Trailers.GetValue("kinesis-error-type"));
    }

    [Fact]
    public async Task UpdateStreamMode_NoMode_InvalidArgumentValidation()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = 1 });

        var error = await Assert.ThrowsAsync<RpcException>(() => UpdateAsync(new UpdateStreamModeRequest { StreamName = name }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("ValidationException", error.Trailers.GetValue("kinesis-error-type"));
    }

    private Task UpdateAsync(UpdateStreamModeRequest request) => Kinesis.Client.UpdateStreamModeAsync(request, KinesisStreamsClient.Options).ResponseAsync;
}

/// <summary>On the embedded log.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class EmbeddedCapacityModeTests(EmbeddedGatewayFixture fixture) : CapacityModeScenarios<EmbeddedGatewayFixture>(fixture);

/// <summary>On the Kafka backend against librdkafka's mock cluster.</summary>
[Collection(KafkaMockGatewayCollection.Name)]
public sealed class KafkaMockCapacityModeTests(KafkaMockGatewayFixture fixture) : CapacityModeScenarios<KafkaMockGatewayFixture>(fixture);
