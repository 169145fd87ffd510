using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Validation;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Core.Streams.Resharding;

/// <summary>
/// Executes a <see cref="ReshardPlan"/> in two catalog versions, with the fence of issue 9, trap (a)
/// between them:
/// <list type="number">
/// <item>storage first: the topic grows by the new shards' partitions (Kafka can only add partitions,
/// which matches Kinesis never reusing a shard id; shard N stays partition N);</item>
/// <item>version 1 (stream UPDATING): children open, parents closing, so every replica that applies it
/// routes their hash keys to the children at once; the parents' ends are not fixed yet;</item>
/// <item>the fence: wait <see cref="ReshardingOptions.FenceLease"/> after version 1 was committed. A
/// replica acknowledges a write to a parent only if its view was confirmed at most one lease before
/// the write completed (StreamsService.WriteFence.cs), so from here on no acknowledged write to a
/// parent is still in flight: writes completing later are checked against the end and moved to the
/// children when past it;</item>
/// <item>version 2 (stream ACTIVE): each parent's EndingOffset is fixed at its partition's high
/// watermark, read now.</item>
/// </list>
/// Version 1 is committed before the call returns (the stream is UPDATING, as Kinesis answers);
/// version 2 follows in the background, or from the reconciler when this replica stopped first.
/// </summary>
internal sealed class Resharder
{
    private const int MaxAttempts = 8;

    /// <summary>Proposals of the finishing step before it leaves the rest to the reconciler.</summary>
    private const int MaxFinishAttempts = 8;

    private readonly ILogStore _store;
    private readonly StreamCatalog _catalog;
    private readonly Func<string, StreamRuntime?> _lookup;
    private readonly ReshardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _account;
    private readonly ConcurrentDictionary<string, Task> _finishing = new(StringComparer.Ordinal);

    public Resharder(ILogStore store, StreamCatalog catalog, Func<string, StreamRuntime?> lookup, ReshardingOptions options, TimeProvider time, ILogger logger, string account)
    {
        _account = account;
        _store = store;
        _catalog = catalog;
        _lookup = lookup;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Plans against the latest version and commits version 1, retrying when another change to the
    /// stream won the race. <paramref name="plan"/> throws the Kinesis error of a refused request, or
    /// returns null when nothing needs to change. Returns the version the change started from.
    /// </summary>
    public async Task<StreamRuntime> BeginAsync(
        string name,
        string operation,
        Func<StreamRuntime, ReshardPlan?> plan,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            await _catalog.RefreshAsync(cancellationToken);
            var current = _lookup(name) ?? throw new KinesisException(KinesisErrorCode.ResourceNotFound, $"Stream {name} under account {_account} not found.");
            var planned = plan(current);
            if (planned is null)
            {
                return current;
            }

            var next = planned.Next;
            if ((ShardLayout.Validate(next) ?? ShardLayout.ValidateTransition(current.Entry, next)) is { } invalid)
            {
                // A planner bug: never propose a layout the catalog would refuse.
                throw new KinesisException(KinesisErrorCode.InternalFailure, $"{operation} planned an invalid shard layout ({invalid}).");
            }

            await PrepareStorageAsync(current, next, planned.Added, operation, cancellationToken);
            var (accepted, version) = await _catalog.ProposeAsync(
                new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = name, BasedOnVersion = current.Version, Stream = next },
                cancellationToken);
            if (!accepted)
            {
                continue;
            }

            var committedAt = Stopwatch.GetTimestamp();
            Log.ReshardStarted(_logger, name, operation, string.Join(",", planned.Closing.Select(ShardIds.Format)), planned.Added.Count, version);
            StartFinishing(name, current.Incarnation, committedAt);
            return current;
        }

