using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// The real TCP listener of a sniffed port: accepts connections from the socket transport, reads
/// each one's first bytes without consuming them and queues it for the HTTP/1.1 or the HTTP/2
/// logical endpoint, whose Kestrel accept loops take it from there.
/// </summary>
/// <remarks>
/// Lifetime follows Kestrel's for the two logical listeners: the socket is unbound when both have
/// been unbound (Kestrel's graceful stop: no new connections, in-flight ones finish under Kestrel),
/// and released when both have been disposed.
/// </remarks>
internal sealed class SniffingPortListener
{
    private readonly IConnectionListener _socketListener;
    private readonly ProtocolSniffingOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<ConnectionContext>[] _queues =
    [
        Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false }),
        Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false }),
    ];

    private static readonly object RetryMarker = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly bool[] _attached = new bool[2];
    private readonly bool[] _unbound = new bool[2];
    private readonly bool[] _released = new bool[2];
    private Task _acceptLoop = Task.CompletedTask;
    private Task? _stopTask;
    private readonly ConnectionRejectionSummary _rejections;
    private readonly Action _releaseConnection;
    private volatile bool _stopRequested;
    private int _pending;
    private int _connections;
    private TimeSpan _acceptBackoff;

    private SniffingPortListener(IConnectionListener socketListener, ProtocolSniffingOptions options, ILogger logger)
    {
        _socketListener = socketListener;
        _options = options;
        _logger = logger;
        BoundEndPoint = (IPEndPoint)socketListener.EndPoint;
        _rejections = new ConnectionRejectionSummary(logger, BoundEndPoint, options);
        _releaseConnection = () => Interlocked.Decrement(ref _connections);
    }

    /// <summary>The bound TCP endpoint (with the real port when port 0 was asked for).</summary>
    public IPEndPoint BoundEndPoint { get; }

    /// <summary>Connections waiting for their first bytes right now.</summary>
    public int PendingConnections => Volatile.Read(ref _pending);

    /// <summary>Open connections right now: being sniffed, queued, or served by Kestrel.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The rejection counters (diagnostics and tests).</summary>
    public ConnectionRejectionSummary Rejections => _rejections;

    /// <summary>True once both logical endpoints have been released.</summary>
    public bool IsReleased
    {
        get
        {
            lock (_gate)
            {
                return _released[0] && _released[1];
            }
        }
    }

    /// <summary>Binds the TCP socket and starts accepting.</summary>
    public static async ValueTask<SniffingPortListener> BindAsync(
        IConnectionListenerFactory socketFactory,
        IPEndPoint endPoint,
        ProtocolSniffingOptions options,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var socketListener = await socketFactory.BindAsync(endPoint, cancellationToken).ConfigureAwait(false);
        var port = new SniffingPortListener(socketListener, options, logger);
        SniffingLog.PortBound(logger, port.BoundEndPoint);
        port._acceptLoop = port.AcceptLoopAsync();
        return port;
    }

    /// <summary>Claims the logical endpoint for <paramref name="protocol"/>; false if already claimed.</summary>
    public bool TryAttach(SniffedProtocol protocol)
    {
        lock (_gate)
        {
            if (_attached[(int)protocol] || _stopRequested)
            {
                return false;
            }

            _attached[(int)protocol] = true;
            return true;
        }
    }

    /// <summary>Waits for the next connection sniffed as <paramref name="protocol"/>; null once unbound.</summary>
    public async ValueTask<ConnectionContext?> AcceptAsync(SniffedProtocol protocol, CancellationToken cancellationToken)
    {
        var reader = _queues[(int)protocol].Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.TryRead(out var connection))
            {
                return connection;
            }
        }

        return null;
    }

    /// <summary>
    /// Stops handing connections to the logical endpoint for <paramref name="protocol"/>; when both
    /// are unbound, stops accepting on the socket and closes connections still being sniffed.
    /// </summary>
    public async ValueTask UnbindAsync(SniffedProtocol protocol)
    {
        Task? stop = null;
        lock (_gate)
        {
            _unbound[(int)protocol] = true;
            if (_unbound[0] && _unbound[1])
            {
                _stopRequested = true;
                stop = _stopTask ??= StopAsync();
            }
        }

        var queue = _queues[(int)protocol];
        queue.Writer.TryComplete();
        while (queue.Reader.TryRead(out var orphan))
        {
            SniffingLog.EndpointClosed(_logger, orphan.ConnectionId, protocol);
            await CloseAsync(orphan, "The server is shutting down.").ConfigureAwait(false);
        }

        if (stop is not null)
        {
            await stop.ConfigureAwait(false);
        }
    }

    /// <summary>Releases the logical endpoint; when both are released, disposes the socket listener.</summary>
    public async ValueTask ReleaseAsync(SniffedProtocol protocol)
    {
        await UnbindAsync(protocol).ConfigureAwait(false);
        bool last;
        lock (_gate)
        {
            _released[(int)protocol] = true;
            last = _released[0] && _released[1];
        }

        if (last)
        {
            await _socketListener.DisposeAsync().ConfigureAwait(false);
            _rejections.Dispose();
            _stopping.Dispose();
        }
    }

    private async Task StopAsync()
    {
        await _socketListener.UnbindAsync().ConfigureAwait(false);
        await _acceptLoop.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _pending) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
        SniffingLog.PortUnbound(_logger, BoundEndPoint);
    }

    private async Task AcceptLoopAsync()
    {
        // Leave the caller (Kestrel's bind) at once; the loop runs on the thread pool.
        await Task.Yield();
        try
        {
            while (await AcceptOrBackOffAsync().ConfigureAwait(false) is { } accepted)
            {
                if (accepted is not ConnectionContext connection)
                {
                    continue;
                }

                // The loop never waits for a sniff: each connection's sniff runs on its own, so a
                // crowd of silent sockets cannot hold up the accept of a real client. The one bound is
                // the total number of open connections; beyond it a connection is closed at once
                // (counted and summarized, not logged one by one).
                if (Interlocked.Increment(ref _connections) > _options.MaxConnections)
                {
                    Interlocked.Decrement(ref _connections);
                    _rejections.OnRejectedAtLimit();
                    SniffingLog.RejectedAtLimit(_logger, connection.ConnectionId, connection.RemoteEndPoint, _options.MaxConnections);
                    _ = CloseAsync(connection, "The server holds as many connections as it is allowed to.");
                    continue;
                }

                _ = SniffAsync(connection);
            }
        }
        catch (Exception exception)
        {
            SniffingLog.AcceptFailed(_logger, BoundEndPoint, exception);
            foreach (var queue in _queues)
            {
                queue.Writer.TryComplete();
            }
        }
    }

    /// <summary>
    /// The next connection; <see cref="RetryMarker"/> after a transient accept failure (once it has
    /// waited); null when unbound.
    /// </summary>
    /// <remarks>
    /// Running out of file descriptors (EMFILE), or of socket buffers, is temporary: the socket
    /// transport throws, and Kestrel's own loop would stop accepting for good. Go's net/http server
    /// backs off instead (5 ms doubling to 1 s, "http: Accept error ... retrying"); so do we, so an
    /// exhausted process recovers as soon as connections close.
    /// </remarks>
    private async ValueTask<object?> AcceptOrBackOffAsync()
    {
        try
        {
            var connection = await _socketListener.AcceptAsync().ConfigureAwait(false);
            _acceptBackoff = TimeSpan.Zero;
            return connection;
        }
        catch (SocketException exception) when (!_stopRequested && IsTransient(exception.SocketErrorCode))
        {
            _acceptBackoff = _acceptBackoff == TimeSpan.Zero
                ? TimeSpan.FromMilliseconds(5)
                : TimeSpan.FromTicks(Math.Min(_acceptBackoff.Ticks * 2, TimeSpan.TicksPerSecond));
            SniffingLog.AcceptRetrying(_logger, BoundEndPoint, exception.SocketErrorCode, _acceptBackoff);
            await Task.Delay(_acceptBackoff, _options.TimeProvider).ConfigureAwait(false);
            return RetryMarker;
        }
    }

    private static bool IsTransient(SocketError error) =>
        error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.ConnectionAborted or SocketError.ConnectionReset;

    private async Task SniffAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        long examined = 0;
        var handedOver = false;
        using var timeout = _options.SniffTimeout == Timeout.InfiniteTimeSpan
            ? new CancellationTokenSource()
            : new CancellationTokenSource(_options.SniffTimeout, _options.TimeProvider);
        using var stopRegistration = _stopping.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);

        // Counted once the timeout runs, so whoever sees the count also sees the clock running.
        Interlocked.Increment(ref _pending);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var verdict = HttpProtocolSniffer.Sniff(buffer);
                if (verdict != SniffResult.NeedMoreData)
                {
                    var protocol = verdict == SniffResult.Http2 ? SniffedProtocol.Http2 : SniffedProtocol.Http1;
                    SniffingLog.Sniffed(_logger, connection.ConnectionId, connection.RemoteEndPoint, protocol);
                    var context = new SniffedConnectionContext(connection, new SniffedPipeReader(input, result), _releaseConnection);
                    handedOver = _queues[(int)protocol].Writer.TryWrite(context);
                    if (!handedOver)
                    {
                        SniffingLog.EndpointClosed(_logger, connection.ConnectionId, protocol);
                    }

                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                examined = buffer.Length;
                if (result.IsCompleted || result.IsCanceled)
                {
                    SniffingLog.ClosedBeforeSniff(_logger, connection.ConnectionId, connection.RemoteEndPoint, examined);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _rejections.OnTimedOut();
                SniffingLog.SniffTimedOut(_logger, connection.ConnectionId, connection.RemoteEndPoint, _options.SniffTimeout, examined);
            }
        }
        catch (Exception exception)
        {
            // Connection reset and the like: nothing to hand over.
            SniffingLog.SniffFailed(_logger, connection.ConnectionId, exception);
        }
        finally
        {
            if (!handedOver)
            {
                await CloseAsync(connection, "The connection did not start with a recognizable HTTP request in time.").ConfigureAwait(false);
                Interlocked.Decrement(ref _connections);
            }

            OnSniffEnded();
        }
    }

    private void OnSniffEnded()
    {
        if (Interlocked.Decrement(ref _pending) == 0 && _stopRequested)
        {
            _drained.TrySetResult();
        }
    }

    private static async Task CloseAsync(ConnectionContext connection, string reason)
    {
        try
        {
            connection.Abort(new ConnectionAbortedException(reason));
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Closing a connection that is already gone: nothing left to release.
        }
    }
}
