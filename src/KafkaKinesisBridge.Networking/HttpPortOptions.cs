using System.Net;

namespace KafkaKinesisBridge.Networking;

/// <summary>
/// The gateway's HTTP port: cleartext HTTP/1.1 and h2c on one port (protocol sniffed per
/// connection), or TLS with HTTP/1.1 and HTTP/2 negotiated by ALPN when a certificate is given.
/// </summary>
public sealed class HttpPortOptions
{
    /// <summary>Default <see cref="Port"/> (the port kinesalite and LocalStack's Kinesis use).</summary>
    public const int DefaultPort = 4567;

    /// <summary>Default <see cref="Address"/>: every IPv4 and IPv6 interface.</summary>
    public const string DefaultAddress = "::";

    /// <summary>IP address to listen on (<c>::</c> = all interfaces, dual-stack; <c>127.0.0.1</c>; <c>::1</c>).</summary>
    public string Address { get; set; } = DefaultAddress;

    /// <summary>TCP port; 0 picks a free port (tests read the bound port from Kestrel's addresses).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>PKCS#12 (.pfx) or PEM certificate file; when set, the port speaks TLS only.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of <see cref="CertificatePath"/>, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// On a TLS port, how long a new connection may take to complete the TLS handshake (Kestrel's
    /// <c>HttpsConnectionAdapterOptions.HandshakeTimeout</c>, 10 seconds by default): the TLS
    /// counterpart of <see cref="ProtocolSniffingOptions.SniffTimeout"/>.
    /// </summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when a certificate is configured.</summary>
    public bool UseTls => !string.IsNullOrEmpty(CertificatePath);

    /// <summary>The parsed <see cref="Address"/>.</summary>
    public IPAddress ParseAddress() =>
        IPAddress.TryParse(Address, out var address)
            ? address
            : throw new ArgumentException($"{nameof(Address)} '{Address}' is not an IP address.", nameof(Address));

    /// <summary>Throws <see cref="ArgumentException"/> when a value is invalid.</summary>
    public void Validate()
    {
        _ = ParseAddress();
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"{nameof(Port)} must be 0..65535, not {Port}.", nameof(Port));
        }

        if (UseTls && !File.Exists(CertificatePath))
        {
            throw new ArgumentException($"{nameof(CertificatePath)} '{CertificatePath}' does not exist.", nameof(CertificatePath));
        }

        if (TlsHandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TlsHandshakeTimeout)} must be positive, not {TlsHandshakeTimeout}.", nameof(TlsHandshakeTimeout));
        }

        if (!UseTls && !string.IsNullOrEmpty(CertificatePassword))
        {
            throw new ArgumentException($"{nameof(CertificatePassword)} is set but {nameof(CertificatePath)} is not.", nameof(CertificatePassword));
        }
    }
}
