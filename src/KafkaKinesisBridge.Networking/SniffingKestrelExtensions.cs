using System.Net;
using KafkaKinesisBridge.Networking.Internal;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Networking;

/// <summary>Registers and configures one cleartext port serving both HTTP/1.1 and prior-knowledge HTTP/2.</summary>
/// <remarks>
/// Kestrel downgrades a cleartext <see cref="HttpProtocols.Http1AndHttp2"/> endpoint to HTTP/1.1
/// (without TLS there is no ALPN to choose), and an <see cref="HttpProtocols.Http2"/> endpoint
/// refuses HTTP/1.1. The AWS CLI and boto3 speak HTTP/1.1 to an <c>http://</c> endpoint while the
/// AWS SDK for JavaScript v3 and gRPC clients speak h2c, so the sniffed port binds two logical
/// Kestrel endpoints (one per protocol) over one TCP listener and routes each connection by its
/// first bytes. Kestrel's connection limits, timeouts, logging and metrics apply to both.
/// </remarks>
public static class SniffingKestrelExtensions
{
    /// <summary>
    /// Adds the sniffing transport to the services (needed once before <see cref="ListenSniffed(KestrelServerOptions, IPEndPoint, Action{ListenOptions}?)"/> binds).
    /// </summary>
    public static IServiceCollection AddProtocolSniffing(this IServiceCollection services, Action<ProtocolSniffingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ProtocolSniffingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProtocolSniffingOptions>, ProtocolSniffingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, SniffingConnectionListenerFactory>());
        return services;
    }

    /// <summary>Adds the sniffing transport to the web host's services.</summary>
    public static IWebHostBuilder UseProtocolSniffing(this IWebHostBuilder builder, Action<ProtocolSniffingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddProtocolSniffing(configure));
    }

    /// <summary>
    /// Listens on <paramref name="address"/>:<paramref name="port"/> for both HTTP/1.1 and h2c.
    /// </summary>
    /// <param name="options">Kestrel's options.</param>
    /// <param name="address">IP address (<see cref="IPAddress.IPv6Any"/> binds dual-stack).</param>
    /// <param name="port">TCP port; 0 picks a free one.</param>
    /// <param name="configure">
    /// Applied to both logical endpoints (connection middleware, logging, ...); their
    /// <see cref="ListenOptions.Protocols"/> are set afterwards to HTTP/1.1 and HTTP/2 respectively.
    /// </param>
    public static KestrelServerOptions ListenSniffed(this KestrelServerOptions options, IPAddress address, int port, Action<ListenOptions>? configure = null) =>
        options.ListenSniffed(new IPEndPoint(address, port), configure);

    /// <inheritdoc cref="ListenSniffed(KestrelServerOptions, IPAddress, int, Action{ListenOptions}?)"/>
    public static KestrelServerOptions ListenSniffed(this KestrelServerOptions options, IPEndPoint endPoint, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endPoint);
        EnsureRegistered(options);
        var group = new SniffedPortGroup(endPoint);
        options.Listen(new SniffedEndPoint(group, SniffedProtocol.Http1, endPoint), listen =>
        {
            configure?.Invoke(listen);
            listen.Protocols = HttpProtocols.Http1;
        });
        options.Listen(new SniffedEndPoint(group, SniffedProtocol.Http2, endPoint), listen =>
        {
            configure?.Invoke(listen);
            listen.Protocols = HttpProtocols.Http2;
        });
        return options;
    }

    /// <summary>
    /// Listens as <paramref name="port"/> says: with a certificate, a standard TLS endpoint where
    /// ALPN chooses HTTP/1.1 or HTTP/2; without, the sniffed cleartext port.
    /// </summary>
    public static KestrelServerOptions ListenHttpPort(this KestrelServerOptions options, HttpPortOptions port, Action<ListenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(port);
        port.Validate();
        var endPoint = new IPEndPoint(port.ParseAddress(), port.Port);
        if (!port.UseTls)
        {
            return options.ListenSniffed(endPoint, configure);
        }

        options.Listen(endPoint, listen =>
        {
            configure?.Invoke(listen);
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(port.CertificatePath!, port.CertificatePassword, https => https.HandshakeTimeout = port.TlsHandshakeTimeout);
        });
        return options;
    }

    private static void EnsureRegistered(KestrelServerOptions options)
    {
        // ApplicationServices is set when Kestrel configures its options from the host; a bare
        // KestrelServerOptions (unit tests) has none, and the bind will say what is missing.
        var services = options.ApplicationServices;
        if (services is not null
            && !services.GetServices<IConnectionListenerFactory>().Any(factory => factory is SniffingConnectionListenerFactory))
        {
            throw new InvalidOperationException(
                $"{nameof(ListenSniffed)} needs the sniffing transport: call services.{nameof(AddProtocolSniffing)}() or webHost.{nameof(UseProtocolSniffing)}() first.");
        }
    }
}

/// <summary>Runs <see cref="ProtocolSniffingOptions.Validate"/> when the options are built (and at start).</summary>
internal sealed class ProtocolSniffingOptionsValidator : IValidateOptions<ProtocolSniffingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProtocolSniffingOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
