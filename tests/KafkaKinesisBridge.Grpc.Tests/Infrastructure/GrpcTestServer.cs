using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Grpc.Tests.Infrastructure;

/// <summary>
/// Real Kestrel on 127.0.0.1 with an ephemeral port: an HTTP/2-only endpoint (prior-knowledge
/// h2c, as gRPC clients speak it) and an HTTP/1.1-only endpoint, serving the echo service through
/// the transport. Requests the transport lets through reach a terminal handler that answers
/// "fell through".
/// </summary>
internal sealed class GrpcTestServer : IAsyncDisposable
{
    public const string FallThroughBody = "fell through";

    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, EchoService service, TestLogSink logs, IPEndPoint http2, IPEndPoint http1)
    {
        _app = app;
        Service = service;
        Logs = logs;
        Http2EndPoint = http2;
        Http1EndPoint = http1;
    }

    public EchoService Service { get; }

    public TestLogSink Logs { get; }

    public IPEndPoint Http2EndPoint { get; }

    public IPEndPoint Http1EndPoint { get; }

    public Uri Http2Address => new($"http://{Http2EndPoint}");

    public Uri Http1Address => new($"http://{Http1EndPoint}");

    public static async Task<GrpcTestServer> StartAsync(Action<GrpcTransportOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new TestLogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        ListenOptions? http2 = null;
        ListenOptions? http1 = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                http2 = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http1 = listen;
            });
        });
        builder.Services.AddGrpcTransport(configure);
        var service = new EchoService();
        builder.Services.AddGrpcService(service.Definition);

        var app = builder.Build();
        app.UseGrpcTransport();
        app.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return context.Response.WriteAsync(FallThroughBody, context.RequestAborted);
        });
        await app.StartAsync(cancellationToken);

        // Kestrel writes the bound port back into each endpoint's ListenOptions.
        return new GrpcTestServer(app, service, logs, http2!.IPEndPoint!, http1!.IPEndPoint!);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
