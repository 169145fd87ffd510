using System.Net;

namespace KafkaKinesisBridge.Networking;

/// <summary>
/// One of the two logical Kestrel endpoints that share a sniffed TCP port: Kestrel binds the
/// HTTP/1.1 one and the HTTP/2 one separately, and the sniffing transport feeds each the
/// connections whose first bytes match its protocol.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> prints the bound IP endpoint, so Kestrel's address list
/// (<c>IServerAddressesFeature</c>) shows a usable <c>http://host:port</c> for it.
/// </remarks>
public sealed class SniffedEndPoint : EndPoint
{
    internal SniffedEndPoint(SniffedPortGroup group, SniffedProtocol protocol, IPEndPoint endPoint)
    {
        Group = group;
        Protocol = protocol;
        IPEndPoint = endPoint;
    }

    /// <summary>The TCP endpoint: as configured before binding, the bound one (real port) after.</summary>
    public IPEndPoint IPEndPoint { get; }

    /// <summary>Which protocol this logical endpoint serves.</summary>
    public SniffedProtocol Protocol { get; }

    /// <summary>Identifies the shared port both logical endpoints belong to.</summary>
    internal SniffedPortGroup Group { get; }

    /// <inheritdoc />
    public override string ToString() => IPEndPoint.ToString();

    internal SniffedEndPoint WithBound(IPEndPoint bound) => new(Group, Protocol, bound);
}

/// <summary>The protocol a logical endpoint of a sniffed port serves.</summary>
public enum SniffedProtocol
{
    /// <summary>HTTP/1.x.</summary>
    Http1,

    /// <summary>HTTP/2 with prior knowledge (h2c).</summary>
    Http2,
}

/// <summary>The identity shared by the two logical endpoints of one sniffed port.</summary>
internal sealed class SniffedPortGroup(IPEndPoint endPoint)
{
    /// <summary>The TCP endpoint to bind (port 0 picks a free port).</summary>
    public IPEndPoint EndPoint { get; } = endPoint;

    /// <inheritdoc />
    public override string ToString() => EndPoint.ToString();
}
