namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// The bytes of request bodies the front door holds at once, over all connections
/// (<see cref="KinesisApiOptions.MaxBodyBytesInFlight"/>). A request reserves its share before it
/// reads its body and returns it when its response is written; when the budget is spent it waits, in
/// arrival order, so the process stops reading sockets (TCP and HTTP/2 flow control push back on the
/// clients) instead of growing.
/// </summary>
/// <remarks>
/// A request reserves its whole share at once (declared length, or its operation's limit for a
/// chunked body), never in increments, so two half-read bodies can never wait on each other.
/// </remarks>
internal sealed class RequestBodyBudget
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _available;

    public RequestBodyBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _available = capacity;
    }

    /// <summary>The whole budget.</summary>
    public long Capacity { get; }

    /// <summary>What is not reserved now.</summary>
    public long Available
    {
        get
        {
            lock (_lock)
            {
                return _available;
            }
        }
    }

    /// <summary>Requests waiting for their share now.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> (at most the whole budget), waiting while it is spent.
    /// Dispose the lease to return them.
    /// </summary>
    /// <exception cref="OperationCanceledException">The wait was cancelled (the client went away).</exception>
    public ValueTask<Lease> AcquireAsync(long bytes, CancellationToken cancellationToken)
    {
        bytes = Math.Clamp(bytes, 0, Capacity);
        if (bytes == 0)
        {
            return new ValueTask<Lease>(default(Lease));
        }

        Waiter waiter;
        lock (_lock)
        {
            // First come, first served: a large request is not starved by a stream of small ones.
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return new ValueTask<Lease>(new Lease(this, bytes));
            }

            waiter = new Waiter(bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    private async ValueTask<Lease> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(
            static state =>
            {
                var (budget, waiting) = ((RequestBodyBudget, Waiter))state!;
                budget.Cancel(waiting);
            },
            (this, waiter)))
        {
            await waiter.Granted.Task.ConfigureAwait(false);
        }

        return new Lease(this, waiter.Bytes);
    }

    private void Cancel(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return; // Already granted: the lease is returned by its owner.
            }

            _waiters.Remove(waiter.Node);
            waiter.Granted.TrySetCanceled();
            GrantWaiting();
        }
    }

    private void Release(long bytes)
    {
        lock (_lock)
        {
            _available += bytes;
            GrantWaiting();
        }
    }

    private void GrantWaiting()
    {
        while (_waiters.First is { } first && first.Value.Bytes <= _available)
        {
            _available -= first.Value.Bytes;
            _waiters.RemoveFirst();
            first.Value.Granted.TrySetResult();
        }
    }

    /// <summary>A reservation; disposing it returns the bytes (once).</summary>
    internal readonly struct Lease : IDisposable
    {
        private readonly RequestBodyBudget? _budget;

        public Lease(RequestBodyBudget budget, long bytes)
        {
            _budget = budget;
            Bytes = bytes;
        }

        /// <summary>The bytes reserved.</summary>
        public long Bytes { get; }

        public void Dispose() => _budget?.Release(Bytes);
    }

    private sealed class Waiter(long bytes)
    {
        public long Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}
