using System.Buffers;
using System.Net;
using System.Text.Json;

namespace KafkaKinesisBridge.Bench.Kinesis;

/// <summary>A Kinesis error answer: HTTP status and the <c>__type</c> and <c>message</c> of the body.</summary>
public sealed class KinesisCallException(HttpStatusCode status, string errorType, string message)
    : Exception($"{(int)status} {errorType}: {message}")
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The error name, for example <c>ResourceInUseException</c>.</summary>
    public string ErrorType { get; } = errorType;

    /// <summary>The error message.</summary>
    public string ErrorMessage { get; } = message;
}

/// <summary>
/// A minimal client of the Kinesis AWS JSON 1.1 protocol on <see cref="HttpClient"/>: <c>POST /</c>
/// with <c>X-Amz-Target: Kinesis_20131202.&lt;Operation&gt;</c> and
/// <c>Content-Type: application/x-amz-json-1.1</c>, bodies encoded by the caller (the workloads encode
/// them once, so the client spends no CPU on serializing), responses read into a buffer the caller
/// owns and parsed with <see cref="Utf8JsonReader"/> for the few members a workload needs.
/// </summary>
/// <remarks>
/// Requests are unsigned: the gateway accepts them unless SigV4 verification is turned on. HTTP/1.1
/// by default, one connection per concurrent caller (as the AWS CLI and boto3 do); with
/// <c>http2</c>, HTTP/2 with prior knowledge (h2c) on one connection, as the AWS SDK for JavaScript v3
/// talks to an <c>http://</c> endpoint. Error bodies are <c>{"__type": "...", "message": "..."}</c>
/// (Kinesis API reference, "Common Errors").
/// </remarks>
public sealed class KinesisJsonClient : IDisposable
{
    private const string TargetPrefix = "Kinesis_20131202.";
    private const string ContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http;
    private readonly Version _version;

    /// <summary>Creates a client of the gateway at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The gateway, e.g. http://127.0.0.1:4567.</param>
    /// <param name="http2">HTTP/2 with prior knowledge instead of HTTP/1.1.</param>
    /// <param name="connections">HTTP/1.1 connections to keep (one per concurrent caller).</param>
    public KinesisJsonClient(Uri endpoint, bool http2, int connections)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = Math.Max(1, connections),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = false,
        };
        _http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(60) };
        _version = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        Endpoint = endpoint;
        Protocol = http2 ? "h2c" : "http/1.1";
    }

    /// <summary>The gateway address.</summary>
    public Uri Endpoint { get; }

    /// <summary>"http/1.1" or "h2c".</summary>
    public string Protocol { get; }

    /// <summary>
    /// Sends one request and reads the response body into <paramref name="buffer"/> (grown from the
    /// shared pool when too small; the caller returns it). Throws <see cref="KinesisCallException"/>
    /// for an error answer.
    /// </summary>
    /// <returns>The number of body bytes in <paramref name="buffer"/>.</returns>
    public async ValueTask<int> CallAsync(string operation, ReadOnlyMemory<byte> body, ResponseBuffer buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Version = _version,
            // Exact: h2c needs prior knowledge (there is no ALPN without TLS), and HTTP/1.1 must not upgrade.
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ReadOnlyMemoryContent(body),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var length = await buffer.ReadAsync(response.Content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ParseError(response.StatusCode, buffer.Span(length));
        }

        return length;
    }

    /// <summary>Sends one request and parses the answer into a document (setup calls, not measured).</summary>
    public async Task<JsonDocument> CallForDocumentAsync(string operation, object request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request);
        var buffer = new ResponseBuffer();
        try
        {
            var length = await CallAsync(operation, body, buffer, cancellationToken);
            // Operations without output (CreateStream, DeleteStream, ...) may answer with an empty body.
            return length == 0 ? JsonDocument.Parse("{}"u8.ToArray()) : JsonDocument.Parse(buffer.Memory(length));
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static KinesisCallException ParseError(HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        string type = "(no __type)";
        string message = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    var isType = reader.ValueTextEquals("__type"u8);
                    var isMessage = reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("Message"u8);
                    reader.Read();
                    if (isType)
                    {
                        type = reader.GetString() ?? type;
                    }
                    else if (isMessage)
                    {
                        message = reader.GetString() ?? message;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (Kinesis answers some protocol errors with bare XML): report the text.
            message = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)]);
        }

        // "com.amazonaws.kinesis#ResourceNotFoundException" style names: keep the part after '#'.
        var hash = type.LastIndexOf('#');
        return new KinesisCallException(status, hash >= 0 ? type[(hash + 1)..] : type, message);
    }
}

/// <summary>A response body buffer reused across calls by one caller, rented from the shared pool.</summary>
public sealed class ResponseBuffer : IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(64 * 1024);

    /// <summary>The first <paramref name="length"/> bytes read.</summary>
    public ReadOnlySpan<byte> Span(int length) => _array.AsSpan(0, length);

    /// <summary>The first <paramref name="length"/> bytes read.</summary>
    public ReadOnlyMemory<byte> Memory(int length) => _array.AsMemory(0, length);

    /// <summary>Reads the whole content, growing the buffer as needed.</summary>
    public async ValueTask<int> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        while (true)
        {
            if (length == _array.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(_array.Length * 2);
                _array.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }

            var read = await stream.ReadAsync(_array.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return length;
            }

            length += read;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_array);
        _array = [];
    }
}
