using KafkaKinesisBridge.Api.Kinesis.Protocol;
using static KafkaKinesisBridge.Api.Kinesis.Tests.Operations.WireDocuments;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>The consumer operations of enhanced fan-out through real HTTP against the real core, JSON and CBOR.</summary>
public sealed class ConsumerOperationsTests
{
    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task RegisterDescribeListDeregister_ExactShapes(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "fan");
        var streamArn = KinesisCoreHost.Arn("fan");

        var registered = await host.OkAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"app"}""");
        var consumer = registered!["Consumer"]!;
        Assert.Equal(["ConsumerARN", "ConsumerCreationTimestamp", "ConsumerName", "ConsumerStatus"], SortedMembers(consumer));
        Assert.Equal("CREATING", (string)consumer["ConsumerStatus"]!);
        var consumerArn = (string)consumer["ConsumerARN"]!;
        Assert.Equal($"{streamArn}/consumer/app:{KinesisCoreHost.Start.ToUnixTimeSeconds()}", consumerArn);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var described = await host.OkAsync(format, "DescribeStreamConsumer", $$"""{"ConsumerARN":"{{consumerArn}}"}""");
        var description = described!["ConsumerDescription"]!;
        Assert.Equal(["ConsumerARN", "ConsumerCreationTimestamp", "ConsumerName", "ConsumerStatus", "StreamARN"], SortedMembers(description));
        Assert.Equal("ACTIVE", (string)description["ConsumerStatus"]!);
        Assert.Equal(streamArn, (string)description["StreamARN"]!);

        await host.OkAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"other"}""");
        var first = await host.OkAsync(format, "ListStreamConsumers", $$"""{"StreamARN":"{{streamArn}}","MaxResults":1}""");
        Assert.Equal("app", (string)first!["Consumers"]![0]!["ConsumerName"]!);
        var token = (string)first["NextToken"]!;
        var second = await host.OkAsync(format, "ListStreamConsumers", $$"""{"StreamARN":"{{streamArn}}","NextToken":"{{token}}"}""");
        Assert.Equal("other", (string)second!["Consumers"]![0]!["ConsumerName"]!);
        Assert.Null(second["NextToken"]);

        await host.OkAsync(format, "DeregisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"app"}""");
        var deleting = await host.OkAsync(format, "DescribeStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"app"}""");
        Assert.Equal("DELETING", (string)deleting!["ConsumerDescription"]!["ConsumerStatus"]!);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task ConsumerErrors_KinesisNames(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "fan");
        var streamArn = KinesisCoreHost.Arn("fan");
        await host.OkAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"app"}""");

        await host.ErrorAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"app"}""", "ResourceInUseException");
        await host.ErrorAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{KinesisCoreHost.Arn("none")}}","ConsumerName":"app"}""", "ResourceNotFoundException");
        await host.ErrorAsync(format, "RegisterStreamConsumer", $$"""{"StreamARN":"{{streamArn}}"}""", "ValidationException");
        await host.ErrorAsync(format, "DescribeStreamConsumer", $$"""{"StreamARN":"{{streamArn}}","ConsumerName":"nobody"}""", "ResourceNotFoundException");
        await host.ErrorAsync(format, "DescribeStreamConsumer", """{"ConsumerARN":"not-an-arn"}""", "ValidationException");
        await host.ErrorAsync(format, "DeregisterStreamConsumer", "{}", "InvalidArgumentException");
    }
}
