using System.Collections.Concurrent;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// The last known log start offset and high watermark of each partition read, from ListOffsets
/// answers and from the consumers' fetch responses. Both only grow while a topic exists, so a known
/// high watermark at or above an offset proves the offset is readable without asking the cluster.
/// </summary>
internal sealed class PartitionOffsetsCache
{
    private readonly ConcurrentDictionary<PartitionKey, State> _states = new();

    public State Get(string topic, int partition) =>
        _states.GetOrAdd(new PartitionKey(topic, partition), static _ => new State());

    public void Forget(string topic)
    {
        foreach (var key in _states.Keys)
        {
            if (string.Equals(key.Topic, topic, StringComparison.Ordinal))
            {
                _states.TryRemove(key, out _);
            }
        }
    }

    private readonly record struct PartitionKey(string Topic, int Partition);

    /// <summary>Offsets of one partition; -1 while unknown. Updated concurrently, only upwards.</summary>
    internal sealed class State
    {
        private long _logStart = -1;
        private long _highWatermark = -1;

        public long LogStart => Volatile.Read(ref _logStart);

        public long HighWatermark => Volatile.Read(ref _highWatermark);

        public PartitionOffsets Snapshot => new(Math.Max(0, LogStart), Math.Max(0, HighWatermark));

        public void Observe(long logStart, long highWatermark)
        {
            RaiseTo(ref _logStart, logStart);
            RaiseTo(ref _highWatermark, highWatermark);
        }

        private static void RaiseTo(ref long field, long value)
        {
            var current = Volatile.Read(ref field);
            while (value > current)
            {
                var seen = Interlocked.CompareExchange(ref field, value, current);
                if (seen == current)
                {
                    return;
                }

                current = seen;
            }
        }
    }
}
