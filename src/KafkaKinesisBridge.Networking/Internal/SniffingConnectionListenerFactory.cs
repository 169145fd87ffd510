using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// Kestrel transport for <see cref="SniffedEndPoint"/>s: binds the TCP port once (through the
/// standard socket transport, so socket options and behaviour are Kestrel's) when the first of the
/// two logical endpoints binds, and hands each logical endpoint its share of the connections.
/// </summary>
/// <remarks>
/// Kestrel asks every registered <see cref="IConnectionListenerFactory"/> that implements
/// <see cref="IConnectionListenerFactorySelector"/> whether it can bind an endpoint; the socket
/// transport only takes IP, Unix socket and file handle endpoints, and this one only sniffed ones,
/// so both coexist and ordinary <c>Listen</c> calls keep working.
/// </remarks>
internal sealed class SniffingConnectionListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets;
    private readonly ProtocolSniffingOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _bindGate = new(1, 1);
    private readonly Dictionary<SniffedPortGroup, SniffingPortListener> _ports = [];
    private readonly Lock _portsGate = new();

    public SniffingConnectionListenerFactory(
        IOptions<SocketTransportOptions> socketOptions,
        IOptions<ProtocolSniffingOptions> options,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _sockets = new SocketTransportFactory(socketOptions, loggerFactory);
        _logger = loggerFactory.CreateLogger("KafkaKinesisBridge.Networking.ProtocolSniffing");
    }

    /// <summary>Connections currently waiting for their first bytes, over all ports (diagnostics and tests).</summary>
    internal int PendingConnections
    {
        get
        {
            lock (_portsGate)
            {
                return _ports.Values.Sum(port => port.PendingConnections);
            }
        }
    }

    /// <summary>Open connections over all ports: being sniffed, queued, or served by Kestrel (diagnostics and tests).</summary>
    internal int Connections
    {
        get
        {
            lock (_portsGate)
            {
                return _ports.Values.Sum(port => port.Connections);
            }
        }
    }

    public bool CanBind(EndPoint endpoint) => endpoint is SniffedEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not SniffedEndPoint sniffed)
        {
            throw new NotSupportedException($"{endpoint.GetType().Name} is not a {nameof(SniffedEndPoint)}.");
        }

        await _bindGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SniffingPortListener? port;
            lock (_portsGate)
            {
                _ports.TryGetValue(sniffed.Group, out port);
            }

            if (port is null || port.IsReleased || !port.TryAttach(sniffed.Protocol))
            {
                // First logical endpoint of this group (or a rebind after a full stop): bind the socket.
                port = await SniffingPortListener.BindAsync(_sockets, sniffed.Group.EndPoint, _options, _logger, cancellationToken).ConfigureAwait(false);
                port.TryAttach(sniffed.Protocol);
                lock (_portsGate)
                {
                    _ports[sniffed.Group] = port;
                }
            }

            return new SniffedConnectionListener(port, sniffed.WithBound(port.BoundEndPoint));
        }
        finally
        {
            _bindGate.Release();
        }
    }
}
