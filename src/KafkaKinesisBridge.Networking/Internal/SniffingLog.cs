using System.Net;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>Log messages of the sniffing transport (event ids 1100-1199).</summary>
internal static partial class SniffingLog
{
    [LoggerMessage(1100, LogLevel.Information, "Listening on {EndPoint} for HTTP/1.1 and prior-knowledge HTTP/2 (protocol chosen per connection).")]
    public static partial void PortBound(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(1101, LogLevel.Debug, "Connection {ConnectionId} from {RemoteEndPoint} speaks {Protocol}.")]
    public static partial void Sniffed(ILogger logger, string connectionId, EndPoint? remoteEndPoint, SniffedProtocol protocol);

    [LoggerMessage(1102, LogLevel.Debug, "Connection {ConnectionId} from {RemoteEndPoint} closed before sending enough bytes to choose a protocol ({Received} received).")]
    public static partial void ClosedBeforeSniff(ILogger logger, string connectionId, EndPoint? remoteEndPoint, long received);

    [LoggerMessage(1103, LogLevel.Debug, "Connection {ConnectionId} from {RemoteEndPoint} sent no protocol preface within {Timeout} ({Received} bytes received); closing it.")]
    public static partial void SniffTimedOut(ILogger logger, string connectionId, EndPoint? remoteEndPoint, TimeSpan timeout, long received);

    [LoggerMessage(1104, LogLevel.Debug, "Connection {ConnectionId} from {RemoteEndPoint} closed: the port already holds {Limit} connections.")]
    public static partial void RejectedAtLimit(ILogger logger, string connectionId, EndPoint? remoteEndPoint, int limit);

    [LoggerMessage(1105, LogLevel.Debug, "Connection {ConnectionId} speaks {Protocol} but that endpoint is no longer accepting; closing it.")]
    public static partial void EndpointClosed(ILogger logger, string connectionId, SniffedProtocol protocol);

    [LoggerMessage(1106, LogLevel.Critical, "The sniffing listener on {EndPoint} failed to accept connections and stopped.")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint endPoint, Exception exception);

    [LoggerMessage(1107, LogLevel.Debug, "Sniff of connection {ConnectionId} failed.")]
    public static partial void SniffFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(1108, LogLevel.Information, "Stopped listening on {EndPoint}.")]
    public static partial void PortUnbound(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(1111, LogLevel.Error, "Accepting a connection on {EndPoint} failed ({Error}); retrying in {Delay}.")]
    public static partial void AcceptRetrying(ILogger logger, IPEndPoint endPoint, System.Net.Sockets.SocketError error, TimeSpan delay);

    [LoggerMessage(1109, LogLevel.Warning, "{EndPoint}: {AtLimit} connections closed at the connection limit ({Limit}) and {TimedOut} closed for sending nothing within {Timeout}, over the last {Interval} at most.")]
    public static partial void RejectionSummaryAtLimit(ILogger logger, IPEndPoint endPoint, long atLimit, int limit, long timedOut, TimeSpan timeout, TimeSpan interval);

    [LoggerMessage(1110, LogLevel.Information, "{EndPoint}: {TimedOut} connections closed for sending nothing within {Timeout}, over the last {Interval} at most.")]
    public static partial void RejectionSummaryTimedOut(ILogger logger, IPEndPoint endPoint, long timedOut, TimeSpan timeout, TimeSpan interval);
}
