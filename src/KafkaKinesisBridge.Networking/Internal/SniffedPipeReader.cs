using System.Buffers;
using System.IO.Pipelines;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// The transport input handed to Kestrel after a sniff: its first read returns the read the
/// sniffer made (not yet advanced), so Kestrel sees the connection's first bytes exactly as if it
/// had read them itself; everything else goes straight to the socket's pipe.
/// </summary>
/// <remarks>
/// The sniffer cannot simply advance the socket pipe and let Kestrel read again: advancing with
/// examined = end makes the next read wait for NEW bytes (a complete HTTP/1.1 request already
/// received would stall until the client sent more), and handing Kestrel the outstanding read
/// needs no assumption about how a particular <see cref="PipeReader"/> treats an examined position
/// that moves backwards.
/// </remarks>
internal sealed class SniffedPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private ReadResult _pending;
    private bool _hasPending;

    /// <param name="inner">The socket's input pipe, with a read outstanding (not yet advanced).</param>
    /// <param name="pending">That outstanding read.</param>
    public SniffedPipeReader(PipeReader inner, ReadResult pending)
    {
        _inner = inner;
        _pending = pending;
        _hasPending = true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        TryTakePending(out var pending) ? new ValueTask<ReadResult>(pending) : _inner.ReadAsync(cancellationToken);

    public override bool TryRead(out ReadResult result) =>
        TryTakePending(out result) || _inner.TryRead(out result);

    public override void AdvanceTo(SequencePosition consumed) => _inner.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => _inner.AdvanceTo(consumed, examined);

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        TryTakePending(out _);
        _inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        TryTakePending(out _);
        return _inner.CompleteAsync(exception);
    }

    private bool TryTakePending(out ReadResult pending)
    {
        if (_hasPending)
        {
            _hasPending = false;
            pending = _pending;
            _pending = default;
            return true;
        }

        pending = default;
        return false;
    }
}
