using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using KafkaKinesisBridge.Firehose.Sink.Buffering;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Diagnostics;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Naming;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace KafkaKinesisBridge.Firehose.Sink.Delivery;

/// <summary>
/// Turns a buffer into an object: names it (prefix, key), compresses it and writes it, retrying with
/// exponential backoff (Polly) for the destination's retry duration. When that runs out, the records
/// go to the ErrorOutputPrefix instead, as JSON lines in the shape of Firehose's error records, and
/// that write is retried for as long as it takes: records are never dropped, and nothing is read
/// while the store is down.
/// </summary>
internal sealed class ObjectWriter
{
    /// <summary>The <c>!{firehose:error-output-type}</c> of records the store did not take within the
    /// retry duration. Firehose's own values name processing stages (processing-failed, ...); S3
    /// delivery has none, so the sink names its own.</summary>
    public const string DeliveryFailedType = "delivery-failed";

    private static readonly ResiliencePropertyKey<long> DeadlineKey = new("kkb.firehose.deadline");
    private static readonly ResiliencePropertyKey<string> KeyKey = new("kkb.firehose.key");

    private readonly SinkDeliveryStream _stream;
    private readonly IObjectStore _store;
    private readonly SinkOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TagList _tags;
    private readonly PrefixEvaluator _prefix;
    private readonly PrefixEvaluator _errorPrefix;
    private readonly TimeZoneInfo _zone;
    private readonly string _extension;
    private readonly ResiliencePipeline _retry;

    public ObjectWriter(SinkDeliveryStream stream, IObjectStore store, SinkOptions options, TimeProvider time, ILogger logger, TagList tags)
    {
        _stream = stream;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _tags = tags;
        var destination = stream.Destination;
        if (!PrefixEvaluator.TryCompile(destination.Prefix, isErrorPrefix: false, out var prefix, out var error)
            || !PrefixEvaluator.TryCompile(destination.ErrorOutputPrefix, isErrorPrefix: true, out var errorPrefix, out error)
            || !PrefixEvaluator.TryFindTimeZone(destination.CustomTimeZone, out var zone))
        {
            throw new ArgumentException(error ?? "Unknown CustomTimeZone.", nameof(stream));
        }

        _prefix = prefix;
        _errorPrefix = errorPrefix;
        _zone = zone;
        _extension = string.IsNullOrEmpty(destination.FileExtension) ? ObjectCompressor.Extension(destination.Compression) : destination.FileExtension;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && e is not OperationCanceledException
                    && _time.GetUtcNow().UtcTicks < args.Context.Properties.GetValue(DeadlineKey, long.MaxValue)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                OnRetry = args =>
                {
                    SinkMetrics.Shared.Retried(_tags);
                    Log.WriteRetry(_logger, _stream.Name, args.Context.Properties.GetValue(KeyKey, string.Empty), args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The key of the object that starts at <paramref name="firstOffset"/> of <paramref name="partition"/>.</summary>
    public string KeyFor(int partition, long firstOffset, long oldestArrivalMs, string? errorOutputType = null)
    {
        var (id, random) = ObjectIdentity.For(_stream.Name, _stream.Source.Topic, partition, firstOffset);
        var arrival = DateTimeOffset.FromUnixTimeMilliseconds(oldestArrivalMs);
        var prefix = errorOutputType is null
            ? _prefix.Evaluate(arrival, _zone, random)
            : _errorPrefix.Evaluate(arrival, _zone, random, errorOutputType);
        return PrefixEvaluator.BuildKey(prefix, _stream.Name, _stream.VersionId, arrival, _zone, id, _extension);
    }

    /// <summary>Writes the buffer durably (to its key, or after the retry duration to the error output).</summary>
    public async ValueTask WriteAsync(RecordBuffer buffer, CancellationToken cancellationToken)
    {
        var key = KeyFor(buffer.Partition, buffer.FirstOffset, buffer.FirstArrivalMs);
        var content = Compress(buffer.Content, key);
        var deadline = _time.GetUtcNow() + _stream.Destination.RetryDuration;
        try
        {
            await PutAsync(key, content, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var errorKey = KeyFor(buffer.Partition, buffer.FirstOffset, buffer.FirstArrivalMs, DeliveryFailedType);
            Log.DeliveryFailed(_logger, _stream.Name, buffer.Count, errorKey, e);
            var errorContent = Compress(ErrorRecords(buffer, e), errorKey);
            await PutAsync(errorKey, errorContent, DateTimeOffset.MaxValue, cancellationToken).ConfigureAwait(false);
            SinkMetrics.Shared.FailedRecords(_tags, buffer.Count);
            return;
        }

        var latency = _time.GetUtcNow().ToUnixTimeMilliseconds() - buffer.OldestArrivalMs;
        SinkMetrics.Shared.Delivered(_tags, buffer.Count, buffer.Length, content.Length, Math.Max(0, latency));
        Log.ObjectWritten(_logger, _stream.Name, key, buffer.Count, content.Length);
    }

    private ReadOnlyMemory<byte> Compress(ReadOnlyMemory<byte> content, string key)
    {
        var name = key[(key.LastIndexOf('/') + 1)..];
        if (name.EndsWith(".zip", StringComparison.Ordinal))
        {
            name = name[..^4];
        }

        return ObjectCompressor.Compress(_stream.Destination.Compression, content, name, _options.CompressionLevel);
    }

    private async ValueTask PutAsync(string key, ReadOnlyMemory<byte> content, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(DeadlineKey, deadline == DateTimeOffset.MaxValue ? long.MaxValue : deadline.UtcTicks);
        context.Properties.Set(KeyKey, key);
        try
        {
            await _retry.ExecuteAsync(
                static async (ctx, state) => await state.Store.PutObjectAsync(state.Bucket, state.Key, state.Content, ctx.CancellationToken).ConfigureAwait(false),
                context,
                (Store: _store, Bucket: _stream.Destination.Bucket, Key: key, Content: content)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Firehose's error record shape (one JSON object per line: attemptsMade, arrivalTimestamp,
    /// errorCode, errorMessage, attemptEndingTimestamp, rawData in base64), one per record.
    /// </summary>
    private ReadOnlyMemory<byte> ErrorRecords(RecordBuffer buffer, Exception exception)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(1024, buffer.Length * 2));
        var ending = _time.GetUtcNow().ToUnixTimeMilliseconds();
        using (var json = new Utf8JsonWriter(output))
        {
            for (var i = 0; i < buffer.Count; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("attemptsMade", 1);
                json.WriteNumber("arrivalTimestamp", buffer.OldestArrivalMs);
                json.WriteString("errorCode", "S3." + exception.GetType().Name);
                json.WriteString("errorMessage", exception.Message);
                json.WriteNumber("attemptEndingTimestamp", ending);
                json.WriteBase64String("rawData", buffer.Record(i));
                json.WriteEndObject();
                json.Flush();
                output.Write("\n"u8);
                json.Reset();
            }
        }

        return output.WrittenMemory;
    }
}
