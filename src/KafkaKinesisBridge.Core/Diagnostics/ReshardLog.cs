using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>Log events of resharding (fixed event ids 1030-1039).</summary>
internal static partial class Log
{
    [LoggerMessage(1030, LogLevel.Error, "Stream {StreamName}: catalog version {Version} cannot be served; keeping the previous version")]
    public static partial void StreamVersionUnusable(ILogger logger, string streamName, long version, Exception exception);

    [LoggerMessage(1031, LogLevel.Information, "Stream {StreamName}: {Operation} started: closing {Closing}, adding {Added} shards (catalog version {Version})")]
    public static partial void ReshardStarted(ILogger logger, string streamName, string operation, string closing, int added, long version);

    [LoggerMessage(1032, LogLevel.Information, "Stream {StreamName}: reshard finished in {ElapsedMs} ms, {OpenShards} open shards")]
    public static partial void ReshardFinished(ILogger logger, string streamName, long elapsedMs, int openShards);

    [LoggerMessage(1033, LogLevel.Warning, "Stream {StreamName}: reshard step {Step} did not finish; the reconciler will retry")]
    public static partial void ReshardPending(ILogger logger, string streamName, string step, Exception? exception);

    [LoggerMessage(1034, LogLevel.Information, "Stream {StreamName}: {Count} records written to closed shard {ShardIndex} past its end were written again to its children")]
    public static partial void FencedWritesRetried(ILogger logger, string streamName, int shardIndex, int count);
}
