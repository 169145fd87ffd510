using System.Net;
using System.Net.Http.Headers;
using KafkaKinesisBridge.Grpc.Tests.Echo;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Grpc.Tests.Functional;

/// <summary>HTTP-level behaviour seen through HttpClient: protocol version, routing fall-through, startup checks.</summary>
public sealed class HttpSemanticsTests : IAsyncLifetime
{
    private GrpcTestServer _server = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await GrpcTestServer.StartAsync(cancellationToken: Token);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task GrpcRequest_OverHttp11_Returns426()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Http1Address, "/kkb.test.echo.v1.EchoService/Echo"))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcWire.Frame(new EchoRequest())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task UnknownGrpcMethod_OverHttp11_Returns426()
    {
        using var client = new HttpClient();
        using var content = new ByteArrayContent(GrpcWire.Frame(new EchoRequest()));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await client.PostAsync(new Uri(_server.Http1Address, "/some.Service/Method"), content, Token);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Fact]
    public async Task NonGrpcPost_OverHttp11_FallsThrough()
    {
        using var client = new HttpClient();
        using var content = new StringContent("{}", new MediaTypeHeaderValue("application/x-amz-json-1.1"));

        using var response = await client.PostAsync(_server.Http1Address, content, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GrpcTestServer.FallThroughBody, await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task GetOnRegisteredPath_FallsThrough()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Http2Address, "/kkb.test.echo.v1.EchoService/Echo"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(GrpcTestServer.FallThroughBody, await response.Content.ReadAsStringAsync(Token));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1, null)]
    [InlineData(1024, 0)]
    public void AddGrpcTransport_InvalidOptions_FailsValidation(int maxReceive, int? maxSend)
    {
        var services = new ServiceCollection().AddGrpcTransport(o =>
        {
            o.MaxReceiveMessageSize = maxReceive;
            o.MaxSendMessageSize = maxSend;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GrpcTransportOptions>>().Value);
        Assert.NotEmpty(error.Failures);
    }

    [Fact]
    public void AddGrpcTransport_Defaults_Valid()
    {
        using var provider = new ServiceCollection().AddGrpcTransport().BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<GrpcTransportOptions>>().Value;

        Assert.Equal(16 * 1024 * 1024, options.MaxReceiveMessageSize);
        Assert.Null(options.MaxSendMessageSize);
        Assert.Equal(GrpcCompression.None, options.ResponseCompression);
        Assert.False(options.EnableDetailedErrors);
    }

    [Fact]
    public async Task UseGrpcTransport_WithoutAddGrpcTransport_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        Assert.Throws<InvalidOperationException>(() => app.UseGrpcTransport(new EchoService().Definition));
    }

    [Fact]
    public async Task UseGrpcTransport_SameMethodTwice_Throws()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddGrpcTransport();
        await using var app = builder.Build();
        var definition = new EchoService().Definition;

        Assert.Throws<InvalidOperationException>(() => app.UseGrpcTransport(definition, definition));
    }
}
