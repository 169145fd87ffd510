using KafkaKinesisBridge.Networking;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>The <c>Gateway</c> configuration section: where the gateway listens.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Gateway";

    /// <summary>
    /// The address to listen on. Default 127.0.0.1: a local development gateway accepts any
    /// signature by default, so it is not exposed beyond the machine unless asked (use 0.0.0.0 or ::).
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// The one port serving gRPC (HTTP/2) and the Kinesis API (HTTP/1.1 and HTTP/2); 0 picks a free
    /// port. Default 4567, the port Kinesis emulators use.
    /// </summary>
    public int Port { get; set; } = HttpPortOptions.DefaultPort;

    /// <summary>A PFX certificate: when set, the port serves TLS (HTTP/1.1 and HTTP/2 by ALPN).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The certificate's password, if any.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>How long shutdown waits for in-flight requests before storage is closed.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Connection limits and timeouts (<c>Gateway:Connections</c>).</summary>
    public ConnectionLimitsOptions Connections { get; set; } = new();

    /// <summary>The port settings for the Kestrel listener.</summary>
    public HttpPortOptions ToPortOptions() => new()
    {
        Address = Address,
        Port = Port,
        CertificatePath = CertificatePath,
        CertificatePassword = CertificatePassword,
        TlsHandshakeTimeout = Connections.FirstBytesTimeout,
    };
}
