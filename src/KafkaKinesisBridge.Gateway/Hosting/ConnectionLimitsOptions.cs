using KafkaKinesisBridge.Networking;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// The <c>Gateway:Connections</c> section: how many connections the port holds and how long a
/// connection may stay silent or slow, so idle or slow sockets cannot keep real clients out.
/// </summary>
/// <remarks>
/// Defaults follow Kestrel's where Kestrel has a sane one and tighten the rest: Kestrel has no
/// connection limit and no HTTP/2 keep-alive ping by default, and waits 30 seconds for request
/// headers.
/// </remarks>
public sealed class ConnectionLimitsOptions
{
    /// <summary>Default <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = ProtocolSniffingOptions.DefaultMaxConnections;

    /// <summary>Default <see cref="MinRequestBodyBytesPerSecond"/>: Kestrel's 240 bytes/s.</summary>
    public const double DefaultMinRequestBodyBytesPerSecond = 240;

    /// <summary>Default <see cref="Backlog"/>: pending TCP handshakes the kernel queues for accept.</summary>
    public const int DefaultBacklog = 1024;

    /// <summary>
    /// Open connections on the port at most, in any state (see
    /// <see cref="ProtocolSniffingOptions.MaxConnections"/>; also Kestrel's
    /// <c>MaxConcurrentConnections</c> on a TLS port). Beyond it, new connections are closed at once.
    /// </summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>
    /// How long a new connection may take to send its first bytes (the request line or the HTTP/2
    /// preface; on a TLS port, to finish the TLS handshake). Default 2 seconds.
    /// </summary>
    public TimeSpan FirstBytesTimeout { get; set; } = ProtocolSniffingOptions.DefaultSniffTimeout;

    /// <summary>
    /// How long Kestrel waits for the headers of a request (<c>RequestHeadersTimeout</c>; Kestrel's
    /// default is 30 seconds). Default 10 seconds: a slow-headers client (slowloris) holds a connection
    /// for no longer.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle keep-alive connection stays open (<c>KeepAliveTimeout</c>). Default 2 minutes.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Slowest request body Kestrel accepts, after a 5-second grace period (<c>MinRequestBodyDataRate</c>);
    /// a slower body is answered 408. 0 turns the check off.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = DefaultMinRequestBodyBytesPerSecond;

    /// <summary>
    /// HTTP/2: after this much silence from the client the server sends a PING
    /// (<c>Http2.KeepAlivePingDelay</c>; off in Kestrel by default), so a dead peer of a long-lived
    /// connection (gRPC, SubscribeToShard) is noticed. Default 1 minute.
    /// </summary>
    public TimeSpan Http2KeepAlivePingDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>HTTP/2: a PING unanswered this long closes the connection (<c>Http2.KeepAlivePingTimeout</c>). Default 20 seconds.</summary>
    public TimeSpan Http2KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The listen backlog (capped by the kernel's <c>net.core.somaxconn</c>).</summary>
    public int Backlog { get; set; } = DefaultBacklog;

    /// <summary>Rejections and first-bytes timeouts are logged as one summary line per this interval.</summary>
    public TimeSpan RejectionLogInterval { get; set; } = ProtocolSniffingOptions.DefaultRejectionLogInterval;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        Positive(FirstBytesTimeout, nameof(FirstBytesTimeout));
        Positive(RequestHeadersTimeout, nameof(RequestHeadersTimeout));
        Positive(KeepAliveTimeout, nameof(KeepAliveTimeout));
        Positive(Http2KeepAlivePingDelay, nameof(Http2KeepAlivePingDelay));
        Positive(Http2KeepAlivePingTimeout, nameof(Http2KeepAlivePingTimeout));
        Positive(RejectionLogInterval, nameof(RejectionLogInterval));
        if (MaxConnections < 1)
        {
            throw new ArgumentException($"Gateway:Connections:{nameof(MaxConnections)} must be at least 1, not {MaxConnections}.", nameof(MaxConnections));
        }

        if (MinRequestBodyBytesPerSecond < 0 || double.IsNaN(MinRequestBodyBytesPerSecond))
        {
            throw new ArgumentException($"Gateway:Connections:{nameof(MinRequestBodyBytesPerSecond)} must be 0 (off) or positive.", nameof(MinRequestBodyBytesPerSecond));
        }

        if (Backlog < 1)
        {
            throw new ArgumentException($"Gateway:Connections:{nameof(Backlog)} must be at least 1, not {Backlog}.", nameof(Backlog));
        }
    }

    /// <summary>Sets the sniffing transport's limits.</summary>
    public void ApplyTo(ProtocolSniffingOptions sniffing)
    {
        ArgumentNullException.ThrowIfNull(sniffing);
        sniffing.MaxConnections = MaxConnections;
        sniffing.SniffTimeout = FirstBytesTimeout;
        sniffing.RejectionLogInterval = RejectionLogInterval;
    }

    /// <summary>Sets the socket transport's backlog.</summary>
    public void ApplyTo(SocketTransportOptions sockets)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        sockets.Backlog = Backlog;
    }

    /// <summary>Sets Kestrel's limits.</summary>
    public void ApplyTo(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);

        // On the sniffed port the sniffing transport enforces the total; Kestrel counts each logical
        // endpoint on its own, so this is a second, looser bound there, and the bound on a TLS port.
        limits.MaxConcurrentConnections = MaxConnections;
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.KeepAliveTimeout = KeepAliveTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5))
            : null;
        limits.Http2.KeepAlivePingDelay = Http2KeepAlivePingDelay;
        limits.Http2.KeepAlivePingTimeout = Http2KeepAlivePingTimeout;
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Gateway:Connections:{name} must be positive, not {value}.", name);
        }
    }
}
