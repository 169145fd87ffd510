using System.Diagnostics;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Streams;

// The write side of the resharding fence (issue 9, trap (a)). GetRecords cuts a closed parent at its
// EndingOffset, so a record acknowledged in a parent at or past that end would never be readable. The
// resharder fixes the end at the partition's high watermark read at least FenceLease after the
// close was committed (Resharder). A replica acknowledges a write without further checks only if its
// view of the stream was confirmed current at most FenceLease before the append completed: the close
// was committed after that confirmation, so the append completed before the end was read, and lies
// below it. Otherwise it re-reads the catalog: a shard still open is safe (any later close starts
// after this read); a closed shard keeps the record if it lies below the end, else the record is
// written again to the open shard now owning its hash key, and that write is the one acknowledged.
// The measure is elapsed time on each replica's monotonic clock, so clock offsets between replicas
// do not matter.
public sealed partial class StreamsService
{
    private long FenceLeaseTicks => (long)(_options.Resharding.FenceLease.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Whether an append routed with <paramref name="routedWith"/> and completed at <paramref name="completedAt"/> may be acknowledged as it is.</summary>
    private bool IsAckSafe(StreamRuntime routedWith, long completedAt)
    {
        // Read the catalog's freshness first, then whether the version was replaced: the catalog marks a
        // replaced version before it publishes a later freshness.
        var fresh = _catalog.FreshAt;
        var confirmed = Math.Min(routedWith.ConfirmedUntil, fresh);
        return confirmed >= completedAt - FenceLeaseTicks;
    }

    /// <summary>
    /// The slow path of the fence for one appended record: where it ends up readable. Returns the
    /// shard and offset to acknowledge (the same ones, or those of a copy in the shard now owning it).
    /// </summary>
    private async ValueTask<(int Shard, long Offset)> ConfirmAppendAsync(
        StreamRuntime routedWith,
        int shard,
        long offset,
        long completedAt,
        LogRecord record,
        UInt128 hashKey,
        CancellationToken cancellationToken)
    {
        var rewrites = 0;
        while (true)
        {
            var latest = await SettledVersionAsync(routedWith, shard, completedAt, cancellationToken);
            if (latest is null || latest.Shards[shard].EndingOffset is not { } end || offset < end)
            {
                return (shard, offset);
            }

            // Past a closed shard's end: write it again where the hash key now goes.
            var router = latest.Router ?? throw Validation.Errors.FromStorage(StorageStatus.PartitionNotFound, latest.Name, _account, "PutRecord");
            shard = router.Route(hashKey);
            var outcomes = new AppendOutcome[1];
            var status = await _store.AppendAsync(latest.Topic, shard, new[] { record }, outcomes, cancellationToken);
            if (status != StorageStatus.Ok)
            {
                Log.AppendFailed(_logger, latest.Topic, shard, status);
                Validation.Errors.Storage(status, latest.Name, _account, "PutRecord");
            }

            Log.FencedWritesRetried(_logger, latest.Name, shard, 1);
            offset = outcomes[0].Offset;
            completedAt = Stopwatch.GetTimestamp();
            routedWith = latest;
            if (IsAckSafe(latest, completedAt) || ++rewrites > 16)
            {
                return (shard, offset);
            }
        }
    }

    /// <summary>
    /// The latest version of the stream once the catalog is confirmed after <paramref name="completedAt"/>
    /// and <paramref name="shard"/> is no longer closing (open, or closed with its end fixed); null when
    /// the stream is gone (deleted, or re-created as another incarnation).
    /// </summary>
    private async ValueTask<StreamRuntime?> SettledVersionAsync(StreamRuntime routedWith, int shard, long completedAt, CancellationToken cancellationToken)
    {
        await _catalog.EnsureFreshSinceAsync(completedAt, cancellationToken);
        while (true)
        {
            if (!_streams.TryGetValue(routedWith.Name, out var latest) || latest.Incarnation != routedWith.Incarnation || shard >= latest.Shards.Length)
            {
                return null;
            }

            if (!latest.Shards[shard].IsClosing)
            {
                return latest;
            }

            // The fence fixes the end within about one lease: look again shortly.
            var pause = TimeSpan.FromTicks(Math.Clamp(_options.Resharding.FenceLease.Ticks / 8, TimeSpan.TicksPerMillisecond, 20 * TimeSpan.TicksPerMillisecond));
            await Task.Delay(pause, TimeProvider.System, cancellationToken);
            await _catalog.EnsureFreshSinceAsync(Stopwatch.GetTimestamp(), cancellationToken);
        }
    }

    /// <summary>
    /// The fence for a PutRecords batch after its appends completed at <paramref name="completedAt"/>:
    /// nothing to do in the common case; otherwise each shard's records are checked, and those past a
    /// closed shard's end are written again to the shard owning them now (their results name it).
    /// </summary>
    private async ValueTask FenceBatchAsync(
        StreamRuntime stream,
        PutRecordsBatch batch,
        ReadOnlyMemory<Api.PutRecordsRequestEntry> entries,
        long completedAt,
        CancellationToken cancellationToken)
    {
        if (IsAckSafe(stream, completedAt))
        {
            return;
        }

        for (var s = 0; s < batch.ShardCount; s++)
        {
            var start = batch.AppendStart[s];
            var count = batch.AppendCount[s];
            if (count == 0)
            {
                continue;
            }

            var latest = await SettledVersionAsync(stream, s, completedAt, cancellationToken);
            if (latest is null || latest.Shards[s].EndingOffset is not { } end)
            {
                continue;
            }

            for (var w = start; w < start + count; w++)
            {
                var outcome = batch.Outcomes[w];
                if (outcome.Status != StorageStatus.Ok || outcome.Offset < end)
                {
                    continue;
                }

                var i = batch.RecordIndex[w];
                var explicitHashKey = entries.Span[i].ExplicitHashKey;
                var hashKey = explicitHashKey is not null && HashKeys.TryParse(explicitHashKey, out var parsed)
                    ? parsed
                    : HashKeys.FromUtf8PartitionKey(batch.Keys.AsSpan(batch.KeyOffsets[i], batch.KeyLengths[i]));
                var (shard, offset) = await ConfirmAppendAsync(stream, s, outcome.Offset, completedAt, batch.Records[w], hashKey, cancellationToken);
                batch.Outcomes[w] = new AppendOutcome(StorageStatus.Ok, offset);
                batch.ShardOf[i] = shard;
            }
        }
    }
}
