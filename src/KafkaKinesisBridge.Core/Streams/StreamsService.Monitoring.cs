using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Enhanced monitoring: EnableEnhancedMonitoring / DisableEnhancedMonitoring turn shard-level metrics
// on and off. The setting lives in the stream's catalog entry, so every replica reports the same ones.
public sealed partial class StreamsService
{
    /// <inheritdoc />
    public ValueTask<EnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken) =>
        UpdateEnhancedMonitoringAsync(request, enable: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<EnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken) =>
        UpdateEnhancedMonitoringAsync(request, enable: false, cancellationToken);

    /// <summary>
    /// Validates a ShardLevelMetrics list as Kinesis does (API reference, EnableEnhancedMonitoring:
    /// required, 1 to 7 items, each one of the metric names or ALL) and returns its flags.
    /// </summary>
    internal static ShardLevelMetric ValidateShardLevelMetrics(ref ValidationErrors? errors, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            Constraints.Required(ref errors, null, "shardLevelMetrics");
            return ShardLevelMetric.None;
        }

        var rendered = "'[" + string.Join(", ", names) + "]'";
        if (names.Count < 1)
        {
            ValidationErrors.Add(ref errors, rendered, "shardLevelMetrics", "Member must have length greater than or equal to 1");
        }
        else if (names.Count > ShardLevelMetrics.MaxNames)
        {
            ValidationErrors.Add(ref errors, rendered, "shardLevelMetrics", "Member must have length less than or equal to 7");
        }

        var flags = ShardLevelMetric.None;
        var invalid = false;
        foreach (var name in names)
        {
            if (ShardLevelMetrics.TryParse(name, out var metric))
            {
                flags |= metric;
            }
            else
            {
                invalid = true;
            }
        }

        if (invalid)
        {
            ValidationErrors.Add(ref errors, rendered, "shardLevelMetrics", "Member must satisfy constraint: [Member must satisfy enum value set: " + ShardLevelMetrics.EnumValueSet + "]");
        }

        return flags;
    }

    private async ValueTask<EnhancedMonitoringResponse> UpdateEnhancedMonitoringAsync(EnhancedMonitoringRequest request, bool enable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        var requested = ValidateShardLevelMetrics(ref errors, request.ShardLevelMetrics);
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var current = ShardLevelMetric.None;
        var desired = ShardLevelMetric.None;
        var stream = await UpdateStreamAsync(
            name,
            (runtime, updated) =>
            {
                // Kinesis changes enhanced monitoring only on an ACTIVE stream (ResourceInUseException otherwise).
                RequireActive(runtime, _account);
                current = ShardLevelMetrics.FromNames(runtime.Entry.ShardLevelMetrics);
                desired = enable ? current | requested : current & ~requested;
                if (desired == current)
                {
                    return false;
                }

                updated.ShardLevelMetrics = desired == ShardLevelMetric.None ? null : ShardLevelMetrics.ToNames(desired);
                return true;
            },
            cancellationToken);
        return new EnhancedMonitoringResponse(stream.Name, stream.Arn, ShardLevelMetrics.ToNames(current), ShardLevelMetrics.ToNames(desired));
    }
}
