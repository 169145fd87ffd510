using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Routing;

/// <summary>
/// Finds the open shard that owns a hash key. The open shards of a stream partition the hash key space
/// into contiguous ranges (Kinesis invariant, kept by create, split and merge), so the owner of a key is
/// the open shard with the greatest starting hash key not above it: a binary search over a sorted array.
/// Immutable; rebuilt when the stream's shards change.
/// </summary>
internal sealed class ShardRouter
{
    private readonly UInt128[] _starts;
    private readonly int[] _shardIndexes;

    /// <summary>Builds a router over the open shards.</summary>
    /// <param name="openShards">Open shards whose ranges cover [0, 2^128 - 1] without overlap.</param>
    public ShardRouter(IEnumerable<(int ShardIndex, HashKeyRange Range)> openShards)
    {
        var sorted = openShards.OrderBy(s => s.Range.StartingHashKey).ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("A stream needs at least one open shard.", nameof(openShards));
        }

        if (sorted[0].Range.StartingHashKey != UInt128.Zero || sorted[^1].Range.EndingHashKey != HashKeys.Max)
        {
            throw new ArgumentException("Open shards must cover the whole hash key space.", nameof(openShards));
        }

        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Range.EndingHashKey + UInt128.One != sorted[i].Range.StartingHashKey)
            {
                throw new ArgumentException("Open shards must be contiguous with no gap or overlap.", nameof(openShards));
            }
        }

        _starts = [.. sorted.Select(s => s.Range.StartingHashKey)];
        _shardIndexes = [.. sorted.Select(s => s.ShardIndex)];
    }

    /// <summary>The number of open shards.</summary>
    public int Count => _starts.Length;

    /// <summary>The index of the open shard owning <paramref name="hashKey"/>.</summary>
    public int Route(UInt128 hashKey)
    {
        var starts = _starts;
        int low = 0, high = starts.Length - 1;

        // Invariant: starts[low] <= hashKey (starts[0] is 0); find the last start <= hashKey.
        while (low < high)
        {
            var mid = (int)((uint)(low + high + 1) >> 1);
            if (starts[mid] <= hashKey)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return _shardIndexes[low];
    }
}
