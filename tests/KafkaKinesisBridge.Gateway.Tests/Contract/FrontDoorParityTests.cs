using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Contract;

/// <summary>
/// Both front doors serve the same operations: every method of the gRPC service (streams.proto,
/// KinesisStreams) is also an operation of the Kinesis API (AWS JSON 1.1) on the same port.
/// Derived from the gRPC method list, so a new gRPC method without a Kinesis handler fails here.
/// </summary>
public sealed class FrontDoorParityTests(EmbeddedGatewayFixture fixture) : IClassFixture<EmbeddedGatewayFixture>
{
    public static TheoryData<string> GrpcMethods() => [.. KinesisStreams.Descriptor.Methods.Select(m => m.Name)];

    [Theory]
    [MemberData(nameof(GrpcMethods))]
    public async Task KinesisApi_EveryGrpcMethod_IsAnOperation(string method)
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202." + method);

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        // An empty request is answered by the operation itself: a result, or its validation error.
        using var document = JsonDocument.Parse(body);
        var type = document.RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;
        Assert.True(type is null or "ValidationException" or "InvalidArgumentException" or "ResourceNotFoundException", $"{method}: HTTP {(int)response.StatusCode} {body}");
        Assert.NotEqual("UnknownOperationException", type);
    }
}
