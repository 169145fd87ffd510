using System.Net;
using KafkaKinesisBridge.Networking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;

/// <summary>A real Kestrel server on a sniffed loopback port (port 0), for functional tests.</summary>
public sealed class KestrelTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelTestHost(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/");
        Port = BaseAddress.Port;
    }

    /// <summary>http://host:port/ of the sniffed port.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The bound port.</summary>
    public int Port { get; }

    /// <summary>Everything the server logged.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server listening sniffed on <paramref name="address"/> (default IPv4 loopback), port 0.</summary>
    public static async Task<KestrelTestHost> StartAsync(
        Action<WebApplication> configureApp,
        Action<IServiceCollection>? configureServices = null,
        Action<KestrelServerOptions>? configureKestrel = null,
        Action<ProtocolSniffingOptions>? configureSniffing = null,
        IPAddress? address = null,
        Action<KestrelServerOptions>? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        builder.Services.AddProtocolSniffing(configureSniffing);
        configureServices?.Invoke(builder.Services);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            configureKestrel?.Invoke(kestrel);
            if (listen is not null)
            {
                listen(kestrel);
            }
            else
            {
                kestrel.ListenSniffed(address ?? IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        configureApp(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new KestrelTestHost(app, logs);
    }

    /// <summary>Stops the server gracefully (in-flight requests finish).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
