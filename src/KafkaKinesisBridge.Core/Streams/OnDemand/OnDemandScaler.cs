using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Core.Streams.OnDemand;

/// <summary>
/// Carries out the on-demand scaler's decisions. Each call names the catalog version the decision was
/// read from and does nothing (returns false) when the stream has moved on since: with several gateway
/// replicas, only one acts on a given version, and the catalog's compare-and-set refuses a replica
/// that races it anyway.
/// </summary>
internal interface IReshardExecutor
{
    /// <summary>SplitShard of <paramref name="shardIndex"/> at <paramref name="newStartingHashKey"/>.</summary>
    ValueTask<bool> SplitAsync(string streamName, long basedOnVersion, int shardIndex, UInt128 newStartingHashKey, CancellationToken cancellationToken);

    /// <summary>MergeShards of two adjacent shards.</summary>
    ValueTask<bool> MergeAsync(string streamName, long basedOnVersion, int shardIndex, int adjacentShardIndex, CancellationToken cancellationToken);
}

/// <summary>The executor of a gateway: the core's own resharding, for ON_DEMAND streams.</summary>
internal sealed class StreamsServiceReshardExecutor(StreamsService service) : IReshardExecutor
{
    public ValueTask<bool> SplitAsync(string streamName, long basedOnVersion, int shardIndex, UInt128 newStartingHashKey, CancellationToken cancellationToken) =>
        service.ScalerSplitAsync(streamName, basedOnVersion, shardIndex, newStartingHashKey, cancellationToken);

    public ValueTask<bool> MergeAsync(string streamName, long basedOnVersion, int shardIndex, int adjacentShardIndex, CancellationToken cancellationToken) =>
        service.ScalerMergeAsync(streamName, basedOnVersion, shardIndex, adjacentShardIndex, cancellationToken);
}

/// <summary>
/// The on-demand scaler: every <see cref="OnDemandScalingOptions.SampleInterval"/> it samples the
/// write demand of each open shard of every ON_DEMAND stream (the quota layer's counters), asks
/// <see cref="OnDemandScalingPolicy"/> what to do, and has an <see cref="IReshardExecutor"/> split or
/// merge. Every action is logged and counted (<c>kinesis.on_demand.scaling_actions</c>).
/// </summary>
/// <remarks>
/// Demand is measured per replica (each counts the writes it serves), as the quotas are; behind a load
/// balancer spreading writers over N replicas a shard is split when one replica's share of it is hot.
/// </remarks>
internal sealed partial class OnDemandScaler : BackgroundService
{
    private readonly StreamsService _service;
    private readonly IReshardExecutor _executor;
    private readonly OnDemandScalingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _quotasEnabled;
    private readonly Dictionary<(string Stream, ulong Incarnation, int Shard), ShardLoadTracker> _trackers = [];

