using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.EventStream;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Wire;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// SubscribeToShard on the Kinesis API: the core's subscription pushed to the client as an AWS event
/// stream, over HTTP/2 (as Kinesis serves it and the AWS SDK for JavaScript v3 and for Java call it)
/// or HTTP/1.1 with a chunked body (as botocore reads it).
/// </summary>
/// <remarks>
/// <para>What goes where follows Kinesis (API reference, SubscribeToShard and SubscribeToShardEvent):</para>
/// <list type="bullet">
/// <item>An error found before the subscription starts (validation, unknown consumer or shard,
/// ResourceInUseException for a second subscription within 5 seconds, a bad starting position) is an
/// ordinary error response: HTTP 400 with <c>{"__type", "message"}</c>, which the SDKs raise from
/// the call itself.</item>
/// <item>Otherwise HTTP 200 <c>application/vnd.amazon.eventstream</c>: an <c>initial-response</c>
/// event (the SDKs wait for it before they return the output), then one
/// <c>SubscribeToShardEvent</c> per batch of records, each with its ContinuationSequenceNumber and
/// MillisBehindLatest, ChildShards in the last one of a closed shard.</item>
/// <item>A failure after the start (another subscription took over, the consumer was deregistered,
/// storage failed) is an exception event (<c>:message-type exception</c>, <c>:exception-type</c> the
/// Kinesis error name), after which the stream ends.</item>
/// <item>The subscription's lifetime (5 minutes) or the end of a closed shard ends the stream
/// cleanly (END_STREAM on HTTP/2, the last chunk on HTTP/1.1); the client subscribes again.</item>
/// <item>A client that goes away cancels the request: the enumeration stops, the subscription is
/// disposed and its storage reads released at once. When the gateway stops, subscriptions end
/// cleanly too, so a graceful shutdown does not wait out their lifetime.</item>
/// </list>
/// </remarks>
internal sealed class SubscribeToShardOperationHandler(
    IStreamsService streams,
    AccessPolicy policy,
    IHostApplicationLifetime? lifetime,
    ILogger logger) : IKinesisOperationHandler
{
    public KinesisOperation Operation => KinesisOperation.SubscribeToShard;

    public async ValueTask<KinesisResult> HandleAsync(KinesisCall call)
    {
        var request = ReadRequest(call);
        var aborted = call.CancellationToken;
        ShardSubscription subscription;
        using (AccessContext.Enter(policy.IsEnforced && call.AccessKeyId is { } key ? policy.FindPrincipal(key) : null))
        {
            try
            {
                subscription = await streams.SubscribeToShardAsync(request, aborted).ConfigureAwait(false);
            }
            catch (KinesisException error)
            {
                return KinesisStreamsOperations.ToWireError(error);
            }
        }

        await using (subscription.ConfigureAwait(false))
        {
            await StreamAsync(call, subscription).ConfigureAwait(false);
        }

        return KinesisResult.ResponseHandled;
    }

    private async Task StreamAsync(KinesisCall call, ShardSubscription subscription)
    {
        var aborted = call.CancellationToken;
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        using var writer = new EventStreamResponseWriter(call.HttpContext.Response, call.Format);
        var events = 0L;
        SubscribeToShardLog.Started(logger, call.RequestId, subscription.ConsumerARN, subscription.ShardId, call.HttpContext.Request.Protocol);
        await writer.StartAsync(aborted).ConfigureAwait(false);
        try
        {
            await foreach (var shardEvent in subscription.ReadAllAsync(ended.Token).ConfigureAwait(false))
            {
                using (shardEvent)
                {
                    SubscribeToShardEventWriter.Write(writer.BeginEvent(), shardEvent);
                }

                await writer.WriteEventAsync(SubscribeToShardEventWriter.EventType, aborted).ConfigureAwait(false);
                events++;
                SubscribeToShardLog.EventSent(logger, call.RequestId, events, writer.BytesWritten);
            }

            SubscribeToShardLog.Ended(logger, call.RequestId, subscription.ShardId, "completed", events, writer.BytesWritten);
        }
        catch (KinesisException error)
        {
            SubscribeToShardLog.EndedWithException(logger, call.RequestId, subscription.ShardId, error.ErrorName, error.Message, events);
            await writer.WriteExceptionAsync(error.ErrorName, error.Message, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested && !aborted.IsCancellationRequested)
        {
            // The gateway is stopping: end the stream cleanly, as at the end of the lifetime; the
            // client resubscribes (to another replica) with its last ContinuationSequenceNumber.
            SubscribeToShardLog.Ended(logger, call.RequestId, subscription.ShardId, "gateway stopping", events, writer.BytesWritten);
        }
        catch (Exception error) when (error is not OperationCanceledException && !aborted.IsCancellationRequested)
        {
            // Kinesis reports its own faults in the stream as InternalFailureException.
            SubscribeToShardLog.Failed(logger, call.RequestId, subscription.ShardId, error);
            await writer.WriteExceptionAsync("InternalFailureException", "Internal service failure.", aborted).ConfigureAwait(false);
        }
    }

    /// <summary>Reads <c>{"ConsumerARN", "ShardId", "StartingPosition": {"Type", "SequenceNumber"?, "Timestamp"?}}</c>.</summary>
    internal static SubscribeToShardRequest ReadRequest(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? consumerArn = null;
        string? shardId = null;
        StartingPosition? position = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("ConsumerARN"u8))
            {
                consumerArn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardId"u8))
            {
                shardId = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("StartingPosition"u8))
            {
                position = ReadStartingPosition(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new SubscribeToShardRequest { ConsumerARN = consumerArn, ShardId = shardId, StartingPosition = position };
    }

    private static StartingPosition? ReadStartingPosition(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartNestedObject())
        {
            return null;
        }

        string? type = null;
        string? sequenceNumber = null;
        DateTimeOffset? timestamp = null;
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("Type"u8))
            {
                type = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("SequenceNumber"u8))
            {
                sequenceNumber = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Timestamp"u8))
            {
                timestamp = WireMembers.ReadTimestamp(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        return new StartingPosition { Type = KinesisEnums.ParseShardIteratorType(type), SequenceNumber = sequenceNumber, Timestamp = timestamp };
    }
}

/// <summary>Log messages of SubscribeToShard on the Kinesis API (event ids 1250-1259).</summary>
internal static partial class SubscribeToShardLog
{
    [LoggerMessage(1250, LogLevel.Debug, "Request {RequestId}: subscription of {ConsumerARN} to {ShardId} started ({Protocol}).")]
    public static partial void Started(ILogger logger, string requestId, string consumerArn, string shardId, string protocol);

    [LoggerMessage(1251, LogLevel.Debug, "Request {RequestId}: subscription to {ShardId} ended ({Reason}) after {Events} events, {Bytes} bytes.")]
    public static partial void Ended(ILogger logger, string requestId, string shardId, string reason, long events, long bytes);

    [LoggerMessage(1252, LogLevel.Debug, "Request {RequestId}: subscription to {ShardId} ended with {ErrorType} after {Events} events: {Message}")]
    public static partial void EndedWithException(ILogger logger, string requestId, string shardId, string errorType, string message, long events);

    [LoggerMessage(1254, LogLevel.Trace, "Request {RequestId}: event {Events} sent ({Bytes} bytes so far).")]
    public static partial void EventSent(ILogger logger, string requestId, long events, long bytes);

    [LoggerMessage(1253, LogLevel.Error, "Request {RequestId}: subscription to {ShardId} failed; the stream ends with InternalFailureException.")]
    public static partial void Failed(ILogger logger, string requestId, string shardId, Exception exception);
}
