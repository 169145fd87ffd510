using System.Net;
using Microsoft.AspNetCore.Connections;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// One logical Kestrel listener of a sniffed port: yields the connections whose first bytes were
/// classified as its protocol.
/// </summary>
internal sealed class SniffedConnectionListener(SniffingPortListener port, SniffedEndPoint endPoint) : IConnectionListener
{
    private int _released;

    public EndPoint EndPoint => endPoint;

    public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
        port.AcceptAsync(endPoint.Protocol, cancellationToken);

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => port.UnbindAsync(endPoint.Protocol);

    public ValueTask DisposeAsync() =>
        Interlocked.Exchange(ref _released, 1) == 0 ? port.ReleaseAsync(endPoint.Protocol) : ValueTask.CompletedTask;
}
