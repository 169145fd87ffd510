namespace KafkaKinesisBridge.Firehose.Sink.Diagnostics;

/// <summary>Names of the sink's telemetry, for hosts that export it (OpenTelemetry <c>AddMeter</c>).</summary>
public static class SinkTelemetry
{
    /// <summary>The meter of the Firehose delivery metrics (DeliveryToS3.*, per delivery stream).</summary>
    public const string MeterName = SinkMetrics.MeterName;
}
