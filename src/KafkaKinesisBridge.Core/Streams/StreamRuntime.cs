using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Quotas;
using KafkaKinesisBridge.Core.Routing;

namespace KafkaKinesisBridge.Core.Streams;

/// <summary>
/// Everything the data plane needs about one stream version, precomputed from its catalog entry:
/// immutable (rebuilt on every catalog change) except for the per-shard quota buckets, which carry
/// over between versions of the same incarnation.
/// </summary>
internal sealed class StreamRuntime
{
    /// <summary><see cref="ConfirmedUntil"/> of a version that is still the latest.</summary>
    public const long StillCurrent = long.MaxValue;

    private long _confirmedUntil = StillCurrent;

    public StreamRuntime(CatalogStream stream, string arn, StreamRuntime? previous, ShardQuotaOptions quotas, TimeProvider time)
    {
        Entry = stream.Entry;
        Version = stream.Version;
        Arn = arn;
        var sameIncarnation = previous is not null && previous.Incarnation == Entry.Incarnation;
        var shards = new ShardRuntime[Entry.Shards.Count];
        var open = new List<(int, HashKeyRange)>(shards.Length);
        for (var i = 0; i < shards.Length; i++)
        {
            var quota = sameIncarnation && i < previous!.Shards.Length ? previous.Shards[i].Quota : new ShardQuota(quotas, time);
            shards[i] = new ShardRuntime(Entry.Shards[i], quota, Entry.Name);
            if (shards[i].IsRoutable)
            {
                open.Add((i, shards[i].Range));
            }
        }

        Shards = shards;
        OpenShardCount = open.Count;
        Router = open.Count > 0 && Entry.Status is StreamStatus.Active or StreamStatus.Updating ? new ShardRouter(open) : null;
        MaxRecordBytes = Entry.MaxRecordSizeKiB * 1024;
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Entry.CreatedAtMs);
        ModeDetails = new StreamModeDetails(Entry.Mode);
        MetricTags = [new("stream", Entry.Name)];
        ShardLevel = ShardLevelMetrics.FromNames(Entry.ShardLevelMetrics);
        EnhancedMonitoring = [new EnhancedMetrics(ShardLevelMetrics.ToNames(ShardLevel))];
    }

    public StreamEntry Entry { get; }

    /// <summary>The catalog version (log offset) this runtime was built from.</summary>
    public long Version { get; }

    public string Name => Entry.Name;

    public string Arn { get; }

    public ulong Incarnation => Entry.Incarnation;

    public StreamStatus Status => Entry.Status;

    public string Topic => Entry.Topic;

    public ShardRuntime[] Shards { get; }

    public int OpenShardCount { get; }

    /// <summary>Routes hash keys to open shards; null unless the stream is writable.</summary>
    public ShardRouter? Router { get; }

    public int MaxRecordBytes { get; }

    public DateTimeOffset CreatedAt { get; }

    public StreamModeDetails ModeDetails { get; }

    /// <summary>The metric tags of the stream (built once per version: recording allocates nothing).</summary>
    public KeyValuePair<string, object?>[] MetricTags { get; }

    /// <summary>The shard-level metrics enhanced monitoring has turned on.</summary>
    public ShardLevelMetric ShardLevel { get; }

    /// <summary>DescribeStream(Summary)'s EnhancedMonitoring: one entry, its list empty when none are on (as Kinesis answers).</summary>
    public IReadOnlyList<EnhancedMetrics> EnhancedMonitoring { get; }

    /// <summary>
    /// <see cref="System.Diagnostics.Stopwatch"/> time up to which this version is known to have been
    /// the latest, once a newer one replaced it; <see cref="StillCurrent"/> until then (the write fence).
    /// </summary>
    public long ConfirmedUntil => Volatile.Read(ref _confirmedUntil);

    /// <summary>Marks this version replaced; called before the newer version is published.</summary>
    public void Supersede(long confirmedUntil) => Interlocked.Exchange(ref _confirmedUntil, confirmedUntil);

    /// <summary>The children of a shard: shards naming it as parent or adjacent parent.</summary>
    public IReadOnlyList<ChildShard> ChildrenOf(int shardIndex)
    {
        List<ChildShard>? children = null;
        foreach (var shard in Shards)
        {
            if (shard.Entry.ParentIndex == shardIndex || shard.Entry.AdjacentParentIndex == shardIndex)
            {
                var parents = new List<string>(2);
                if (shard.Entry.ParentIndex is { } parent)
                {
                    parents.Add(ShardIds.Format(parent));
                }

                if (shard.Entry.AdjacentParentIndex is { } adjacent)
                {
                    parents.Add(ShardIds.Format(adjacent));
                }

                (children ??= []).Add(new ChildShard { ShardId = shard.ShardId, ParentShards = parents, HashKeyRange = shard.Range });
            }
        }

        return children ?? (IReadOnlyList<ChildShard>)[];
    }
}

/// <summary>One shard of a <see cref="StreamRuntime"/>.</summary>
internal sealed class ShardRuntime
{
    public ShardRuntime(ShardEntry entry, ShardQuota quota, string streamName)
    {
        Entry = entry;
        Quota = quota;
        Index = entry.Index;
        ShardId = ShardIds.Format(entry.Index);
        HashKeys.TryParse(entry.StartingHashKey, out var start);
        HashKeys.TryParse(entry.EndingHashKey, out var end);
        Range = new HashKeyRange(start, end);
        Public = new Shard
        {
            ShardIndex = Index,
            ShardId = ShardId,
            ParentShardId = entry.ParentIndex is { } parent ? ShardIds.Format(parent) : null,
            AdjacentParentShardId = entry.AdjacentParentIndex is { } adjacent ? ShardIds.Format(adjacent) : null,
            HashKeyRange = Range,
            SequenceNumberRange = new SequenceNumberRange(
                // Positions (layout 2): the start sorts below the shard's first record; the end,
                // "before the exclusive end offset", equals the number of the shard's last record.
                SequenceNumber.Before(Index, entry.StartingOffset),
                entry.EndingOffset is { } end2 ? SequenceNumber.Before(Index, end2) : null),
        };
        MetricTags = [new("stream", streamName), new("shard", ShardId)];
    }

    /// <summary>The metric tags of the shard (shard-level metrics).</summary>
    public KeyValuePair<string, object?>[] MetricTags { get; }

    public ShardEntry Entry { get; }

    public int Index { get; }

    public string ShardId { get; }

    public HashKeyRange Range { get; }

    public ShardQuota Quota { get; }

    /// <summary>The API view of the shard (shared by every call).</summary>
    public Shard Public { get; }

    /// <summary>No ending sequence number yet: open, or closing (a reshard is fixing its end).</summary>
    public bool IsOpen => Entry.EndingOffset is null;

    /// <summary>Takes new writes: neither closing nor closed (the router's shards).</summary>
    public bool IsRoutable => ShardLayout.IsRoutable(Entry);

    /// <summary>Closed to writes by a reshard whose fence has not fixed its end yet.</summary>
    public bool IsClosing => Entry.ClosedAtMs is not null && Entry.EndingOffset is null;

    public long StartingOffset => Entry.StartingOffset;

    public long? EndingOffset => Entry.EndingOffset;
}
