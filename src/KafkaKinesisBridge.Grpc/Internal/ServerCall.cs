using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// One gRPC call on one HTTP/2 stream: the <see cref="ServerCallContext"/> given to the handler, the
/// response stream writer, and the protocol work around the handler (request framing, status,
/// trailers, deadline). One object per call.
/// </summary>
/// <remarks>
/// <para>Completion is owned exactly once, either by the call (the handler finished or failed) or by
/// the deadline timer, through a compare-and-swap on <see cref="_state"/>. When a deadline exists,
/// <see cref="_writeLock"/> also keeps the deadline's status write from interleaving with a
/// response message being written; without one, no lock is taken.</para>
/// <para>The response is never touched after the handler task ends and this object is disposed,
/// because the middleware awaits both: ASP.NET Core recycles the HttpContext after that.</para>
/// </remarks>
internal sealed class ServerCall<TRequest, TResponse> : ServerCallContext, IServerStreamWriter<TResponse>
    where TRequest : class
    where TResponse : class
{
    private const int Active = 0;
    private const int DeadlineOwned = 1;
    private const int Ended = 2;

    // HTTP/2 error code CANCEL (RFC 9113 section 7), which gRPC PROTOCOL-HTTP2 asks a server to send
    // in RST_STREAM when the deadline expires.
    private const int Http2CancelErrorCode = 0x8;

    // Longest delay a timer accepts (about 49.7 days); a longer grpc-timeout is effectively infinite.
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    private readonly HttpContext _http;
    private readonly GrpcServerRuntime _runtime;
    private readonly string _path;
    private readonly Marshaller<TResponse> _responseMarshaller;

    private Metadata? _requestHeaders;
    private Metadata? _responseHeaders;
    private Metadata? _responseTrailers;
    private string? _peer;

    private bool _requestGzip;
    private bool _clientAcceptsGzip;
    private GrpcCompression _responseCompression;
    private bool _headersSent;
    private int _state;
    private int _writing;

    // Deadline machinery, created only when the request has a grpc-timeout.
    private DateTime _deadline = DateTime.MaxValue;
    private TimeSpan _timeout;
    private CancellationTokenSource? _deadlineCts;
    private ITimer? _deadlineTimer;
    private CancellationTokenRegistration _abortRegistration;
    private SemaphoreSlim? _writeLock;
    private TaskCompletionSource? _deadlineDone;

    public ServerCall(HttpContext httpContext, GrpcServerRuntime runtime, string path, Marshaller<TResponse> responseMarshaller)
    {
        _http = httpContext;
        _runtime = runtime;
        _path = path;
        _responseMarshaller = responseMarshaller;
    }

    public override string Method => _path;

    public override string Host => _http.Request.Host.Value ?? string.Empty;

    public override string Peer => _peer ??= FormatPeer(_http.Connection);

    public override DateTime Deadline => _deadline;

    public override Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    public override Metadata ResponseHeaders => _responseHeaders ??= new Metadata();

    public override Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    public override CancellationToken CancellationToken => _deadlineCts?.Token ?? _http.RequestAborted;

    public override HttpContext HttpContext => _http;

    public override GrpcCompression ResponseCompression
    {
        get => _responseCompression;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown compression.");
            }

            if (value == GrpcCompression.Gzip && !_clientAcceptsGzip)
            {
                // Compress replies only with a codec the client accepts (grpc-accept-encoding).
                return;
            }

            if (_headersSent && value != _responseCompression && value == GrpcCompression.Gzip)
            {
                throw new InvalidOperationException("Compression cannot be turned on after the response headers were sent.");
            }

            _responseCompression = value;
        }
    }

    /// <summary>
    /// Reads the call-level request headers. Returns false when the call was already answered
    /// (unsupported grpc-encoding).
    /// </summary>
    public bool TryStart()
    {
        var requestHeaders = _http.Request.Headers;
        var response = _http.Response;
        response.Headers.ContentType = GrpcProtocol.ContentTypeValue;

        var encoding = requestHeaders[GrpcProtocol.EncodingHeader];
        if (encoding.Count > 0)
        {
            var value = encoding.ToString();
            if (string.Equals(value, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
            {
                _requestGzip = true;
            }
            else if (!string.Equals(value, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase))
            {
                // gRPC compression spec: a message compressed with a codec the server does not
                // support ends the call with UNIMPLEMENTED, and the server lists what it accepts
                // in grpc-accept-encoding. The codec is declared per call, so refuse it up front.
                GrpcServerLog.UnsupportedEncoding(_runtime.Logger, _path, value);
                _state = Ended;
                response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodingsValue;
                WriteStatus(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{value}'. Supported encodings: {GrpcProtocol.SupportedEncodings}", null, null);
                return false;
            }
        }

        _clientAcceptsGzip = GrpcProtocol.ListContains(requestHeaders[GrpcProtocol.AcceptEncodingHeader].ToString(), GrpcProtocol.GzipEncoding);
        _responseCompression = _runtime.ResponseCompression == GrpcCompression.Gzip && _clientAcceptsGzip
            ? GrpcCompression.Gzip
            : GrpcCompression.None;

        // The transport bounds each message itself (MaxReceiveMessageSize, checked from the message
        // header before buffering), so Kestrel's whole-body limit must not cut in first with a
        // non-gRPC error. A unary body is one bounded message; extra data is refused as it arrives.
        var bodySize = _http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            bodySize.MaxRequestBodySize = null;
        }

        // Last: once the deadline timer runs, it may complete the response concurrently.
        var timeout = requestHeaders[GrpcProtocol.TimeoutHeader];
        if (timeout.Count > 0)
        {
            var value = timeout.ToString();
            if (GrpcTimeout.TryParse(value, out var parsed))
            {
                StartDeadline(parsed);
            }
            else
            {
                // gRPC PROTOCOL-HTTP2: without a (valid) Timeout the server assumes an infinite one.
                GrpcServerLog.InvalidTimeout(_runtime.Logger, _path, value);
            }
        }

        return true;
    }

    /// <summary>
    /// Reads the single request message of a unary or server-streaming call: exactly one
    /// Length-Prefixed-Message followed by end of stream.
    /// </summary>
    public async ValueTask<TRequest> ReadRequestAsync(Marshaller<TRequest> marshaller)
    {
        var reader = _http.Request.BodyReader;
        var cancellationToken = CancellationToken;
        TRequest? request = null;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (result.IsCanceled)
                {
                    throw ProtocolStatus.ReadCancelled.ToException();
                }

                if (!buffer.IsEmpty)
                {
                    if (request is not null)
                    {
                        throw ProtocolStatus.AdditionalData.ToException();
                    }

                    if (GrpcFraming.TryReadHeader(buffer, out var flag, out var length))
                    {
                        // Refuse an oversize message from its header alone, before buffering it.
                        if (length > (uint)_runtime.MaxReceiveMessageSize)
                        {
                            throw ProtocolStatus.ReceivedMessageTooLarge.ToException();
                        }

                        if (flag > 1)
                        {
                            throw ProtocolStatus.InvalidCompressedFlag.ToException();
                        }

                        var total = GrpcProtocol.MessageHeaderSize + (long)length;
                        if (buffer.Length >= total)
                        {
                            var payload = buffer.Slice(GrpcProtocol.MessageHeaderSize, length);
                            request = ParseMessage(marshaller, flag, payload);
                            consumed = payload.End;
                            examined = payload.End;
                            if (buffer.Length > total)
                            {
                                throw ProtocolStatus.AdditionalData.ToException();
                            }
                        }
                    }
                }

                if (result.IsCompleted)
                {
                    if (request is not null)
                    {
                        return request;
                    }

                    throw (buffer.IsEmpty ? ProtocolStatus.NoMessage : ProtocolStatus.IncompleteMessage).ToException();
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>Ends a unary call with its response message and status OK.</summary>
    public void CompleteWithResponse(TResponse response)
    {
        if (response is null)
        {
            CompleteWithError(new InvalidOperationException("The unary handler returned a null response."));
            return;
        }

        if (!TryEnd())
        {
            return;
        }

        try
        {
            WriteMessage(response);
        }
        catch (Exception ex)
        {
            WriteError(ex);
            return;
        }

        WriteStatus(StatusCode.OK, string.Empty, null, null);
    }

    /// <summary>Ends a server-streaming call with status OK.</summary>
    public void CompleteWithOk()
    {
        if (TryEnd())
        {
            WriteStatus(StatusCode.OK, string.Empty, null, null);
        }
    }

    /// <summary>Ends the call with the status an exception stands for.</summary>
    public void CompleteWithError(Exception exception)
    {
        if (TryEnd())
        {
            WriteError(exception);
        }
    }

    public async Task WriteAsync(TResponse message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Exchange(ref _writing, 1) != 0)
        {
            throw new InvalidOperationException("A write is already in progress: await each WriteAsync before starting the next.");
        }

        try
        {
            var callToken = CancellationToken;
            callToken.ThrowIfCancellationRequested();
            cancellationToken.ThrowIfCancellationRequested();
            if (_writeLock is not null)
            {
                await _writeLock.WaitAsync(callToken);
            }

            try
            {
                ThrowIfNotActive();
                WriteMessage(message);
                FlushResult flush;
                if (cancellationToken.CanBeCanceled && cancellationToken != callToken)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken);
                    flush = await _http.Response.BodyWriter.FlushAsync(linked.Token);
                }
                else
                {
                    flush = await _http.Response.BodyWriter.FlushAsync(callToken);
                }

                if (flush.IsCanceled)
                {
                    throw new OperationCanceledException("The write was cancelled.", callToken);
                }
            }
            finally
            {
                _writeLock?.Release();
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public override async Task WriteResponseHeadersAsync()
    {
        var callToken = CancellationToken;
        if (_writeLock is not null)
        {
            await _writeLock.WaitAsync(callToken);
        }

        try
        {
            ThrowIfNotActive();
            if (_headersSent || _http.Response.HasStarted)
            {
                throw new InvalidOperationException("The response headers were already sent.");
            }

            CommitHeaders();
            await _http.Response.BodyWriter.FlushAsync(callToken);
        }
        finally
        {
            _writeLock?.Release();
        }
    }

    /// <summary>Releases the deadline machinery, first letting a running deadline completion finish.</summary>
    public ValueTask DisposeAsync() => _writeLock is null ? default : DisposeDeadlineAsync();

    private async ValueTask DisposeDeadlineAsync()
    {
        _deadlineTimer?.Dispose();

        // If the timer has not fired yet, it never will do anything now; if it did, wait for its
        // status write so the response is not touched after the request ends.
        if (Interlocked.CompareExchange(ref _state, Ended, Active) == DeadlineOwned)
        {
            await _deadlineDone!.Task;
        }

        await _abortRegistration.DisposeAsync();
        _deadlineCts!.Dispose();
        _writeLock!.Dispose();
    }

    private void StartDeadline(TimeSpan timeout)
    {
        _timeout = timeout;
        var now = _runtime.TimeProvider.GetUtcNow().UtcDateTime;
        _deadline = timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
        _writeLock = new SemaphoreSlim(1, 1);
        _deadlineDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The handler's token: cancelled by the deadline and by a client abort. The deadline
        // completes the response itself and then resets the stream, so Kestrel's RequestAborted
        // does not fire for it; both sources therefore feed one token source.
        _deadlineCts = new CancellationTokenSource();
        _abortRegistration = _http.RequestAborted.UnsafeRegister(static state => ((ServerCall<TRequest, TResponse>)state!).OnAborted(), this);
        if (timeout <= MaxTimerDelay)
        {
            _deadlineTimer = _runtime.TimeProvider.CreateTimer(
                static state => ((ServerCall<TRequest, TResponse>)state!).OnDeadline(),
                this,
                timeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    private void OnAborted()
    {
        try
        {
            _deadlineCts!.Cancel();
        }
        catch (AggregateException)
        {
            // A handler's cancellation callback threw; the handler sees cancellation regardless.
        }
    }

    private void OnDeadline()
    {
        if (Interlocked.CompareExchange(ref _state, DeadlineOwned, Active) != Active)
        {
            return;
        }

        _ = DeadlineExceededAsync();
    }

    private async Task DeadlineExceededAsync()
    {
        try
        {
            GrpcServerLog.DeadlineExceeded(_runtime.Logger, _path, _timeout);

            // Cancel first: the handler stops, and a response write blocked on flow control
            // returns and releases the write lock.
            OnAborted();
            await _writeLock!.WaitAsync();
            try
            {
                if (!_http.RequestAborted.IsCancellationRequested)
                {
                    // gRPC PROTOCOL-HTTP2, "Client Cancellation": when the server detects the
                    // deadline has expired it cancels the RPC locally and sends RST_STREAM with
                    // CANCEL. The status goes first so clients that read it see DEADLINE_EXCEEDED.
                    WriteStatus(ProtocolStatus.DeadlineExceeded.Code, ProtocolStatus.DeadlineExceeded.Detail, null, null);
                    await _http.Response.CompleteAsync();
                    var reset = _http.Features.Get<IHttpResetFeature>();
                    if (reset is not null)
                    {
                        reset.Reset(Http2CancelErrorCode);
                    }
                    else
                    {
                        _http.Abort();
                    }
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex)
        {
            GrpcServerLog.DeadlineCompletionFailed(_runtime.Logger, _path, ex);
        }
        finally
        {
            _deadlineDone!.TrySetResult();
        }
    }

    private bool TryEnd() => Interlocked.CompareExchange(ref _state, Ended, Active) == Active;

    private void ThrowIfNotActive()
    {
        if (Volatile.Read(ref _state) != Active)
        {
            CancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("The call is complete; no more responses can be written.");
        }
    }

    private TRequest ParseMessage(Marshaller<TRequest> marshaller, byte flag, in ReadOnlySequence<byte> payload)
    {
        if (flag == 0)
        {
            return Deserialize(marshaller, payload);
        }

        // gRPC PROTOCOL-HTTP2: "If the Message-Encoding header is omitted then the
        // Compressed-Flag must be 0."
        if (!_requestGzip)
        {
            throw ProtocolStatus.CompressedWithoutEncoding.ToException();
        }

        using var decompressed = new PooledBufferWriter((int)Math.Min(payload.Length * 4, Math.Min(_runtime.MaxReceiveMessageSize, 1024 * 1024)) + 1);
        switch (GzipCodec.Decompress(payload, _runtime.MaxReceiveMessageSize, decompressed))
        {
            case DecompressResult.TooLarge:
                throw ProtocolStatus.ReceivedMessageTooLarge.ToException();
            case DecompressResult.Invalid:
                throw ProtocolStatus.DecompressionFailed.ToException();
        }

        // The marshaller copies what it keeps (see Marshaller<T>), so the buffer can go after this.
        return Deserialize(marshaller, new ReadOnlySequence<byte>(decompressed.WrittenMemory));
    }

    private TRequest Deserialize(Marshaller<TRequest> marshaller, in ReadOnlySequence<byte> payload)
    {
        try
        {
            return marshaller.Deserialize(payload) ?? throw ProtocolStatus.DeserializationFailed.ToException();
        }
        catch (GrpcStatusException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // grpc-dotnet answers any deserializer failure with INTERNAL; the cause stays in the log.
            GrpcServerLog.DeserializationFailed(_runtime.Logger, _path, ex);
            throw ProtocolStatus.DeserializationFailed.ToException();
        }
    }

    /// <summary>Writes one Length-Prefixed-Message into the response pipe (not flushed).</summary>
    private void WriteMessage(TResponse message)
    {
        var size = _responseMarshaller.CalculateSize(message);
        if (size > _runtime.MaxSendMessageSize)
        {
            throw ProtocolStatus.SendMessageTooLarge.ToException();
        }

        CommitHeaders();
        var writer = _http.Response.BodyWriter;
        if (_responseCompression == GrpcCompression.Gzip)
        {
            WriteCompressed(writer, message, size);
            return;
        }

        GrpcFraming.WriteHeader(writer.GetSpan(GrpcProtocol.MessageHeaderSize), compressed: false, size);
        writer.Advance(GrpcProtocol.MessageHeaderSize);
        _responseMarshaller.Serialize(message, writer);
    }

    private void WriteCompressed(PipeWriter writer, TResponse message, int size)
    {
        using var raw = new PooledBufferWriter(size);
        _responseMarshaller.Serialize(message, raw);
        using var compressed = new PooledBufferWriter((size / 2) + 64);
        GzipCodec.Compress(raw.WrittenSpan, compressed, _runtime.ResponseCompressionLevel);
        GrpcFraming.WriteHeader(writer.GetSpan(GrpcProtocol.MessageHeaderSize), compressed: true, compressed.WrittenCount);
        writer.Advance(GrpcProtocol.MessageHeaderSize);
        writer.Write(compressed.WrittenSpan);
    }

    /// <summary>Puts grpc-encoding and the handler's response headers in place before the first byte is written.</summary>
    private void CommitHeaders()
    {
        if (_headersSent)
        {
            return;
        }

        _headersSent = true;
        var headers = _http.Response.Headers;
        if (_responseCompression == GrpcCompression.Gzip)
        {
            headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipEncodingValue;
        }

        AppendMetadata(headers, _responseHeaders);
    }

    private void WriteError(Exception exception)
    {
        if (_http.RequestAborted.IsCancellationRequested)
        {
            // The client reset the stream or the connection dropped: nobody to tell.
            GrpcServerLog.CallCancelled(_runtime.Logger, _path);
            return;
        }

        if (exception is GrpcStatusException status)
        {
            GrpcServerLog.CallFailed(_runtime.Logger, _path, status.StatusCode, status.Detail);
            WriteStatus(status.StatusCode, status.Detail, status.Details, status.TrailersOrNull);
            return;
        }

        // Anything else is a bug or an unhandled fault: log it in full, tell the client only that
        // the call failed (no stack traces or exception text unless detailed errors are on).
        GrpcServerLog.HandlerException(_runtime.Logger, _path, exception);
        var detail = _runtime.EnableDetailedErrors
            ? $"{ProtocolStatus.HandlerException.Detail} {exception.GetType().Name}: {exception.Message}"
            : ProtocolStatus.HandlerException.Detail;
        WriteStatus(ProtocolStatus.HandlerException.Code, detail, null, null);
    }

    /// <summary>
    /// Writes the status. If no response header was sent yet, the status goes in the response
    /// headers, which Kestrel then sends as the only HEADERS frame with END_STREAM (gRPC
    /// PROTOCOL-HTTP2, Trailers-Only); otherwise it goes in the trailers.
    /// </summary>
    private void WriteStatus(StatusCode code, string detail, Google.Rpc.Status? details, Metadata? extraTrailers)
    {
        var response = _http.Response;
        IHeaderDictionary destination;
        if (!_headersSent && !response.HasStarted)
        {
            destination = response.Headers;
            AppendMetadata(destination, _responseHeaders);
        }
        else
        {
            var trailers = _http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
            if (trailers is null || trailers.IsReadOnly)
            {
                return;
            }

            destination = trailers;
        }

        destination[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(code);
        if (detail.Length > 0)
        {
            destination[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(detail);
        }

        if (details is not null)
        {
            destination[GrpcProtocol.StatusDetailsHeader] = BinaryHeader.Encode(details.ToByteArray());
        }

        AppendMetadata(destination, _responseTrailers);
        AppendMetadata(destination, extraTrailers);
    }

    private void AppendMetadata(IHeaderDictionary destination, Metadata? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var entry in metadata)
        {
            if (IsReservedResponseKey(entry.Key))
            {
                GrpcServerLog.ReservedMetadataSkipped(_runtime.Logger, _path, entry.Key);
                continue;
            }

            destination.Append(entry.Key, entry.WireValue);
        }
    }

    private static bool IsReservedResponseKey(string key) => key switch
    {
        GrpcProtocol.StatusHeader or GrpcProtocol.MessageHeader or GrpcProtocol.StatusDetailsHeader
            or GrpcProtocol.EncodingHeader or GrpcProtocol.AcceptEncodingHeader or "content-type" or "te" => true,
        _ => false,
    };

    private static bool IsTransportRequestHeader(string key) =>
        key.StartsWith(':')
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.TimeoutHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.EncodingHeader, StringComparison.OrdinalIgnoreCase)
        || key.Equals(GrpcProtocol.AcceptEncodingHeader, StringComparison.OrdinalIgnoreCase);

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        List<byte[]>? decoded = null;
        foreach (var (key, values) in _http.Request.Headers)
        {
            if (IsTransportRequestHeader(key))
            {
                continue;
            }

            var binary = key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.OrdinalIgnoreCase);
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                try
                {
                    if (!binary)
                    {
                        metadata.Add(key, value);
                        continue;
                    }

                    (decoded ??= []).Clear();
                    if (!BinaryHeader.TryDecodeAll(value, decoded))
                    {
                        GrpcServerLog.InvalidBinaryHeader(_runtime.Logger, _path, key);
                        continue;
                    }

                    foreach (var bytes in decoded)
                    {
                        metadata.Add(key, bytes);
                    }
                }
                catch (ArgumentException)
                {
                    // A valid HTTP field that is not valid gRPC metadata (gRPC PROTOCOL-HTTP2 lets
                    // implementations throw such values away rather than fail the call).
                }
            }
        }

        return metadata;
    }

    private static string FormatPeer(ConnectionInfo connection)
    {
        // gRPC naming (doc/naming.md): ipv4:address:port, ipv6:[address]:port.
        var address = connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => $"ipv4:{address}:{connection.RemotePort}",
            AddressFamily.InterNetworkV6 when address.IsIPv4MappedToIPv6 => $"ipv4:{address.MapToIPv4()}:{connection.RemotePort}",
            AddressFamily.InterNetworkV6 => $"ipv6:[{address}]:{connection.RemotePort}",
            _ => $"unknown:{address}:{connection.RemotePort}",
        };
    }
}
