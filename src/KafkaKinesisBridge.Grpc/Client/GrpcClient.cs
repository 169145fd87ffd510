using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using KafkaKinesisBridge.Grpc.Client.Internal;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc.Client;

/// <summary>
/// A minimal gRPC client over <see cref="HttpMessageInvoker"/> speaking HTTP/2 with prior
/// knowledge (h2c) to an <c>http://</c> address, or HTTP/2 over TLS to <c>https://</c>. Thread-safe;
/// create one per server and share it: it reuses one handler and its connections.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private readonly HttpMessageInvoker _invoker;
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    /// <summary>Creates a client with its own <see cref="SocketsHttpHandler"/> (see <see cref="CreateHandler"/>).</summary>
    public GrpcClient(Uri address, GrpcClientOptions? options = null)
        : this(address, CreateHandler(options ?? new GrpcClientOptions()), options, disposeHandler: true)
    {
    }

    /// <summary>Creates a client over an existing handler.</summary>
    /// <param name="address">The server, for example http://127.0.0.1:4567.</param>
    /// <param name="handler">The HTTP handler; it must support HTTP/2.</param>
    /// <param name="options">Client settings.</param>
    /// <param name="disposeHandler">Whether disposing the client disposes <paramref name="handler"/>.</param>
    public GrpcClient(Uri address, HttpMessageHandler handler, GrpcClientOptions? options = null, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(handler);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The address must be an absolute http:// or https:// URI.", nameof(address));
        }

        Options = options ?? new GrpcClientOptions();
        Options.Validate();
        Address = address;
        _invoker = new HttpMessageInvoker(handler, disposeHandler);
    }

    /// <summary>The server address.</summary>
    public Uri Address { get; }

    /// <summary>The client settings.</summary>
    public GrpcClientOptions Options { get; }

    /// <summary>
    /// A handler suited to gRPC: no proxy, cookies, redirects or automatic decompression, and
    /// (by default) more than one HTTP/2 connection when the server's stream limit is reached.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(GrpcClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>Makes a unary call and returns the response message.</summary>
    /// <exception cref="GrpcCallException">The call ended with a status other than OK.</exception>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class
        where TResponse : class
    {
        var (response, _, _) = await UnaryCoreAsync(method, request, options, captureMetadata: false);
        return response;
    }

    /// <summary>Makes a unary call and returns the response message with the response headers and trailers.</summary>
    /// <exception cref="GrpcCallException">The call ended with a status other than OK.</exception>
    public async Task<GrpcUnaryResult<TResponse>> UnaryCallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class
        where TResponse : class
    {
        var (response, headers, trailers) = await UnaryCoreAsync(method, request, options, captureMetadata: true);
        return new GrpcUnaryResult<TResponse>(response, headers!, trailers!);
    }

    /// <summary>
    /// Starts a server-streaming call and returns once the response headers arrived. Read the
    /// messages with <see cref="GrpcServerStreamingCall{TResponse}.ReadAllAsync"/>; dispose the
    /// call to release it (cancelling it if still running).
    /// </summary>
    /// <exception cref="GrpcCallException">The call failed before any message (for example Trailers-Only with an error).</exception>
    public async Task<GrpcServerStreamingCall<TResponse>> ServerStreamingAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var call = new ClientCall<TResponse>(this, method.ResponseMarshaller, options, alwaysOwnCancellation: true);
        try
        {
            await call.StartAsync(method.FullName, method.RequestMarshaller, request, options);
            return new GrpcServerStreamingCall<TResponse>(call);
        }
        catch (Exception ex)
        {
            var mapped = call.MapException(ex);
            call.Dispose();
            if (ReferenceEquals(mapped, ex))
            {
                throw;
            }

            throw mapped;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _invoker.Dispose();

    internal HttpMessageInvoker Invoker => _invoker;

    internal Uri GetUri(string path) => _uris.GetOrAdd(path, static (p, address) => new Uri(address, p), Address);

    private async Task<(TResponse Response, Metadata? Headers, Metadata? Trailers)> UnaryCoreAsync<TRequest, TResponse>(
        Method<TRequest, TResponse> method, TRequest request, CallOptions options, bool captureMetadata)
        where TRequest : class
        where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        using var call = new ClientCall<TResponse>(this, method.ResponseMarshaller, options, alwaysOwnCancellation: false);
        try
        {
            await call.StartAsync(method.FullName, method.RequestMarshaller, request, options);
            var response = await call.ReadMessageAsync();
            if (response is not null && await call.ReadMessageAsync() is not null)
            {
                throw new GrpcCallException(StatusCode.Internal, "Unary call returned more than one response message.");
            }

            call.ThrowIfStatusNotOk();
            if (response is null)
            {
                throw new GrpcCallException(StatusCode.Internal, "Unary call completed with status OK but without a response message.");
            }

            return captureMetadata
                ? (response, call.GetResponseHeaders(), call.GetTrailers())
                : (response, null, null);
        }
        catch (Exception ex)
        {
            var mapped = call.MapException(ex);
            if (ReferenceEquals(mapped, ex))
            {
                throw;
            }

            throw mapped;
        }
    }
}

