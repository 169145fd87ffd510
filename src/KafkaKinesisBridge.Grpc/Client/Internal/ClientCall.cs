using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc.Client.Internal;

/// <summary>
/// One client call: sends the request, reads Length-Prefixed-Messages from the response body and
/// the status from the trailers (or from the headers of a Trailers-Only response).
/// </summary>
internal sealed class ClientCall<TResponse> : IDisposable
    where TResponse : class
{
    // HTTP/2 error codes (RFC 9113 section 7) mapped to gRPC status per gRPC PROTOCOL-HTTP2, "Errors".
    private const long Http2RefusedStream = 0x7;
    private const long Http2Cancel = 0x8;
    private const long Http2EnhanceYourCalm = 0xb;

    private readonly GrpcClient _client;
    private readonly Marshaller<TResponse> _marshaller;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource? _cts;
    private readonly byte[] _header = new byte[GrpcProtocol.MessageHeaderSize];

    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private bool _responseGzip;
    private bool _trailersOnly;
    private bool _cancelledByCaller;
    private string? _statusDetail;
    private Google.Rpc.Status? _statusDetails;

    public ClientCall(GrpcClient client, Marshaller<TResponse> marshaller, CallOptions options, bool alwaysOwnCancellation)
    {
        _client = client;
        _marshaller = marshaller;
        _callerToken = options.CancellationToken;
        if (options.Timeout is not null || alwaysOwnCancellation)
        {
            _cts = _callerToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(_callerToken)
                : new CancellationTokenSource();
            if (options.Timeout is { } timeout)
            {
                _cts.CancelAfter(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
            }
        }

        Token = _cts?.Token ?? _callerToken;
    }

    public CancellationToken Token { get; }

    /// <summary>The status, once known (end of stream or Trailers-Only).</summary>
    public StatusCode? Status { get; private set; }

    public async Task StartAsync<TRequest>(string path, Marshaller<TRequest> marshaller, TRequest message, CallOptions options)
        where TRequest : class
    {
        var clientOptions = _client.Options;
        var compression = options.RequestCompression ?? clientOptions.RequestCompression;
        var content = GrpcRequestContent.Create(marshaller, message, compression, clientOptions);
        var request = new HttpRequestMessage(HttpMethod.Post, _client.GetUri(path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        _request = request;

        // Call-Definition headers (gRPC PROTOCOL-HTTP2): te, grpc-timeout, content-type (on the
        // content), grpc-encoding, grpc-accept-encoding, user-agent; then custom metadata.
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        if (options.Timeout is { } timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(timeout));
        }

        if (compression == GrpcCompression.Gzip)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.GzipEncoding);
        }

        if (clientOptions.AcceptCompressedResponses)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        }

        headers.TryAddWithoutValidation("user-agent", clientOptions.UserAgent);
        if (options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, entry.WireValue);
            }
        }

        var response = await _client.Invoker.SendAsync(request, Token);
        _response = response;

        // gRPC PROTOCOL-HTTP2: implementations must synthesize a status for a non-200 response or a
        // non-gRPC content-type ("broken deployments").
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new GrpcCallException(StatusFromHttp(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}.", BuildMetadata(response.Headers));
        }

        if (TryGetHeader(response.Headers, GrpcProtocol.StatusHeader, out _))
        {
            // Trailers-Only: the status is in the only HEADERS frame.
            _trailersOnly = true;
            ReadStatus(response.Headers);
            ThrowIfStatusNotOk();
            return;
        }

        if (!TryGetHeader(response.Content.Headers, "content-type", out var contentType)
            || GrpcProtocol.ClassifyContentType(contentType) == GrpcContentType.NotGrpc)
        {
            throw new GrpcCallException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'.");
        }

        _responseGzip = TryGetHeader(response.Headers, GrpcProtocol.EncodingHeader, out var encoding)
            && string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);
        _body = await response.Content.ReadAsStreamAsync(Token);
    }

    /// <summary>Reads the next message, or null at the end of the stream (the status is then read).</summary>
    public async ValueTask<TResponse?> ReadMessageAsync()
    {
        if (_trailersOnly || Status is not null)
        {
            return null;
        }

        var body = _body!;
        var read = await body.ReadAtLeastAsync(_header, GrpcProtocol.MessageHeaderSize, throwOnEndOfStream: false, Token);
        if (read == 0)
        {
            ReadStatus(_response!.TrailingHeaders);
            return null;
        }

        if (read < GrpcProtocol.MessageHeaderSize)
        {
            throw new GrpcCallException(StatusCode.Internal, "Incomplete message header in the response.");
        }

        GrpcFraming.ReadHeader(_header, out var flag, out var length);
        var maxReceive = _client.Options.MaxReceiveMessageSize;
        if (length > (uint)maxReceive)
        {
            throw new GrpcCallException(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
        }

        var size = (int)length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            await body.ReadExactlyAsync(buffer.AsMemory(0, size), Token);
            if (flag == 0)
            {
                return Deserialize(new ReadOnlySequence<byte>(buffer, 0, size));
            }

            if (flag != 1 || !_responseGzip)
            {
                throw new GrpcCallException(StatusCode.Internal, "Compressed response message without grpc-encoding: gzip.");
            }

            using var decompressed = new PooledBufferWriter(Math.Min(size * 4, maxReceive) + 1);
            return GzipCodec.Decompress(new ReadOnlySequence<byte>(buffer, 0, size), maxReceive, decompressed) switch
            {
                DecompressResult.Ok => Deserialize(new ReadOnlySequence<byte>(decompressed.WrittenMemory)),
                DecompressResult.TooLarge => throw new GrpcCallException(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size."),
                _ => throw new GrpcCallException(StatusCode.Internal, "Failed to decompress the response message."),
            };
        }
        catch (EndOfStreamException ex)
        {
            throw new GrpcCallException(StatusCode.Internal, "Incomplete message in the response.", innerException: ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses one response message; the payload is valid only during the call (see <see cref="Marshaller{T}"/>).</summary>
    private TResponse Deserialize(in ReadOnlySequence<byte> payload)
    {
        try
        {
            return _marshaller.Deserialize(payload);
        }
        catch (Exception ex) when (ex is not GrpcCallException and not OutOfMemoryException)
        {
            throw new GrpcCallException(StatusCode.Internal, "Failed to deserialize the response message.", innerException: ex);
        }
    }

    /// <summary>Throws the call's status as a <see cref="GrpcCallException"/> unless it is OK.</summary>
    public void ThrowIfStatusNotOk()
    {
        if (Status is { } status && status != StatusCode.OK)
        {
            throw new GrpcCallException(status, _statusDetail ?? string.Empty, GetTrailers(), _statusDetails);
        }
    }

    public Metadata GetResponseHeaders() =>
        _response is null || _trailersOnly ? new Metadata() : BuildMetadata(_response.Headers);

    public Metadata GetTrailers() =>
        _response is null ? new Metadata() : BuildMetadata(_trailersOnly ? _response.Headers : _response.TrailingHeaders);

    /// <summary>Cancels the call on behalf of the caller (a read's cancellation token fired).</summary>
    public void CancelByCaller()
    {
        _cancelledByCaller = true;
        try
        {
            _cts?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Turns a failure into the <see cref="GrpcCallException"/> the caller sees.</summary>
    public Exception MapException(Exception exception)
    {
        if (exception is GrpcCallException)
        {
            return exception;
        }

        if (_callerToken.IsCancellationRequested || _cancelledByCaller)
        {
            return new GrpcCallException(StatusCode.Cancelled, "Call canceled by the client.", innerException: exception);
        }

        if (_cts is { IsCancellationRequested: true })
        {
            return new GrpcCallException(StatusCode.DeadlineExceeded, "Deadline Exceeded", innerException: exception);
        }

        if (exception is HttpProtocolException protocol)
        {
            var code = protocol.ErrorCode switch
            {
                Http2Cancel => StatusCode.Cancelled,
                Http2RefusedStream => StatusCode.Unavailable,
                Http2EnhanceYourCalm => StatusCode.ResourceExhausted,
                _ => StatusCode.Internal,
            };
            return new GrpcCallException(code, $"HTTP/2 stream reset by the server (error code {protocol.ErrorCode}).", innerException: exception);
        }

        if (exception is HttpRequestException or IOException)
        {
            return new GrpcCallException(StatusCode.Unavailable, "Error connecting to or reading from the server: " + exception.Message, innerException: exception);
        }

        if (exception is OperationCanceledException)
        {
            return new GrpcCallException(StatusCode.Cancelled, "Call canceled.", innerException: exception);
        }

        return new GrpcCallException(StatusCode.Internal, "Error in the gRPC call: " + exception.Message, innerException: exception);
    }

    public void Dispose()
    {
        // Disposing a response whose body was not read to its end resets the HTTP/2 stream
        // (RST_STREAM CANCEL), which is how a client cancels a call.
        _response?.Dispose();
        _request?.Dispose();
        _cts?.Dispose();
    }

    private void ReadStatus(HttpHeaders headers)
    {
        if (!TryGetHeader(headers, GrpcProtocol.StatusHeader, out var statusText)
            || !int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            Status = StatusCode.Internal;
            _statusDetail = statusText is null ? "No grpc-status found on the response." : $"Invalid grpc-status '{statusText}'.";
            return;
        }

        Status = (StatusCode)code;
        _statusDetail = TryGetHeader(headers, GrpcProtocol.MessageHeader, out var message) ? PercentEncoding.Decode(message) : string.Empty;
        if (TryGetHeader(headers, GrpcProtocol.StatusDetailsHeader, out var details) && BinaryHeader.TryDecode(details, out var bytes))
        {
            try
            {
                _statusDetails = Google.Rpc.Status.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                // Malformed details do not hide the status itself.
            }
        }
    }

    private static bool TryGetHeader(HttpHeaders headers, string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        if (headers.NonValidated.TryGetValues(name, out var values) && values.Count > 0)
        {
            value = values.ToString();
            return true;
        }

        value = null;
        return false;
    }

    private static Metadata BuildMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        List<byte[]>? decoded = null;
        foreach (var (name, values) in headers.NonValidated)
        {
            var key = name.ToLowerInvariant();
            if (IsTransportResponseHeader(key))
            {
                continue;
            }

            var binary = key.EndsWith(Metadata.BinaryHeaderSuffix, StringComparison.Ordinal);
            foreach (var value in values)
            {
                try
                {
                    if (!binary)
                    {
                        metadata.Add(key, value);
                        continue;
                    }

                    (decoded ??= []).Clear();
                    if (BinaryHeader.TryDecodeAll(value, decoded))
                    {
                        foreach (var bytes in decoded)
                        {
                            metadata.Add(key, bytes);
                        }
                    }
                }
                catch (ArgumentException)
                {
                    // An HTTP field that is not valid gRPC metadata: left out.
                }
            }
        }

        return metadata;
    }

    private static bool IsTransportResponseHeader(string key) => key switch
    {
        GrpcProtocol.StatusHeader or GrpcProtocol.MessageHeader or GrpcProtocol.StatusDetailsHeader
            or GrpcProtocol.EncodingHeader or GrpcProtocol.AcceptEncodingHeader
            or "content-type" or "content-length" or "date" or "server" or "te" => true,
        _ => key.StartsWith(':'),
    };

    private static StatusCode StatusFromHttp(HttpStatusCode status) => status switch
    {
        // gRPC doc/http-grpc-status-mapping.md.
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
