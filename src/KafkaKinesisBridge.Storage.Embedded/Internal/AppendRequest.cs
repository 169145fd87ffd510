using System.Threading.Tasks.Sources;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// One queued append (or a request to roll the active segment). Pooled and awaited through
/// <see cref="IValueTaskSource{TResult}"/>, so appending allocates nothing in the steady state.
/// </summary>
/// <remarks>
/// Life cycle: rented by <see cref="PartitionLog.AppendAsync"/>, queued, taken by the writer,
/// completed by the writer, then returned to the pool by <see cref="GetResult"/>, which the awaiter
/// calls exactly once. A request cancelled while still queued is completed by its cancellation
/// callback and never returned to the pool: it may still sit in the queue, where the writer drops it.
/// </remarks>
internal sealed class AppendRequest : IValueTaskSource<StorageStatus>
{
    private static readonly Action<object?, CancellationToken> CancelCallback = static (state, token) => ((AppendRequest)state!).OnCancelled(token);

    private ManualResetValueTaskSourceCore<StorageStatus> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private PartitionLog? _owner;
    private volatile bool _completed;

    public ReadOnlyMemory<LogRecord> Records { get; private set; }

    public Memory<AppendOutcome> Outcomes { get; private set; }

    /// <summary>Encoded bytes of the records to write (those not rejected before queueing).</summary>
    public long Bytes { get; private set; }

    /// <summary>The first per-record failure found before queueing (too large, bad header), else Ok.</summary>
    public StorageStatus PreStatus { get; private set; }

    /// <summary>A roll request rather than an append.</summary>
    public bool IsRoll { get; private set; }

    /// <summary>Taken by the writer; guarded by the partition's queue lock.</summary>
    public bool Taken { get; set; }

    /// <summary>Cancelled while queued; guarded by the partition's queue lock.</summary>
    public bool Cancelled { get; set; }

    /// <summary>True once the result is set.</summary>
    public bool IsCompleted => _completed;

    public short Version => _core.Version;

    public void InitializeAppend(PartitionLog owner, ReadOnlyMemory<LogRecord> records, Memory<AppendOutcome> outcomes, long bytes, StorageStatus preStatus)
    {
        _owner = owner;
        Records = records;
        Outcomes = outcomes;
        Bytes = bytes;
        PreStatus = preStatus;
        IsRoll = false;
    }

    public void InitializeRoll(PartitionLog owner)
    {
        _owner = owner;
        Records = default;
        Outcomes = default;
        Bytes = 0;
        PreStatus = StorageStatus.Ok;
        IsRoll = true;
    }

    /// <summary>Lets <paramref name="token"/> complete the request while it is still queued.</summary>
    public void RegisterCancellation(CancellationToken token) =>
        _registration = token.UnsafeRegister(CancelCallback, this);

    public void Complete(StorageStatus status)
    {
        _completed = true;
        _core.SetResult(status);
    }

    public void Fail(Exception error)
    {
        _completed = true;
        _core.SetException(error);
    }

    public StorageStatus GetResult(short token)
    {
        // Waits for a running cancellation callback, so nothing touches this object after it is pooled.
        _registration.Dispose();
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            if (!Cancelled)
            {
                Reset();
                PartitionLog.RequestPool.Return(this);
            }
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnCancelled(CancellationToken token)
    {
        if (_owner is { } owner && owner.TryCancelQueued(this))
        {
            Fail(new OperationCanceledException(token));
        }
    }

    private void Reset()
    {
        _core.Reset();
        _registration = default;
        _owner = null;
        Records = default;
        Outcomes = default;
        Taken = false;
        Cancelled = false;
        _completed = false;
    }
}

/// <summary>A small lock-free pool (the same shape as Microsoft.Extensions.ObjectPool's default pool).</summary>
internal sealed class RequestPool(int size)
{
    private readonly AppendRequest?[] _items = new AppendRequest?[size];
    private AppendRequest? _fast;

    public AppendRequest Rent()
    {
        var item = _fast;
        if (item is not null && Interlocked.CompareExchange(ref _fast, null, item) == item)
        {
            return item;
        }

        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            item = items[i];
            if (item is not null && Interlocked.CompareExchange(ref items[i], null, item) == item)
            {
                return item;
            }
        }

        return new AppendRequest();
    }

    public void Return(AppendRequest request)
    {
        if (_fast is null && Interlocked.CompareExchange(ref _fast, request, null) is null)
        {
            return;
        }

        var items = _items;
        for (var i = 0; i < items.Length; i++)
        {
            if (Interlocked.CompareExchange(ref items[i], request, null) is null)
            {
                return;
            }
        }
    }
}
