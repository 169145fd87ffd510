using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Produce;

/// <summary>
/// One append call in flight: collects the delivery report of each record produced and completes,
/// as an <see cref="IValueTaskSource"/>, when the last one arrived. Pooled with its per-record
/// delivery handlers, so a steady stream of appends allocates nothing here per record.
/// </summary>
/// <remarks>
/// <para>Reports arrive on Confluent.Kafka's poll thread; continuations run on the thread pool.</para>
/// <para>Lifetime: two references, the waiting caller and the reports. A cancelled caller stops waiting
/// at once (<see cref="Abandon"/>) while reports keep arriving; whichever side finishes last returns
/// the batch to the pool, so a reused batch never receives a stale report.</para>
/// </remarks>
internal sealed class ProduceBatch : IValueTaskSource
{
    private const int Waiting = 0;
    private const int Completed = 1;
    private const int Abandoned = 2;

    private readonly ProduceBatchPool _pool;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private Action<DeliveryReport<byte[], byte[]>>[] _handlers = [];
    private AppendOutcome[] _outcomes = [];
    private int _count;
    private int _pending;
    private int _state;
    private int _references;
    private int _producingDone;
    private int _forced;
    private CancellationToken _cancellationToken;

    public ProduceBatch(ProduceBatchPool pool)
    {
        _pool = pool;
    }

    /// <summary>Which producer the records went to (a fatal error replaces the producer).</summary>
    public int ProducerGeneration { get; private set; }

    public short Version => _core.Version;

    /// <summary>How many records the batch has handlers for.</summary>
    public int Capacity => _handlers.Length;

    /// <summary>The outcomes, valid once the batch completed: Ok with an offset, or the failure.</summary>
    public ReadOnlySpan<AppendOutcome> Outcomes => _outcomes.AsSpan(0, _count);

    /// <summary>Readies the batch for <paramref name="count"/> records; every outcome starts as Timeout,
    /// which is what a record keeps if the store closes before its report.</summary>
    public void Start(int count, int producerGeneration)
    {
        if (_handlers.Length < count)
        {
            var handlers = new Action<DeliveryReport<byte[], byte[]>>[Math.Max(count, _handlers.Length * 2)];
            Array.Copy(_handlers, handlers, _handlers.Length);
            for (var i = _handlers.Length; i < handlers.Length; i++)
            {
                var index = i;
                handlers[i] = report => OnDelivery(index, report);
            }

            _handlers = handlers;
            _outcomes = new AppendOutcome[handlers.Length];
        }

        _count = count;
        _outcomes.AsSpan(0, count).Fill(new AppendOutcome(StorageStatus.Timeout, -1));
        ProducerGeneration = producerGeneration;
        _core.Reset();
        _state = Waiting;
        // One reference for the caller, one for the reports; one pending unit guards the producing loop.
        _references = 2;
        _pending = 1;
        _producingDone = 0;
        _forced = 0;
        _cancellationToken = default;
    }

    /// <summary>The delivery handler of record <paramref name="index"/>; call <see cref="RecordProducing"/> first.</summary>
    public Action<DeliveryReport<byte[], byte[]>> HandlerFor(int index) => _handlers[index];

    /// <summary>A record is about to be produced: its report is now awaited.</summary>
    public void RecordProducing() => Interlocked.Increment(ref _pending);

    /// <summary>Produce refused the record synchronously: no report will come for it.</summary>
    public void RecordRefused() => Decrement();

    /// <summary>Sets the outcome of a record that was not produced (refused, or the call stopped before it).</summary>
    public void SetOutcome(int index, StorageStatus status) => _outcomes[index] = new AppendOutcome(status, -1);

    /// <summary>All records were handed to the producer; completes when their reports are in.</summary>
    public void ProducingDone()
    {
        Volatile.Write(ref _producingDone, 1);
        Decrement();
        FinishIfForced();
    }