    public OnDemandScaler(
        StreamsService service,
        IReshardExecutor executor,
        IOptions<KinesisStreamsOptions> options,
        TimeProvider time,
        ILogger<OnDemandScaler>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _service = service;
        _executor = executor;
        _options = options.Value.OnDemand;
        _quotasEnabled = options.Value.Quotas.Enabled;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await _service.WaitUntilReadyAsync(stoppingToken);
        if (!_quotasEnabled)
        {
            // Demand is counted by the per-shard quota layer: without it the scaler sees no load.
            QuotasOff(_logger);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(_options.SampleInterval, _time, stoppingToken);
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                TickFailed(_logger, exception);
            }
        }
    }

    /// <summary>One sample and decision for every ON_DEMAND stream; returns the actions carried out.</summary>
    internal async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var limits = _service.ShardQuotas;
        var seen = new HashSet<(string, ulong, int)>();
        var actions = 0;
        foreach (var stream in _service.LocalStreams.ToArray())
        {
            if (stream.Entry.Mode != StreamMode.OnDemand)
            {
                continue;
            }

            var loads = new List<ShardLoad>(stream.OpenShardCount);
            long? lastReshard = null;
            foreach (var shard in stream.Shards)
            {
                if (shard.Entry.ClosedAtMs is { } closed)
                {
                    lastReshard = Math.Max(lastReshard ?? closed, closed);
                }

                if (!shard.IsOpen || shard.Entry.ClosedAtMs is not null)
                {
                    continue;
                }

                var key = (stream.Name, stream.Incarnation, shard.Index);
                seen.Add(key);
                if (!_trackers.TryGetValue(key, out var tracker))
                {
                    _trackers[key] = tracker = new ShardLoadTracker();
                }

                var (bytes, records) = shard.Quota.WriteDemand();
                tracker.Observe(now, bytes, records, limits.WriteBytesPerSecond, limits.WriteRecordsPerSecond, _options);
                loads.Add(new ShardLoad(shard.Index, shard.Range, tracker.HotSinceMs, tracker.ColdSinceMs));
            }

            var decision = OnDemandScalingPolicy.Decide(_options, now, stream.Status, lastReshard, loads);
            if (decision.Kind != ScalingActionKind.None && await ExecuteAsync(stream, decision, now, cancellationToken))
            {
                // The load spreads anew over the changed shards: measure the whole stream afresh, so a
                // decision is never taken twice on the same measurements.
                actions++;
                foreach (var key in _trackers.Keys.Where(k => k.Stream == stream.Name).ToArray())
                {
                    _trackers.Remove(key);
                }

                seen.RemoveWhere(k => k.Item1 == stream.Name);
            }
        }

        // Forget closed shards and deleted streams.
        foreach (var key in _trackers.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _trackers.Remove(key);
        }

        return actions;
    }

    private async Task<bool> ExecuteAsync(StreamRuntime stream, ScalingDecision decision, long now, CancellationToken cancellationToken)
    {
        var split = decision.Kind == ScalingActionKind.Split;
        var action = split ? "split" : "merge";
        var shardId = ShardIds.Format(decision.ShardIndex);
        try
        {
            bool done;
            if (split)
            {
                var tracker = _trackers[(stream.Name, stream.Incarnation, decision.ShardIndex)];
                Splitting(_logger, stream.Name, shardId, decision.NewStartingHashKey.ToString(CultureInfo.InvariantCulture), tracker.LastShare, (now - tracker.HotSinceMs!.Value) / 1000.0);
                done = await _executor.SplitAsync(stream.Name, stream.Version, decision.ShardIndex, decision.NewStartingHashKey, cancellationToken);
            }
            else
            {
                Merging(_logger, stream.Name, shardId, ShardIds.Format(decision.AdjacentShardIndex));
                done = await _executor.MergeAsync(stream.Name, stream.Version, decision.ShardIndex, decision.AdjacentShardIndex, cancellationToken);
            }

            StreamsMetrics.Shared.OnDemandScaling(stream.Name, action, done ? "done" : "refused");
            if (!done)
            {
                Stale(_logger, stream.Name, action, shardId);
            }

            return done;
        }
        catch (KinesisException error)
        {
            // Another replica resharded first (ResourceInUse, a closed shard), or a limit: next tick decides again.
            StreamsMetrics.Shared.OnDemandScaling(stream.Name, action, "refused");
            Refused(_logger, stream.Name, action, shardId, error.ErrorName, error.Message);
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            StreamsMetrics.Shared.OnDemandScaling(stream.Name, action, "failed");
            Failed(_logger, stream.Name, action, shardId, exception);
            return false;
        }
    }

    [LoggerMessage(1100, LogLevel.Information, "On-demand stream {StreamName}: splitting shard {ShardId} at hash key {NewStartingHashKey} (write demand {Share:P0} of the shard limit, hot for {HotSeconds:F0} s)")]
    private static partial void Splitting(ILogger logger, string streamName, string shardId, string newStartingHashKey, double share, double hotSeconds);

    [LoggerMessage(1101, LogLevel.Information, "On-demand stream {StreamName}: merging cold adjacent shards {ShardId} and {AdjacentShardId}")]
    private static partial void Merging(ILogger logger, string streamName, string shardId, string adjacentShardId);

    [LoggerMessage(1102, LogLevel.Information, "On-demand stream {StreamName}: {Action} of {ShardId} not done, the stream changed since the decision (another replica acted)")]
    private static partial void Stale(ILogger logger, string streamName, string action, string shardId);

    [LoggerMessage(1103, LogLevel.Information, "On-demand stream {StreamName}: {Action} of {ShardId} refused with {ErrorName}: {Message}")]
    private static partial void Refused(ILogger logger, string streamName, string action, string shardId, string errorName, string message);

    [LoggerMessage(1104, LogLevel.Warning, "On-demand stream {StreamName}: {Action} of {ShardId} failed")]
    private static partial void Failed(ILogger logger, string streamName, string action, string shardId, Exception exception);

    [LoggerMessage(1106, LogLevel.Warning, "The on-demand scaler is off: it measures write demand through the per-shard quotas, and Kinesis:Quotas:Enabled is false")]
    private static partial void QuotasOff(ILogger logger);

    [LoggerMessage(1105, LogLevel.Warning, "On-demand scaler pass failed; will retry")]
    private static partial void TickFailed(ILogger logger, Exception exception);
}
