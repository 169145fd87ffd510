using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Grpc;

/// <summary>
/// What a service handler knows about the call in progress. The transport's implementation wraps
/// the ASP.NET Core <see cref="Microsoft.AspNetCore.Http.HttpContext"/>; tests of a service can
/// derive their own.
/// </summary>
public abstract class ServerCallContext
{
    /// <summary>The method path, "/{package}.{Service}/{Method}".</summary>
    public abstract string Method { get; }

    /// <summary>The :authority (host) the client called.</summary>
    public abstract string Host { get; }

    /// <summary>The client address in gRPC naming form, for example "ipv4:127.0.0.1:51234".</summary>
    public abstract string Peer { get; }

    /// <summary>The call's deadline in UTC from grpc-timeout, or <see cref="DateTime.MaxValue"/> when there is none.</summary>
    public abstract DateTime Deadline { get; }

    /// <summary>The client's custom metadata (transport headers such as content-type and grpc-timeout are left out).</summary>
    public abstract Metadata RequestHeaders { get; }

    /// <summary>
    /// Metadata to send in the response headers. Add entries before the first response message
    /// (or before <see cref="WriteResponseHeadersAsync"/>); later additions are not sent.
    /// </summary>
    public abstract Metadata ResponseHeaders { get; }

    /// <summary>Metadata to send in the trailers, with the status.</summary>
    public abstract Metadata ResponseTrailers { get; }

    /// <summary>Cancelled when the client cancels the call (RST_STREAM), the connection drops, or the deadline passes.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>
    /// Compression of the response messages of this call. Starts as the server's configured
    /// compression when the client accepts it (grpc-accept-encoding), else none. Setting
    /// <see cref="GrpcCompression.Gzip"/> has no effect when the client does not accept gzip.
    /// </summary>
    /// <exception cref="InvalidOperationException">Turning compression on after the response headers were sent.</exception>
    public abstract GrpcCompression ResponseCompression { get; set; }

    /// <summary>The underlying HTTP context, when the call runs on ASP.NET Core.</summary>
    public virtual HttpContext? HttpContext => null;

    /// <summary>Sends the response headers (with <see cref="ResponseHeaders"/>) now rather than with the first message.</summary>
    /// <exception cref="InvalidOperationException">The headers were already sent or the call is complete.</exception>
    public abstract Task WriteResponseHeadersAsync();
}
