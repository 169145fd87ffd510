using System.Collections.Concurrent;

namespace KafkaKinesisBridge.Core.Streams.FanOut;

/// <summary>
/// Per-partition "records were appended" notifications, so a caught-up subscription wakes as soon as
/// a record is acknowledged instead of finding it by polling. Only partitions with a subscriber pay
/// anything on append (one dictionary lookup otherwise).
/// </summary>
/// <remarks>
/// A waiter takes <see cref="PartitionSignal.NextAsync"/> before it reads, then waits on it only if
/// the read found nothing: an append acknowledged between the two completes the task, so no wake-up
/// is lost. Continuations run asynchronously, so the appending request never runs a subscriber.
/// </remarks>
internal sealed class AppendSignals
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), PartitionSignal> _signals = new();

    /// <summary>Registers interest in a partition; release it with <see cref="Release"/>.</summary>
    public PartitionSignal Acquire(string topic, int partition)
    {
        var signal = _signals.GetOrAdd((topic, partition), static _ => new PartitionSignal());
        Interlocked.Increment(ref signal.Subscribers);
        return signal;
    }

    /// <summary>Ends interest taken by <see cref="Acquire"/> (the signal object stays for later subscribers).</summary>
    public static void Release(PartitionSignal signal) => Interlocked.Decrement(ref signal.Subscribers);

    /// <summary>True when someone follows this partition (appends then notify).</summary>
    public bool IsFollowed(string topic, int partition) =>
        !_signals.IsEmpty && _signals.TryGetValue((topic, partition), out var signal) && Volatile.Read(ref signal.Subscribers) > 0;

    /// <summary>Wakes every waiter of the partition.</summary>
    public void Notify(string topic, int partition)
    {
        if (_signals.TryGetValue((topic, partition), out var signal))
        {
            signal.Notify();
        }
    }
}

/// <summary>One partition's notification: a task completed by the next append.</summary>
internal sealed class PartitionSignal
{
    /// <summary>Subscriptions following the partition.</summary>
    internal int Subscribers;

    private TaskCompletionSource? _next;

    /// <summary>A task completed by the next append after this call.</summary>
    public Task NextAsync()
    {
        while (true)
        {
            var current = Volatile.Read(ref _next);
            if (current is not null)
            {
                return current.Task;
            }

            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref _next, created, null) is null)
            {
                return created.Task;
            }
        }
    }

    /// <summary>Completes the pending task, if any; the next <see cref="NextAsync"/> gets a new one.</summary>
    public void Notify() => Interlocked.Exchange(ref _next, null)?.TrySetResult();
}