        throw new KinesisException(KinesisErrorCode.LimitExceeded, $"Stream {name} under account {_account} is being changed concurrently; retry the request.");
    }

    /// <summary>Completes when no reshard of <paramref name="name"/> started by this replica is still finishing.</summary>
    public Task WhenFinishedAsync(string name) => _finishing.TryGetValue(name, out var task) ? task : Task.CompletedTask;

    /// <summary>
    /// Fixes the parents' ends and makes the stream ACTIVE again, for an UPDATING stream whose reshard
    /// was committed at <paramref name="committedAt"/> (a <see cref="Stopwatch"/> time); the reconciler
    /// passes the time it saw a reshard another replica left unfinished.
    /// </summary>
    public async Task FinishAsync(string name, ulong incarnation, long committedAt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lease = (long)(_options.FenceLease.TotalSeconds * Stopwatch.Frequency);
        var wait = committedAt + lease - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), TimeProvider.System, cancellationToken);
        }

        // Other changes of the stream (tags, consumers) may land while the lease runs: the closing
        // shards are still this reshard's (only one is open at a time), and the lease was measured
        // from its commit, so finish on whatever version is current, retrying a refused proposal.
        for (var attempt = 0; attempt < MaxFinishAttempts; attempt++)
        {
            await _catalog.RefreshAsync(cancellationToken);
            var current = _lookup(name);
            if (current is null || current.Incarnation != incarnation || current.Status != StreamStatus.Updating
                || !current.Entry.Shards.Exists(s => s.ClosedAtMs is not null && s.EndingOffset is null))
            {
                // Finished (or deleted) by someone else meanwhile.
                return;
            }

            var next = current.Entry.Clone();
            foreach (var shard in next.Shards)
            {
                if (shard.ClosedAtMs is null || shard.EndingOffset is not null)
                {
                    continue;
                }

                var offsets = await _store.GetOffsetsAsync(next.Topic, shard.Index, cancellationToken);
                if (offsets.Status != StorageStatus.Ok)
                {
                    throw Errors.FromStorage(offsets.Status, name, _account, "Reshard");
                }

                shard.EndingOffset = Math.Max(offsets.Offsets.HighWatermark, shard.StartingOffset);
            }

            next.Status = StreamStatus.Active;
            next.UpdatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var (accepted, _) = await _catalog.ProposeAsync(
                new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = name, BasedOnVersion = current.Version, Stream = next },
                cancellationToken);
            if (accepted)
            {
                var elapsed = (long)Stopwatch.GetElapsedTime(Math.Min(started, committedAt)).TotalMilliseconds;
                Log.ReshardFinished(_logger, name, elapsed, next.Shards.Count(ShardLayout.IsRoutable));
                return;
            }
        }
    }

    /// <summary>Grows the topic by the new shards and sets where each new shard's records start.</summary>
    private async Task PrepareStorageAsync(StreamRuntime current, StreamEntry next, IReadOnlyList<int> added, string operation, CancellationToken cancellationToken)
    {
        var status = await _store.AddPartitionsAsync(next.Topic, next.Shards.Count, cancellationToken);
        if (status != StorageStatus.Ok)
        {
            Errors.Storage(status, current.Name, _account, operation);
        }

        foreach (var index in added)
        {
            // Normally 0; a partition left by an attempt that failed before its catalog commit may
            // hold records nobody was told about: start after them.
            var offsets = await _store.GetOffsetsAsync(next.Topic, index, cancellationToken);
            if (offsets.Status != StorageStatus.Ok)
            {
                Errors.Storage(offsets.Status, current.Name, _account, operation);
            }

            var shard = next.Shards[index];
            shard.StartingOffset = offsets.Offsets.HighWatermark;
            if (shard.ClosedAtMs is not null)
            {
                // A short-lived shard of UpdateShardCount: closed at birth, empty.
                shard.EndingOffset = shard.StartingOffset;
            }
        }
    }

    private void StartFinishing(string name, ulong incarnation, long committedAt)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await FinishAsync(name, incarnation, committedAt, CancellationToken.None);
            }
            catch (Exception exception) when (exception is KinesisException or OperationCanceledException)
            {
                Log.ReshardPending(_logger, name, "fix parent ends", exception);
            }
        });
        _finishing[name] = task;
        _ = task.ContinueWith(t => _finishing.TryRemove(new KeyValuePair<string, Task>(name, t)), TaskScheduler.Default);
    }
}
