using System.Diagnostics;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>
/// Names of the core's telemetry, for hosts that export it: the <see cref="System.Diagnostics.Metrics.Meter"/>
/// with the Kinesis CloudWatch metrics and the <see cref="ActivitySource"/> with one span per API call.
/// </summary>
public static class KinesisTelemetry
{
    /// <summary>The meter of the Kinesis metrics (per stream, and per shard under enhanced monitoring).</summary>
    public const string MeterName = "KafkaKinesisBridge.Kinesis";

    /// <summary>The activity source of the API call spans.</summary>
    public const string ActivitySourceName = "KafkaKinesisBridge.Kinesis";

    /// <summary>The span source; it creates nothing unless a tracer listens.</summary>
    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
