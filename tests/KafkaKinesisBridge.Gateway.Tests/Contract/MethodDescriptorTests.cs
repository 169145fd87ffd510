using System.Reflection;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Gateway.Tests.Scenarios;
using KafkaKinesisBridge.Grpc;
using KafkaKinesisBridge.Grpc.Client;
using Type = System.Type;

namespace KafkaKinesisBridge.Gateway.Tests.Contract;

/// <summary>
/// KinesisStreamsMethods is written by hand (Grpc.Tools' service generator targets Grpc.Core); these
/// tests hold it to the KinesisStreams service of streams.proto as protoc compiled it (the generated
/// file descriptor includes services), and check that the gateway serves every method.
/// </summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class MethodDescriptorTests(EmbeddedGatewayFixture fixture)
{
    private static ServiceDescriptor Service =>
        StreamsReflection.Descriptor.Services.Single(s => s.Name == "KinesisStreams");

    /// <summary>Every public static Method&lt;,&gt; field of KinesisStreamsMethods.</summary>
    private static List<(string Field, string Name, string ServiceName, MethodType Type, string Path, Type Request, Type Response)> Declared =>
    [
        .. typeof(KinesisStreamsMethods)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(Method<,>))
            .Select(f =>
            {
                var method = f.GetValue(null)!;
                var type = f.FieldType;
                return (
                    f.Name,
                    (string)type.GetProperty(nameof(Method<CreateStreamRequest, CreateStreamResponse>.Name))!.GetValue(method)!,
                    (string)type.GetProperty(nameof(Method<CreateStreamRequest, CreateStreamResponse>.ServiceName))!.GetValue(method)!,
                    (MethodType)type.GetProperty(nameof(Method<CreateStreamRequest, CreateStreamResponse>.Type))!.GetValue(method)!,
                    (string)type.GetProperty(nameof(Method<CreateStreamRequest, CreateStreamResponse>.FullName))!.GetValue(method)!,
                    type.GetGenericArguments()[0],
                    type.GetGenericArguments()[1]);
            }),
    ];

    [Fact]
    public void KinesisStreamsMethods_ComparedWithProtoDescriptor_SameMethodsTypesAndKinds()
    {
        var service = Service;
        var declared = Declared;

        Assert.Equal(KinesisStreamsMethods.ServiceName, service.FullName);
        Assert.Equal(service.Methods.Select(m => m.Name).Order(StringComparer.Ordinal), declared.Select(d => d.Name).Order(StringComparer.Ordinal));
        foreach (var method in service.Methods)
        {
            var match = Assert.Single(declared, d => d.Name == method.Name);
            Assert.Equal(method.Name, match.Field);
            Assert.Equal(service.FullName, match.ServiceName);
            Assert.Equal($"/{service.FullName}/{method.Name}", match.Path);
            Assert.Equal(method.InputType.ClrType, match.Request);
            Assert.Equal(method.OutputType.ClrType, match.Response);
            Assert.False(method.IsClientStreaming, $"{method.Name} is client streaming");
            Assert.Equal(method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary, match.Type);
        }
    }

    [Fact]
    public void MethodNames_ComparedWithProtoDescriptor_EveryMethodInProtoOrder()
    {
        Assert.Equal(Service.Methods.Select(m => m.Name), KinesisStreamsMethods.MethodNames);
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
        var method = new Method<Empty, Empty>(MethodType.Unary, path[1..slash], path[(slash + 1)..], Empty.Parser, Empty.Parser);
        try
        {
            await host.GrpcClient.UnaryAsync(method, new Empty(), new CallOptions { Timeout = KinesisStreamsClient.CallTimeout, CancellationToken = TestContext.Current.CancellationToken });
            return StatusCode.OK;
        }
        catch (GrpcCallException error)
        {
            return error.StatusCode;
        }
    }
}
