using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Gateway.Tests.Scenarios;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace KafkaKinesisBridge.Gateway.Tests.Contract;

/// <summary>
/// The gateway binds the KinesisStreams methods itself (to give PutRecords and GetRecords their
/// hand-made marshallers) instead of through the generated BindService: these tests hold what it
/// serves to the KinesisStreams service of streams.proto as protoc compiled it.
/// </summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class MethodDescriptorTests(EmbeddedGatewayFixture fixture)
{
    private static ServiceDescriptor Service => KinesisStreams.Descriptor;

    [Fact]
    public void Gateway_BoundMethods_AreExactlyThoseOfTheProtoServiceWithTheirKinds()
    {
        var endpoints = fixture.Host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var bound = endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method)
            .Where(m => m is not null && m.ServiceName == Service.FullName)
            .ToList();

        Assert.Equal(
            Service.Methods.Select(m => m.Name).Order(StringComparer.Ordinal),
            bound.Select(m => m!.Name).Order(StringComparer.Ordinal));
        foreach (var method in Service.Methods)
        {
            var match = Assert.Single(bound, b => b!.Name == method.Name)!;
            Assert.Equal($"/{Service.FullName}/{method.Name}", match.FullName);
            Assert.False(method.IsClientStreaming, $"{method.Name} is client streaming");
            Assert.Equal(method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary, match.Type);
        }
    }

    [Fact]
    public async Task Gateway_EveryDeclaredMethod_IsServed()
    {
        // An unknown method answers UNIMPLEMENTED (gRPC PROTOCOL-HTTP2); every declared one must reach
        // the service, which for an empty request answers a Kinesis error or success, never that.
        var host = fixture.Host;
        foreach (var method in Service.Methods)
        {
            var status = await StatusOfEmptyRequestAsync(host, $"/{Service.FullName}/{method.Name}");
            Assert.NotEqual(StatusCode.Unimplemented, status);
        }

        Assert.Equal(StatusCode.Unimplemented, await StatusOfEmptyRequestAsync(host, $"/{Service.FullName}/NoSuchMethod"));
    }

    /// <summary>Calls a path with an empty message (any response is read as Empty) and returns the status.</summary>
    private static async Task<StatusCode> StatusOfEmptyRequestAsync(GatewayHost host, string path)
    {
        var slash = path.LastIndexOf('/');
        var marshaller = Marshallers.Create<Empty>(m => m.ToByteArray(), Empty.Parser.ParseFrom);
        var method = new Method<Empty, Empty>(MethodType.Unary, path[1..slash], path[(slash + 1)..], marshaller, marshaller);
        try
        {
            await host.Kinesis.CallAsync(method, new Empty());
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }
}
