using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Security;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>The table of operations served by the core, and the pieces every handler shares.</summary>
public static class KinesisStreamsOperations
{
    /// <summary>The operations the gateway serves over the Kinesis wire protocol.</summary>
    public static IReadOnlyList<KinesisOperation> Served { get; } = [.. Handlers.Select(h => h.Operation)];

    /// <summary>
    /// Each served operation and its body. A body reads the request (synchronously: the reader is a
    /// ref struct over the request buffer), awaits the core, and writes the response with the call's
    /// writer; one code path for JSON and CBOR. Operations the core has no model for yet
    /// (resharding, encryption, resource policies)
    /// have no handler, so the dispatcher answers them UnknownOperationException "not supported".
    /// </summary>
    internal static IEnumerable<(KinesisOperation Operation, Func<IStreamsService, KinesisCall, ValueTask> Handler)> Handlers =>
    [
        (KinesisOperation.CreateStream, StreamOperations.CreateStreamAsync),
        (KinesisOperation.DeleteStream, StreamOperations.DeleteStreamAsync),
        (KinesisOperation.DescribeStream, StreamOperations.DescribeStreamAsync),
        (KinesisOperation.DescribeStreamSummary, StreamOperations.DescribeStreamSummaryAsync),
        (KinesisOperation.ListStreams, StreamOperations.ListStreamsAsync),
        (KinesisOperation.ListShards, StreamOperations.ListShardsAsync),
        (KinesisOperation.IncreaseStreamRetentionPeriod, StreamOperations.IncreaseStreamRetentionPeriodAsync),
        (KinesisOperation.DecreaseStreamRetentionPeriod, StreamOperations.DecreaseStreamRetentionPeriodAsync),
        (KinesisOperation.UpdateMaxRecordSize, StreamOperations.UpdateMaxRecordSizeAsync),
        (KinesisOperation.DescribeLimits, StreamOperations.DescribeLimitsAsync),
        (KinesisOperation.PutRecord, RecordOperations.PutRecordAsync),
        (KinesisOperation.PutRecords, RecordOperations.PutRecordsAsync),
        (KinesisOperation.GetShardIterator, RecordOperations.GetShardIteratorAsync),
        (KinesisOperation.GetRecords, RecordOperations.GetRecordsAsync),
        (KinesisOperation.AddTagsToStream, TagOperations.AddTagsToStreamAsync),
        (KinesisOperation.RemoveTagsFromStream, TagOperations.RemoveTagsFromStreamAsync),
        (KinesisOperation.ListTagsForStream, TagOperations.ListTagsForStreamAsync),
        (KinesisOperation.TagResource, TagOperations.TagResourceAsync),
        (KinesisOperation.UntagResource, TagOperations.UntagResourceAsync),
        (KinesisOperation.ListTagsForResource, TagOperations.ListTagsForResourceAsync),
        (KinesisOperation.EnableEnhancedMonitoring, MonitoringOperations.EnableEnhancedMonitoringAsync),
        (KinesisOperation.DisableEnhancedMonitoring, MonitoringOperations.DisableEnhancedMonitoringAsync),

        // Enhanced fan-out (consumers; SubscribeToShard is an event stream with its own handler).
        (KinesisOperation.RegisterStreamConsumer, ConsumerOperations.RegisterStreamConsumerAsync),
        (KinesisOperation.DeregisterStreamConsumer, ConsumerOperations.DeregisterStreamConsumerAsync),
        (KinesisOperation.DescribeStreamConsumer, ConsumerOperations.DescribeStreamConsumerAsync),
        (KinesisOperation.ListStreamConsumers, ConsumerOperations.ListStreamConsumersAsync),
    ];

    /// <summary>
    /// The wire form of a core error: <c>__type</c> is the Kinesis error name, the HTTP status the one
    /// Kinesis uses (400 for client errors, 500 InternalFailure, 503 ServiceUnavailable), and the
    /// message the core's Kinesis-style message (API reference, "Errors" of each operation).
    /// </summary>
    public static KinesisWireError ToWireError(KinesisException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new KinesisWireError(error.ErrorName, error.HttpStatusCode, error.Message);
    }
}

/// <summary>Adapts one operation body to the dispatcher's handler seam and translates core errors.</summary>
internal sealed class StreamsOperationHandler(
    KinesisOperation operation,
    IStreamsService streams,
    Func<IStreamsService, KinesisCall, ValueTask> handler,
    AccessPolicy policy) : IKinesisOperationHandler
{
    public KinesisOperation Operation => operation;

    public async ValueTask<KinesisResult> HandleAsync(KinesisCall call)
    {
        // With access enforced, the dispatcher has verified the signature, so AccessKeyId is the
        // caller's; the core checks the operation against that key's permissions. Otherwise (AcceptAny)
        // the key is only claimed and nothing is checked.
        using var scope = AccessContext.Enter(policy.IsEnforced && call.AccessKeyId is { } key ? policy.FindPrincipal(key) : null);
        try
        {
            await handler(streams, call);
            return KinesisResult.Success;
        }
        catch (KinesisException error)
        {
            // Anything already written is discarded by the dispatcher when an error is returned.
            return KinesisStreamsOperations.ToWireError(error);
        }
    }
}
