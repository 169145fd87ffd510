using System.Text.Json;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Gateway.Tests.Scenarios;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The standard health service (grpc.health.v1.Health) and server reflection (v1 and v1alpha), seen
/// by an independent client: @grpc/grpc-js, with the messages declared from the gRPC documents
/// (tests/interop/grpc-gateway/health_reflection_client.js).
/// </summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class HealthReflectionInteropTests(EmbeddedGatewayFixture fixture)
{
    [Fact]
    public async Task GrpcJs_HealthAndReflection_ServingAndDescribeTheService()
    {
        var node = ExternalProcess.Find("node");
        var modules = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules");
        if (node is null || !Directory.Exists(Path.Combine(modules, "@grpc", "grpc-js")) || !Directory.Exists(Path.Combine(modules, "@grpc", "proto-loader")))
        {
            Prerequisite.Missing("node with @grpc/grpc-js and @grpc/proto-loader under tests/interop (run `make npm`) is not installed");
            return;
        }

        var service = KinesisStreams.Descriptor.FullName;
        var result = await ExternalProcess.RunAsync(
            node,
            [Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "grpc-gateway", "health_reflection_client.js"), fixture.Host.Target, service],
            timeout: TimeSpan.FromMinutes(1),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var health = document.RootElement.GetProperty("health");
        Assert.Equal("SERVING", health.GetProperty("overall").GetProperty("status").GetString());
        Assert.Equal("SERVING", health.GetProperty("service").GetProperty("status").GetString());
        Assert.Equal(5, health.GetProperty("unknown").GetProperty("code").GetInt32());
        Assert.Equal("SERVING", health.GetProperty("watch").GetString());
        foreach (var version in new[] { "v1", "v1alpha" })
        {
            var reflection = document.RootElement.GetProperty("reflection").GetProperty(version);
            Assert.Contains(service, reflection.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
            Assert.Contains("grpc.health.v1.Health", reflection.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
            Assert.Contains("kafkakinesisbridge/streams/v1/streams.proto", reflection.GetProperty("files").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(
                KinesisStreams.Descriptor.Methods.Select(m => m.Name),
                reflection.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        }
    }
}
