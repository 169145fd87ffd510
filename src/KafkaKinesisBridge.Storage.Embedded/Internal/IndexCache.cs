namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// Keeps the indexes of sealed segments in memory, least recently used first out, within a byte
/// budget, so memory stays bounded however much data the store holds. An evicted index is read back
/// from its file on next use (a sealed segment's index file is complete). The active segment of
/// each partition keeps its own index (<see cref="Segment.ActiveIndex"/>), bounded by the segment
/// size over the index interval.
/// </summary>
internal sealed class IndexCache(long capacityBytes, Func<Segment, SegmentIndex?> load)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Segment> _lru = new();
    private long _bytes;

    /// <summary>Bytes of the indexes held.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Number of sealed-segment indexes held.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _lru.Count;
            }
        }
    }

    /// <summary>The index of <paramref name="segment"/>, loading it if needed; null if the segment was removed.</summary>
    public SegmentIndex? Get(Segment segment)
    {
        if (Volatile.Read(ref segment.ActiveIndex) is { } active)
        {
            return active;
        }

        lock (_lock)
        {
            if (segment.CachedIndex is { } cached)
            {
                _lru.Remove(segment.CacheNode!);
                _lru.AddLast(segment.CacheNode!);
                return cached;
            }
        }

        // Loaded outside the lock: two readers may both load a missed index; the second copy is dropped.
        var loaded = load(segment);
        if (loaded is null)
        {
            return null;
        }

        Add(segment, loaded);
        return loaded;
    }

    /// <summary>Adds the index of a segment that was just sealed (or loaded).</summary>
    public void Add(Segment segment, SegmentIndex index)
    {
        lock (_lock)
        {
            if (segment.CachedIndex is not null || segment.IsRetired)
            {
                return;
            }

            segment.CachedIndex = index;
            segment.CacheNode = _lru.AddLast(segment);
            _bytes += index.MemoryBytes;
            while (_bytes > capacityBytes && _lru.First is { } oldest && oldest.Value != segment)
            {
                RemoveLocked(oldest.Value);
            }
        }
    }

    /// <summary>Drops the index of a removed segment.</summary>
    public void Remove(Segment segment)
    {
        lock (_lock)
        {
            RemoveLocked(segment);
        }
    }

    private void RemoveLocked(Segment segment)
    {
        if (segment.CachedIndex is null)
        {
            return;
        }

        _bytes -= segment.CachedIndex.MemoryBytes;
        _lru.Remove(segment.CacheNode!);
        segment.CachedIndex = null;
        segment.CacheNode = null;
    }
}
