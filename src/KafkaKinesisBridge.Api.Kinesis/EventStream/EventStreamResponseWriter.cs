using System.Buffers;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Kinesis.EventStream;

/// <summary>
/// Writes an HTTP response as an AWS event stream (<c>application/vnd.amazon.eventstream</c>), the
/// way Kinesis answers SubscribeToShard: HTTP 200, then an <c>initial-response</c> event, then one
/// message per event, each flushed on its own so it reaches the client at once.
/// </summary>
/// <remarks>
/// <para>Message headers follow the Smithy event stream specification for RPC protocols and what the
/// SDKs decode (botocore <c>EventStreamJSONParser</c>, @smithy/core <c>EventStreamSerde</c>, the AWS
/// SDK for Java's <c>SubscribeToShardUnmarshallingTest</c>): an event carries
/// <c>:message-type event</c> and <c>:event-type</c> (the union member, or <c>initial-response</c>),
/// a modeled error <c>:message-type exception</c> and <c>:exception-type</c> with a
/// <c>{"message"}</c> document. <c>:content-type</c> names the payload encoding, which is the
/// request's (JSON 1.1 or CBOR 1.1, as the AWS SDK for Java sends CBOR).</para>
/// <para>Over HTTP/2 every flush goes out as DATA frames; over HTTP/1.1 Kestrel frames the body with
/// chunked transfer coding (no Content-Length), one chunk per flush, which botocore reads chunk by
/// chunk (urllib3 <c>read_chunked</c>). Writes are never concurrent: one event at a time.</para>
/// <para>A payload is encoded into a pooled buffer first (the message prelude carries its length),
/// then framed straight into Kestrel's pipe; the buffer is returned after each event, so an idle
/// subscription holds no payload memory.</para>
/// </remarks>
internal sealed class EventStreamResponseWriter : IDisposable
{
    /// <summary>The media type of an event stream body.</summary>
    public const string ContentType = "application/vnd.amazon.eventstream";

    /// <summary>The <c>:event-type</c> of the first event, carrying the operation's non-stream output members.</summary>
    public const string InitialResponse = "initial-response";

    private static readonly EventStreamHeaderValue EventMessage = EventStreamHeaderValue.FromString("event");
    private static readonly EventStreamHeaderValue ExceptionMessage = EventStreamHeaderValue.FromString("exception");
    private static readonly EventStreamHeaderValue JsonPayload = EventStreamHeaderValue.FromString(KinesisContentTypes.Json);
    private static readonly EventStreamHeaderValue CborPayload = EventStreamHeaderValue.FromString(KinesisContentTypes.Cbor);

    private readonly HttpResponse _response;
    private readonly KinesisWireFormat _format;
    private readonly EventStreamHeaderValue _contentType;
    private readonly PooledPayloadBuffer _payload = new();
    private readonly Dictionary<string, EventStreamHeader[]> _eventHeaders = new(StringComparer.Ordinal);
    private KinesisDocumentWriter? _current;

    public EventStreamResponseWriter(HttpResponse response, KinesisWireFormat format)
    {
        ArgumentNullException.ThrowIfNull(response);
        _response = response;
        _format = format;
        _contentType = format == KinesisWireFormat.Cbor ? CborPayload : JsonPayload;
    }

    /// <summary>True once the HTTP response (status and headers) has been sent.</summary>
    public bool HasStarted => _response.HasStarted;

    /// <summary>Bytes of event stream messages written so far (for metrics and tests).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Sends the HTTP 200 head and the <c>initial-response</c> event, whose payload is the output
    /// structure without its event stream member: an empty document for SubscribeToShard.
    /// </summary>
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = ContentType;

        // Proxies must not buffer or transform a stream of small messages.
        _response.Headers.CacheControl = "no-cache";
        var writer = BeginEvent();
        writer.WriteStartObject();
        writer.WriteEndObject();
        return WriteEventAsync(InitialResponse, cancellationToken);
    }

    /// <summary>
    /// A document writer for the payload of the next event, in the request's encoding. Write one
    /// document, then call <see cref="WriteEventAsync"/>; the writer is disposed there.
    /// </summary>
    public KinesisDocumentWriter BeginEvent()
    {
        _current?.Dispose();
        _payload.Reset();
        _current = new KinesisDocumentWriter(_format, _payload);
        return _current;
    }

    /// <summary>Frames the payload written since <see cref="BeginEvent"/> as an event of <paramref name="eventType"/> and flushes it.</summary>
    public ValueTask WriteEventAsync(string eventType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        CompletePayload();
        if (!_eventHeaders.TryGetValue(eventType, out var headers))
        {
            headers =
            [
                new(":event-type", EventStreamHeaderValue.FromString(eventType)),
                new(":content-type", _contentType),
                new(":message-type", EventMessage),
            ];
            _eventHeaders[eventType] = headers;
        }

        return WriteMessageAsync(headers, cancellationToken);
    }

    /// <summary>
    /// Sends a modeled error as an exception event (<c>:message-type exception</c>), the way Kinesis
    /// ends a subscription that fails after it started (ResourceInUseException when another
    /// subscription takes over, InternalFailureException, ...). The stream should end after it.
    /// </summary>
    public ValueTask WriteExceptionAsync(string exceptionType, string? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        var writer = BeginEvent();
        writer.WriteStartObject();
        if (message is not null)
        {
            writer.WriteString("message"u8, message);
        }

        writer.WriteEndObject();
        CompletePayload();
        EventStreamHeader[] headers =
        [
            new(":exception-type", EventStreamHeaderValue.FromString(exceptionType)),
            new(":content-type", _contentType),
            new(":message-type", ExceptionMessage),
        ];
        return WriteMessageAsync(headers, cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
        _payload.Dispose();
    }

    private void CompletePayload()
    {
        if (_current is null)
        {
            throw new InvalidOperationException("Call BeginEvent and write the payload before writing the event.");
        }

        _current.Flush();
        _current.Dispose();
        _current = null;
    }

    private async ValueTask WriteMessageAsync(EventStreamHeader[] headers, CancellationToken cancellationToken)
    {
        var body = _response.BodyWriter;
        var length = EventStreamCodec.GetEncodedLength(headers, _payload.WrittenCount);
        EventStreamCodec.Encode(body, headers, _payload.WrittenSpan);
        _payload.Reset();
        BytesWritten += length;

        // One flush per message: the client sees each event as soon as it is framed (and Kestrel's
        // flush applies the client's flow control, so a slow reader slows this subscription only).
        var flushed = await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flushed.IsCanceled)
        {
            throw new OperationCanceledException("The event stream flush was cancelled.", cancellationToken);
        }
    }

    /// <summary>A growable buffer over <see cref="ArrayPool{T}.Shared"/>, returned on every reset.</summary>
    private sealed class PooledPayloadBuffer : IBufferWriter<byte>, IDisposable
    {
        private byte[] _buffer = [];
        private int _written;

        public int WrittenCount => _written;

        public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

        public void Advance(int count)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            if (_written + count > _buffer.Length)
            {
                throw new InvalidOperationException("Advanced past the buffer.");
            }

            _written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_written);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_written);
        }

        public void Reset()
        {
            _written = 0;
            Release();
        }

        public void Dispose() => Reset();

        private void Ensure(int sizeHint)
        {
            var needed = _written + Math.Max(sizeHint, 256);
            if (needed <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, _buffer.Length * 2)));
            _buffer.AsSpan(0, _written).CopyTo(larger);
            Release();
            _buffer = larger;
        }

        private void Release()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }
    }
}
