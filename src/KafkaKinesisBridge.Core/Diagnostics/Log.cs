using KafkaKinesisBridge.Core.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>The core's log events (fixed event ids 1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Stream catalog ready: {StreamCount} streams replayed up to offset {Offset} of topic {Topic}")]
    public static partial void CatalogReady(ILogger logger, int streamCount, long offset, string topic);

    [LoggerMessage(1001, LogLevel.Warning, "Skipping unreadable catalog record at offset {Offset}")]
    public static partial void CatalogRecordUnreadable(ILogger logger, long offset, Exception exception);

    [LoggerMessage(1002, LogLevel.Warning, "Catalog refresh failed; will retry")]
    public static partial void CatalogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(1005, LogLevel.Warning, "Catalog refresh failing ({ErrorName}: {Message}); retrying every poll interval, logged again when it recovers")]
    public static partial void CatalogRefreshFailing(ILogger logger, string errorName, string message);

    [LoggerMessage(1006, LogLevel.Information, "Catalog refresh recovered after {Failures} failed attempts")]
    public static partial void CatalogRefreshRecovered(ILogger logger, int failures);

    [LoggerMessage(1003, LogLevel.Debug, "Catalog command {Kind} for {StreamName} at offset {Offset}: {Outcome}")]
    public static partial void CatalogApplied(ILogger logger, string kind, string? streamName, long offset, string outcome);

    [LoggerMessage(1004, LogLevel.Warning, "Catalog startup step failed with {Status}; retrying")]
    public static partial void CatalogStartupRetry(ILogger logger, StorageStatus status);

    [LoggerMessage(1010, LogLevel.Information, "Stream {StreamName} created with {ShardCount} shards on topic {Topic}")]
    public static partial void StreamCreated(ILogger logger, string streamName, int shardCount, string topic);

    [LoggerMessage(1011, LogLevel.Information, "Stream {StreamName} deleted (topic {Topic})")]
    public static partial void StreamDeleted(ILogger logger, string streamName, string topic);

    [LoggerMessage(1012, LogLevel.Warning, "Stream {StreamName}: storage step {Step} did not finish ({Status}); the reconciler will retry")]
    public static partial void StreamStepPending(ILogger logger, string streamName, string step, StorageStatus status);

    [LoggerMessage(1013, LogLevel.Warning, "Stream {StreamName}: topic {Topic} exists with {Actual} partitions, expected {Expected}; cannot activate")]
    public static partial void TopicShapeMismatch(ILogger logger, string streamName, string topic, int actual, int expected);

    [LoggerMessage(1014, LogLevel.Warning, "Reconciler pass failed; will retry")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(1015, LogLevel.Information, "Reconciler finishing {Status} of stream {StreamName}")]
    public static partial void Reconciling(ILogger logger, string status, string streamName);

    [LoggerMessage(1020, LogLevel.Warning, "Append to {Topic}/{Partition} failed with {Status}")]
    public static partial void AppendFailed(ILogger logger, string topic, int partition, StorageStatus status);

    [LoggerMessage(1021, LogLevel.Warning, "Setting retention of topic {Topic} failed with {Status}")]
    public static partial void RetentionFailed(ILogger logger, string topic, StorageStatus status);

    [LoggerMessage(1030, LogLevel.Warning, "Subscription to {StreamName} shard {Shard} failed")]
    public static partial void SubscriptionFailed(ILogger logger, string streamName, int shard, Exception exception);
}
