using KafkaKinesisBridge.Grpc.Client;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Grpc.Tests.Functional;

/// <summary>Methods with their own <see cref="Marshaller{T}"/> (as the gateway's hot methods have), over real h2c.</summary>
public sealed class MarshallerTests : IAsyncLifetime
{
    private GrpcTestServer _server = null!;
    private GrpcClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await GrpcTestServer.StartAsync(cancellationToken: Token);
        _client = new GrpcClient(_server.Http2Address);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task CustomMarshallers_Unary_RoundTripAndServerDisposesBothMessages()
    {
        var reply = await _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([1, 2, 3, 4]), new CallOptions { CancellationToken = Token });

        Assert.Equal(new byte[] { 4, 3, 2, 1 }, reply.Bytes);
        var seen = _server.Service.ReverseMessages.ToArray();
        Assert.Equal(2, seen.Length);
        await Eventually.UntilAsync(() => seen.All(m => m.Disposed), because: "the server disposes the request and the written response");
    }

    [Fact]
    public async Task CustomMarshallers_GzipRequest_DecompressedBeforeDeserializing()
    {
        using var gzip = new GrpcClient(_server.Http2Address, new GrpcClientOptions { RequestCompression = GrpcCompression.Gzip });
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i % 7)).ToArray();

        var reply = await gzip.UnaryAsync(EchoService.ReverseMethod, new RawPayload(payload), new CallOptions { CancellationToken = Token });

        Assert.Equal(payload.Reverse(), reply.Bytes);
    }

    [Fact]
    public async Task CustomMarshaller_DeserializerThrows_InternalAndTheServerKeepsServing()
    {
        var error = await Assert.ThrowsAsync<GrpcCallException>(() =>
            _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([0xFF, 1]), new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Failed to deserialize request message.", error.Detail);
        var reply = await _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([7, 8]), new CallOptions { CancellationToken = Token });
        Assert.Equal(new byte[] { 8, 7 }, reply.Bytes);
    }
}