    /// <summary>Stops the caller's wait when <paramref name="cancellationToken"/> fires.</summary>
    public CancellationTokenRegistration RegisterCancellation(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        return cancellationToken.UnsafeRegister(static state => ((ProduceBatch)state!).Abandon(), this);
    }

    /// <summary>The caller is done with the batch (after reading the outcomes, or after an exception).</summary>
    public void ReleaseByCaller() => Release();

    /// <summary>
    /// Completes the batch though reports are missing; only after the producer was disposed, when no
    /// report can arrive any more. Missing outcomes stay Timeout.
    /// </summary>
    public void ForceComplete(int producerGeneration)
    {
        if (ProducerGeneration == producerGeneration)
        {
            Volatile.Write(ref _forced, 1);
            FinishIfForced();
        }
    }

    // A forced completion waits for the producing loop, which may still be writing outcomes.
    private void FinishIfForced()
    {
        if (Volatile.Read(ref _forced) == 1 && Volatile.Read(ref _producingDone) == 1 && Interlocked.Exchange(ref _pending, 0) > 0)
        {
            Finish();
        }
    }

    private void OnDelivery(int index, DeliveryReport<byte[], byte[]> report)
    {
        var error = report.Error;
        _outcomes[index] = error.IsError
            ? new AppendOutcome(KafkaErrors.ForDelivery(error.Code, report.Status), -1)
            : new AppendOutcome(StorageStatus.Ok, report.Offset.Value);
        Decrement();
    }

    private void Decrement()
    {
        if (Interlocked.Decrement(ref _pending) == 0)
        {
            Finish();
        }
    }

    private void Finish()
    {
        _pool.Untrack(this);
        if (Interlocked.CompareExchange(ref _state, Completed, Waiting) == Waiting)
        {
            _core.SetResult(true);
        }

        Release();
    }

    private void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting)
        {
            _core.SetException(new OperationCanceledException(_cancellationToken));
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _pool.Return(this);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>Reusable <see cref="ProduceBatch"/> objects, and the set of those in flight.</summary>
internal sealed class ProduceBatchPool
{
    // Enough for the concurrent appends of a busy gateway; more are allocated and dropped.
    private const int MaxRetained = 128;
    private const int MaxRetainedRecords = 4096;

    private readonly ConcurrentQueue<ProduceBatch> _free = new();
    private readonly HashSet<ProduceBatch> _inFlight = [];
    private readonly Lock _inFlightGate = new();
    private int _freeCount;

    public ProduceBatch Rent(int count, int producerGeneration)
    {
        if (_free.TryDequeue(out var batch))
        {
            Interlocked.Decrement(ref _freeCount);
        }
        else
        {
            batch = new ProduceBatch(this);
        }

        batch.Start(count, producerGeneration);
        lock (_inFlightGate)
        {
            _inFlight.Add(batch);
        }

        return batch;
    }

    public int InFlightCount
    {
        get
        {
            lock (_inFlightGate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>Completes the batches of a producer that was disposed (their reports will never come).</summary>
    public int ForceComplete(int producerGeneration)
    {
        List<ProduceBatch> stranded = [];
        lock (_inFlightGate)
        {
            foreach (var batch in _inFlight)
            {
                if (batch.ProducerGeneration == producerGeneration)
                {
                    stranded.Add(batch);
                }
            }
        }

        foreach (var batch in stranded)
        {
            batch.ForceComplete(producerGeneration);
        }

        return stranded.Count;
    }

    internal void Untrack(ProduceBatch batch)
    {
        lock (_inFlightGate)
        {
            _inFlight.Remove(batch);
        }
    }

    internal void Return(ProduceBatch batch)
    {
        if (batch.Capacity > MaxRetainedRecords)
        {
            return;
        }

        if (Interlocked.Increment(ref _freeCount) <= MaxRetained)
        {
            _free.Enqueue(batch);
        }
        else
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }
}