/// <summary>The outcome of a successful unary call with its metadata.</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class GrpcUnaryResult<TResponse>(TResponse response, Metadata responseHeaders, Metadata trailers)
{
    /// <summary>The response message.</summary>
    public TResponse Response { get; } = response;

    /// <summary>The custom metadata of the response headers.</summary>
    public Metadata ResponseHeaders { get; } = responseHeaders;

    /// <summary>The custom metadata of the trailers (without grpc-status and grpc-message).</summary>
    public Metadata Trailers { get; } = trailers;
}

/// <summary>A server-streaming call in progress.</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class GrpcServerStreamingCall<TResponse> : IAsyncDisposable, IDisposable
    where TResponse : class
{
    private readonly ClientCall<TResponse> _call;
    private Metadata? _responseHeaders;
    private bool _reading;

    internal GrpcServerStreamingCall(ClientCall<TResponse> call)
    {
        _call = call;
    }

    /// <summary>The custom metadata of the response headers.</summary>
    public Metadata ResponseHeaders => _responseHeaders ??= _call.GetResponseHeaders();

    /// <summary>The status once the stream has been read to its end; null before.</summary>
    public StatusCode? Status => _call.Status;

    /// <summary>The trailing metadata once the stream has been read to its end.</summary>
    /// <exception cref="InvalidOperationException">The stream has not been read to its end.</exception>
    public Metadata GetTrailers() => _call.Status is null
        ? throw new InvalidOperationException("The trailers are known once the response stream has been read to its end.")
        : _call.GetTrailers();

    /// <summary>
    /// Reads the response messages. After the last one, checks the status and throws
    /// <see cref="GrpcCallException"/> when it is not OK. Can be enumerated once.
    /// </summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_reading)
        {
            throw new InvalidOperationException("The response stream is already being read.");
        }

        _reading = true;
        await using var registration = cancellationToken.UnsafeRegister(static state => ((ClientCall<TResponse>)state!).CancelByCaller(), _call);
        while (true)
        {
            TResponse? message;
            try
            {
                message = await _call.ReadMessageAsync();
                if (message is null)
                {
                    _call.ThrowIfStatusNotOk();
                    yield break;
                }
            }
            catch (Exception ex)
            {
                var mapped = _call.MapException(ex);
                if (ReferenceEquals(mapped, ex))
                {
                    throw;
                }

                throw mapped;
            }

            yield return message;
        }
    }

    /// <summary>Releases the call; a call still running is cancelled (RST_STREAM CANCEL).</summary>
    public void Dispose() => _call.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _call.Dispose();
        return default;
    }
}
