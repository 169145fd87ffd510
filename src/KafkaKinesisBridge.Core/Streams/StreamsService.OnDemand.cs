using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Streams.Resharding;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// On-demand capacity mode: UpdateStreamMode, and the view of the streams the on-demand scaler reads.
public sealed partial class StreamsService
{
    private const long DayMs = 24L * 60 * 60 * 1000;

    /// <inheritdoc />
    /// <remarks>
    /// API reference, UpdateStreamMode: InvalidArgumentException for a bad request,
    /// ResourceInUseException unless the stream is ACTIVE, LimitExceededException beyond the switches
    /// allowed per 24 hours ("Quotas and limits": twice within 24 hours) or beyond the ON_DEMAND stream
    /// limit. The stream keeps its shards in both directions, as Kinesis keeps the shard count when the
    /// mode changes. Kinesis shows UPDATING for a moment; here the switch is one catalog change, so the
    /// stream stays ACTIVE. Setting the mode a stream already has changes nothing and is not counted.
    /// </remarks>
    public async ValueTask UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Required(ref errors, request.StreamModeDetails, "streamModeDetails");
        if (request.StreamModeDetails is { } details && !Enum.IsDefined(details.StreamMode))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(details.StreamMode.ToString()), "streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var mode = request.StreamModeDetails!.StreamMode;
        var switchesAllowed = _options.ModeSwitchesPer24Hours;
        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                RequireActive(current, _account);
                if (updated.Mode == mode)
                {
                    return false;
                }

                var now = NowMs;
                var recent = updated.ModeSwitchesAtMs?.Where(at => now - at < DayMs).ToList() ?? [];
                if (recent.Count >= switchesAllowed)
                {
                    Errors.Throw(
                        KinesisErrorCode.LimitExceeded,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"Stream {name} under account {_account} has already switched its capacity mode {recent.Count} times in the last 24 hours; the limit is {switchesAllowed}."));
                }

                if (mode == StreamMode.OnDemand
                    && _streams.Values.Count(s => s.Entry.Mode == StreamMode.OnDemand) >= _options.OnDemandStreamCountLimit)
                {
                    Errors.Throw(
                        KinesisErrorCode.LimitExceeded,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"This request would exceed the limit of {_options.OnDemandStreamCountLimit} streams in ON_DEMAND mode for the account {_account} in {_region}."));
                }

                recent.Add(now);
                updated.ModeSwitchesAtMs = recent;
                updated.Mode = mode;
                return true;
            },
            cancellationToken);
    }

    /// <summary>
    /// The on-demand scaler's SplitShard: as the public one (the same planner, resharder, fence and
    /// SplitShard/MergeShards rate), but for an ON_DEMAND stream, and only if the stream is still at
    /// <paramref name="basedOnVersion"/> when the change is proposed: false when it moved on (another
    /// replica acted first) or left ON_DEMAND mode.
    /// </summary>
    internal async ValueTask<bool> ScalerSplitAsync(string name, long basedOnVersion, int shardIndex, UInt128 newStartingHashKey, CancellationToken cancellationToken)
    {
        AdmitSplitMerge(name);
        var planned = false;
        await _resharder.BeginAsync(
            name,
            "SplitShard",
            current =>
            {
                planned = false;
                if (!IsScalable(current, basedOnVersion))
                {
                    return null;
                }

                CheckAccountShardLimit(1);
                var plan = ReshardPlanner.Split(current.Entry, ShardIds.Format(shardIndex), newStartingHashKey, _account, NowMs);
                planned = true;
                return plan;
            },
            cancellationToken);
        return planned;
    }

    /// <summary>The on-demand scaler's MergeShards, under the rules of <see cref="ScalerSplitAsync"/>.</summary>
    internal async ValueTask<bool> ScalerMergeAsync(string name, long basedOnVersion, int shardIndex, int adjacentShardIndex, CancellationToken cancellationToken)
    {
        AdmitSplitMerge(name);
        var planned = false;
        await _resharder.BeginAsync(
            name,
            "MergeShards",
            current =>
            {
                planned = false;
                if (!IsScalable(current, basedOnVersion))
                {
                    return null;
                }

                var plan = ReshardPlanner.Merge(current.Entry, ShardIds.Format(shardIndex), ShardIds.Format(adjacentShardIndex), _account, NowMs);
                planned = true;
                return plan;
            },
            cancellationToken);
        return planned;
    }

    private static bool IsScalable(StreamRuntime current, long basedOnVersion) =>
        current.Version == basedOnVersion && current.Entry.Mode == StreamMode.OnDemand && current.Status == StreamStatus.Active;

    /// <summary>The streams of this replica's catalog view, for the on-demand scaler (no catalog read).</summary>
    internal IEnumerable<StreamRuntime> LocalStreams => _streams.Values;

    /// <summary>The per-shard write limits the on-demand scaler measures load against.</summary>
    internal ShardQuotaOptions ShardQuotas => _options.Quotas;
}
