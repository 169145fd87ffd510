using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using KafkaKinesisBridge.Grpc.Tests.Echo;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;

namespace KafkaKinesisBridge.Grpc.Tests.Unit;

/// <summary>Argument checks and small behaviours of the public types.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void Metadata_Keys_LoweredAndValidated()
    {
        var metadata = new Metadata().Add("X-User", "a");
        Assert.Equal("x-user", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-value", "é"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-data", [1, 2]));
    }

    [Fact]
    public void Metadata_Get_ReturnsLastEntryWithKey()
    {
        var metadata = new Metadata().Add("k", "1").Add("other", "x").Add("k", "2");

        Assert.Equal("2", metadata.GetValue("k"));
        Assert.Equal(["1", "2"], metadata.GetAll("k").Select(e => e.Value));
        Assert.Null(metadata.GetValue("missing"));
        Assert.Throws<InvalidOperationException>(() => metadata[0].ValueBytes);
    }

    [Fact]
    public void GrpcStatusException_OkStatus_Rejected() =>
        Assert.Throws<ArgumentException>(() => new GrpcStatusException(StatusCode.OK, "fine"));

    [Fact]
    public void GrpcStatusException_DetailsCodeMismatch_Rejected() =>
        Assert.Throws<ArgumentException>(() => new GrpcStatusException(StatusCode.NotFound, "x", new Google.Rpc.Status { Code = 3 }));

    [Fact]
    public void GrpcStatusException_WithDetails_PacksEachDetail()
    {
        var exception = GrpcStatusException.WithDetails(
            StatusCode.ResourceExhausted,
            "throttled",
            new ErrorInfo { Reason = "ProvisionedThroughputExceededException" },
            new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(1)) });

        Assert.Equal(8, exception.Details!.Code);
        Assert.Equal("throttled", exception.Details.Message);
        Assert.Equal("ProvisionedThroughputExceededException", exception.Details.Details[0].Unpack<ErrorInfo>().Reason);
        Assert.Equal(TimeSpan.FromSeconds(1), exception.Details.Details[1].Unpack<RetryInfo>().RetryDelay.ToTimeSpan());
    }

    [Fact]
    public void Method_FullName_IsPath()
    {
        Assert.Equal("/kkb.test.echo.v1.EchoService/Echo", EchoService.EchoMethod.FullName);
        Assert.Throws<ArgumentException>(() => new Method<EchoRequest, EchoReply>(MethodType.Unary, "a/b", "M", EchoRequest.Parser, EchoReply.Parser));
    }

    [Fact]
    public void ServiceDefinition_DuplicateOrForeignMethods_Rejected()
    {
        var builder = GrpcServiceDefinition.CreateBuilder(EchoService.ServiceName)
            .AddUnaryMethod(EchoService.EchoMethod, (r, c) => ValueTask.FromResult(new EchoReply()));

        Assert.Throws<ArgumentException>(() => builder.AddUnaryMethod(EchoService.EchoMethod, (r, c) => ValueTask.FromResult(new EchoReply())));
        Assert.Throws<ArgumentException>(() => builder.AddUnaryMethod(EchoService.StreamMethod.Name, StreamRequest.Parser, (StreamRequest r, ServerCallContext c) => ValueTask.FromResult(new EchoReply())).AddServerStreamingMethod(EchoService.EchoMethod, (r, w, c) => Task.CompletedTask));
        var foreign = new Method<EchoRequest, EchoReply>(MethodType.Unary, "other.Service", "Echo", EchoRequest.Parser, EchoReply.Parser);
        Assert.Throws<ArgumentException>(() => GrpcServiceDefinition.CreateBuilder(EchoService.ServiceName).AddUnaryMethod(foreign, (r, c) => ValueTask.FromResult(new EchoReply())));
        Assert.Throws<InvalidOperationException>(() => GrpcServiceDefinition.CreateBuilder("empty.Service").Build());
    }

    [Fact]
    public void ServiceDefinition_MethodPaths_Listed()
    {
        var definition = new EchoService().Definition;

        Assert.Equal(EchoService.ServiceName, definition.ServiceName);
        Assert.Equal(["/kkb.test.echo.v1.EchoService/Echo", "/kkb.test.echo.v1.EchoService/Stream", "/kkb.test.echo.v1.EchoService/Reverse"], definition.MethodPaths);
    }
}
