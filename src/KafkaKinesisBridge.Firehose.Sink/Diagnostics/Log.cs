using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Firehose.Sink.Diagnostics;

/// <summary>The sink's log messages (event ids 6000-6099).</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Delivery stream {DeliveryStream} version {Version}: delivering from topic {Topic} to {Store} bucket {Bucket}.")]
    public static partial void PipelineStarted(ILogger logger, string deliveryStream, long version, string topic, string store, string bucket);

    [LoggerMessage(6001, LogLevel.Information, "Delivery stream {DeliveryStream} version {Version}: stopped.")]
    public static partial void PipelineStopped(ILogger logger, string deliveryStream, long version);

    [LoggerMessage(6002, LogLevel.Error, "Delivery stream {DeliveryStream}: the pipeline failed; it starts again from its committed positions.")]
    public static partial void PipelineFailed(ILogger logger, string deliveryStream, Exception exception);

    [LoggerMessage(6003, LogLevel.Warning, "Delivery stream {DeliveryStream}: writing {Key} failed (attempt {Attempt}); retrying in {Delay}.")]
    public static partial void WriteRetry(ILogger logger, string deliveryStream, string key, int attempt, TimeSpan delay, Exception? exception);

    [LoggerMessage(6004, LogLevel.Error, "Delivery stream {DeliveryStream}: {Records} records could not be delivered within the retry duration; writing them to {ErrorKey}.")]
    public static partial void DeliveryFailed(ILogger logger, string deliveryStream, int records, string errorKey, Exception exception);

    [LoggerMessage(6005, LogLevel.Warning, "Delivery stream {DeliveryStream} is invalid and not delivered: {Reason}")]
    public static partial void InvalidDeliveryStream(ILogger logger, string deliveryStream, string reason);

    [LoggerMessage(6006, LogLevel.Information, "Delivery stream {DeliveryStream}: partition {Partition} revoked; {Records} buffered records left to its new owner.")]
    public static partial void PartitionRevoked(ILogger logger, string deliveryStream, int partition, int records);

    [LoggerMessage(6007, LogLevel.Warning, "Delivery stream {DeliveryStream}: committing partition {Partition} at {Offset} failed; the object is written again by whoever reads it next.")]
    public static partial void CommitFailed(ILogger logger, string deliveryStream, int partition, long offset, Exception exception);

    [LoggerMessage(6008, LogLevel.Error, "The list of active delivery streams could not be read.")]
    public static partial void ProviderFailed(ILogger logger, Exception exception);

    [LoggerMessage(6009, LogLevel.Debug, "Delivery stream {DeliveryStream}: wrote {Key} ({Records} records, {Bytes} bytes).")]
    public static partial void ObjectWritten(ILogger logger, string deliveryStream, string key, int records, long bytes);
}
