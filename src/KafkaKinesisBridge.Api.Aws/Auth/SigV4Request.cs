using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KafkaKinesisBridge.Api.Aws.Auth;

/// <summary>What SigV4 verification needs of a request, as it arrived on the wire.</summary>
public sealed class SigV4Request
{
    /// <summary>HTTP method (<c>POST</c>).</summary>
    public required string Method { get; init; }

    /// <summary>The path exactly as sent (still percent-encoded), e.g. <c>/</c>.</summary>
    public required string RawPath { get; init; }

    /// <summary>The query string as sent, without the <c>?</c>; null or empty when there is none.</summary>
    public string? RawQuery { get; init; }

    /// <summary>Request headers (case-insensitive names; HTTP/2's <c>:authority</c> appears as <c>Host</c>).</summary>
    public required IHeaderDictionary Headers { get; init; }

    /// <summary>The request body (hashed when no <c>x-amz-content-sha256</c> header is sent).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The request of <paramref name="context"/>, with the raw target Kestrel received.</summary>
    public static SigV4Request FromHttpContext(HttpContext context, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        string rawPath;
        string? rawQuery;
        if (!string.IsNullOrEmpty(rawTarget) && rawTarget[0] == '/')
        {
            var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
            rawPath = question < 0 ? rawTarget : rawTarget[..question];
            rawQuery = question < 0 ? null : rawTarget[(question + 1)..];
        }
        else
        {
            rawPath = context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
            rawQuery = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : null;
        }

        return new SigV4Request
        {
            Method = context.Request.Method,
            RawPath = string.IsNullOrEmpty(rawPath) ? "/" : rawPath,
            RawQuery = rawQuery,
            Headers = context.Request.Headers,
            Body = body,
        };
    }
}

/// <summary>Outcome of <see cref="SigV4Verifier.Verify"/>.</summary>
public readonly struct SigV4Result
{
    private SigV4Result(string? accessKeyId, Protocol.KinesisWireError? error)
    {
        AccessKeyId = accessKeyId;
        Error = error;
    }

    /// <summary>True when the signature verified.</summary>
    public bool IsAuthenticated => Error is null;

    /// <summary>The verified access key id.</summary>
    public string? AccessKeyId { get; }

    /// <summary>The error to answer with when verification failed.</summary>
    public Protocol.KinesisWireError? Error { get; }

    /// <summary>A verified request.</summary>
    public static SigV4Result Success(string accessKeyId) => new(accessKeyId, null);

    /// <summary>A rejected request.</summary>
    public static SigV4Result Failure(Protocol.KinesisWireError error) => new(null, error);
}
