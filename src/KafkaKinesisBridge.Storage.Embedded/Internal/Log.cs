using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>Log messages of the embedded log (event ids 2100-2199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Embedded log opened at {Directory}: {Topics} topics, {Partitions} partitions, {Segments} segments, recovered in {ElapsedMs} ms")]
    public static partial void StoreOpened(ILogger logger, string directory, int topics, int partitions, int segments, long elapsedMs);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Truncated {File} at byte {Position}, dropping {Bytes} bytes: {Reason}")]
    public static partial void TruncatedSegment(ILogger logger, string file, long position, long bytes, string reason);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error,
        Message = "Dropped {Count} segments of {Directory} from offset {Offset} on: {Reason}")]
    public static partial void DroppedSegments(ILogger logger, string directory, int count, long offset, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Rebuilt index {File}: {Reason}")]
    public static partial void IndexRebuilt(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information,
        Message = "Created topic {Topic} with {Partitions} partitions, retention {Retention}")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions, string retention);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Deleted topic {Topic}")]
    public static partial void TopicDeleted(ILogger logger, string topic);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Information,
        Message = "Topic {Topic} grew from {From} to {To} partitions")]
    public static partial void PartitionsAdded(ILogger logger, string topic, int from, int to);

    [LoggerMessage(EventId = 2107, Level = LogLevel.Information,
        Message = "Retention deleted {Count} segments of {Topic}/{Partition}; log start offset is now {LogStartOffset}")]
    public static partial void RetentionDeleted(ILogger logger, string topic, int partition, int count, long logStartOffset);

    [LoggerMessage(EventId = 2108, Level = LogLevel.Debug, Message = "Rolled {Topic}/{Partition} to a new segment at offset {BaseOffset}")]
    public static partial void SegmentRolled(ILogger logger, string topic, int partition, long baseOffset);

    [LoggerMessage(EventId = 2109, Level = LogLevel.Error, Message = "Append to {Topic}/{Partition} failed; the write was rolled back")]
    public static partial void AppendFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Critical,
        Message = "Partition {Topic}/{Partition} is faulted: a failed write could not be rolled back; appends fail until restart")]
    public static partial void PartitionFaulted(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Removed {Directory}: {Reason}")]
    public static partial void RemovedLeftover(ILogger logger, string directory, string reason);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Error, Message = "Retention pass failed")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Could not remove {Path}; it is retried at the next open")]
    public static partial void RemoveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Information, Message = "Embedded log at {Directory} closed")]
    public static partial void StoreClosed(ILogger logger, string directory);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Error, Message = "{Operation} of topic {Topic} failed; nothing was changed")]
    public static partial void TopicOperationFailed(ILogger logger, string operation, string topic, Exception exception);
}
