using System.Globalization;
using KafkaKinesisBridge.Core.Api;
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

    /// <summary>The streams of this replica's catalog view, for the on-demand scaler (no catalog read).</summary>
    internal IEnumerable<StreamRuntime> LocalStreams => _streams.Values;

    /// <summary>The per-shard write limits the on-demand scaler measures load against.</summary>
    internal ShardQuotaOptions ShardQuotas => _options.Quotas;
}
