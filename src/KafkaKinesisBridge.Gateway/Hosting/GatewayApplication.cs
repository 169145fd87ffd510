using KafkaKinesisBridge.Api.Firehose;
using KafkaKinesisBridge.Api.Grpc;
using KafkaKinesisBridge.Api.Kinesis;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Networking;
using KafkaKinesisBridge.Storage.Embedded;
using KafkaKinesisBridge.Storage.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// Builds the gateway: one port serving the gRPC API and the Kinesis API (AWS JSON 1.1 / CBOR) over
/// the core and the configured storage backend. Used by Program and by in-process tests.
/// </summary>
public static class GatewayApplication
{
    /// <summary>HTTP/2 flow-control windows large enough for multi-MiB PutRecords over one connection.</summary>
    private const int ConnectionWindowBytes = 16 * 1024 * 1024;
    private const int StreamWindowBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Builds the application from <paramref name="args"/> and the usual configuration sources
    /// (see <see cref="GatewayConfiguration"/>); <paramref name="configure"/> may add configuration or
    /// services before the gateway reads them (tests use it for port 0, temp directories, a clock).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddGatewaySources(args);
        configure?.Invoke(builder);

        var configuration = builder.Configuration;
        var gateway = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        var storage = configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new StorageOptions();
        var port = gateway.ToPortOptions();
        port.Validate();
        gateway.Connections.Validate();

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = gateway.ShutdownTimeout);
        builder.Services.AddProtocolSniffing(gateway.Connections.ApplyTo);
        builder.WebHost.UseSockets(gateway.Connections.ApplyTo);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            gateway.Connections.ApplyTo(kestrel.Limits);
            kestrel.Limits.Http2.InitialConnectionWindowSize = ConnectionWindowBytes;
            kestrel.Limits.Http2.InitialStreamWindowSize = StreamWindowBytes;
            kestrel.ListenHttpPort(port);
        });

        AddStorage(builder.Services, configuration, storage.ParseBackend(), storage.MockBrokers);
        builder.Services.AddKinesisStreamsCore(configuration);
        builder.Services.AddKinesisGrpcApi(options => configuration.GetSection("Grpc").Bind(options));
        builder.Services.AddKinesisApi(configuration);
        builder.Services.AddKinesisStreamsOperations();

        // Firehose: delivery streams on the same AWS JSON endpoint (target prefix Firehose_20150804).
        builder.Services.AddFirehoseApi(configuration);
        builder.Services.AddFirehoseSinkWorker(configuration);
        if (storage.ParseBackend() is StorageBackend.Kafka or StorageBackend.KafkaMock)
        {
            // On Kafka, sink workers of every process share each delivery stream's partitions through
            // a consumer group (rebalance on join and leave), instead of file checkpoints.
            builder.Services.AddFirehoseSinkConsumerGroups();
        }

        builder.AddGatewayTelemetry();

        // --sink-only: this process only delivers delivery streams (health, readiness and metrics
        // stay); the APIs are served by the other gateway processes.
        var sinkOnly = configuration.GetValue<bool>("Firehose:Sink:SinkOnly");
        var app = builder.Build();
        app.UseGrpcCallAuthentication();
        if (!sinkOnly)
        {
            app.MapKinesisGrpcApi();
            app.MapGrpcService<FirehoseGrpcService>();
        }

        app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/ready", (IStreamsReadiness readiness) =>
            readiness.IsReady ? Results.Ok(new { status = "ready" }) : Results.Json(new { status = "starting" }, statusCode: 503));
        app.MapDebugEndpoints();
        app.MapGatewayTelemetry();
        if (!sinkOnly)
        {
            app.MapKinesisApi();
        }

        return app;
    }

    /// <summary>The address the gateway listens on once started (useful with port 0).</summary>
    public static Uri GetListeningAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The gateway is not listening yet.");
        var uri = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return uri;
    }

    private static void AddStorage(IServiceCollection services, IConfiguration configuration, StorageBackend backend, int mockBrokers)
    {
        switch (backend)
        {
            case StorageBackend.Embedded:
                services.AddOptions<EmbeddedLogOptions>().Bind(configuration.GetSection(EmbeddedLogOptions.SectionName));
                services.AddEmbeddedLogStore();
                break;
            case StorageBackend.Kafka:
                services.AddOptions<KafkaStorageOptions>().Bind(configuration.GetSection(KafkaStorageOptions.SectionName));
                services.AddKafkaLogStore();
                break;
            case StorageBackend.KafkaMock:
                services.AddOptions<KafkaStorageOptions>().Bind(configuration.GetSection(KafkaStorageOptions.SectionName));
                services.AddKafkaMockLogStore(mockBrokers);
                break;
            default:
                throw new InvalidOperationException($"Unknown storage backend {backend}.");
        }

        // Opening the store at start (not on the first request) surfaces a bad data directory or an
        // unreachable cluster as a startup failure.
        services.AddHostedService(sp => new StorageWarmup(sp.GetRequiredService<ILogStore>()));
    }

    private sealed class StorageWarmup(ILogStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.FromResult(store.Name);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
