using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// A socket connection as Kestrel sees it after the sniff: everything is the socket connection's
/// (id, endpoints, features, lifetime, abort, dispose) except the transport input, which replays the
/// sniffed bytes first.
/// </summary>
internal sealed class SniffedConnectionContext : ConnectionContext, IConnectionTransportFeature
{
    private readonly ConnectionContext _inner;
    private readonly FeatureCollection _features;
    private Action? _onDisposed;

    public SniffedConnectionContext(ConnectionContext inner, SniffedPipeReader input, Action? onDisposed = null)
    {
        _inner = inner;
        _onDisposed = onDisposed;
        Transport = new DuplexPipe(input, inner.Transport.Output);

        // A layer over the socket's features: Kestrel and middleware find the socket's features
        // (socket, lifetime, memory pool, metrics tags), but the transport feature is ours, so no
        // one reaches the socket's raw input past the replayed bytes.
        _features = new FeatureCollection(inner.Features);
        _features.Set<IConnectionTransportFeature>(this);
    }

    public override string ConnectionId
    {
        get => _inner.ConnectionId;
        set => _inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _inner.Items;
        set => _inner.Items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _inner.ConnectionClosed;
        set => _inner.ConnectionClosed = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => _inner.LocalEndPoint;
        set => _inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _inner.RemoteEndPoint;
        set => _inner.RemoteEndPoint = value;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            // Once: the connection no longer counts against the port's limit.
            Interlocked.Exchange(ref _onDisposed, null)?.Invoke();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
