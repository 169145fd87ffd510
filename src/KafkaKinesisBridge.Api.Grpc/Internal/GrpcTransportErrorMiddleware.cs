using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Gives the failures Grpc.AspNetCore answers by itself, before or around the service, the same
/// error shape as the service's own (<see cref="KinesisGrpcErrors"/>), and refuses what
/// Grpc.AspNetCore would silently accept:
/// <list type="bullet">
/// <item>an invalid <c>grpc-timeout</c> (PROTOCOL-HTTP2: 1 to 8 digits and a unit H, M, S, m, u, n),
/// which Grpc.AspNetCore ignores with a log line: INVALID_ARGUMENT, InvalidArgumentException; a
/// timeout of 0 is a deadline already past: DEADLINE_EXCEEDED without running the call;</item>
/// <item>after the call, a non-OK grpc-status without <c>kinesis-error-type</c>: a message over
/// the receive limit (RESOURCE_EXHAUSTED, RequestEntityTooLarge), an unparseable message (INTERNAL,
/// SerializationException), an unknown method or service (UNIMPLEMENTED, UnknownOperationException),
/// an unexpected exception (UNKNOWN or INTERNAL, InternalFailureException); DEADLINE_EXCEEDED and
/// CANCELLED have no Kinesis name and stay as they are.</item>
/// </list>
/// Only requests with a gRPC content type are looked at; the rest pass through untouched.
/// </summary>
internal sealed class GrpcTransportErrorMiddleware(RequestDelegate next)
{
    private const string GrpcStatusHeader = "grpc-status";
    private const string GrpcMessageHeader = "grpc-message";
    private const string GrpcTimeoutHeader = "grpc-timeout";

    public Task InvokeAsync(HttpContext context)
    {
        if (!GrpcRefusal.IsGrpc(context.Request.ContentType))
        {
            return next(context);
        }

        var timeout = context.Request.Headers[GrpcTimeoutHeader];
        if (timeout.Count > 0)
        {
            switch (GrpcTimeout.Check(timeout))
            {
                case GrpcTimeoutCheck.Invalid:
                    GrpcRefusal.WriteTrailersOnly(
                        context.Response,
                        StatusCode.InvalidArgument,
                        "InvalidArgumentException",
                        "Invalid grpc-timeout header: a positive integer of at most 8 digits and a unit (H, M, S, m, u, n) is required.");
                    return Task.CompletedTask;
                case GrpcTimeoutCheck.Expired:
                    GrpcRefusal.WriteTrailersOnly(context.Response, StatusCode.DeadlineExceeded, errorName: null, "Deadline Exceeded");
                    return Task.CompletedTask;
            }
        }

        return InvokeGrpcAsync(context);
    }

    /// <summary>The Kinesis error name for a status Grpc.AspNetCore set without one; null when there is none.</summary>
    internal static string? NameTransportFailure(StatusCode code, string? message) => code switch
    {
        StatusCode.ResourceExhausted when message is not null && message.StartsWith("Received message", StringComparison.Ordinal) => "RequestEntityTooLarge",
        StatusCode.ResourceExhausted => "InternalFailureException",
        StatusCode.Unimplemented => "UnknownOperationException",
        StatusCode.Internal when message is not null && message.StartsWith("Failed to deserialize", StringComparison.Ordinal) => KinesisGrpcErrors.SerializationException,
        StatusCode.Internal or StatusCode.Unknown => "InternalFailureException",
        _ => null,
    };

    private async Task InvokeGrpcAsync(HttpContext context)
    {
        await next(context).ConfigureAwait(false);

        // Unary failures are Trailers-Only (status in the only HEADERS frame) while nothing was sent;
        // otherwise the status is in the trailers, which can be added to until the request ends.
        var response = context.Response;
        IHeaderDictionary? headers = null;
        if (!response.HasStarted)
        {
            headers = response.Headers;
        }
        else if (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
        {
            headers = trailers;
        }

        if (headers is null
            || !headers.TryGetValue(GrpcStatusHeader, out var statusValue)
            || statusValue.Count != 1
            || statusValue[0] is "0" or null
            || headers.ContainsKey(KinesisGrpcErrors.ErrorTypeTrailer)
            || !int.TryParse(statusValue[0], out var status))
        {
            return;
        }

        var message = Uri.UnescapeDataString(headers[GrpcMessageHeader].ToString());
        if (NameTransportFailure((StatusCode)status, message) is { } name)
        {
            headers[KinesisGrpcErrors.ErrorTypeTrailer] = name;
            if (!headers.ContainsKey(KinesisGrpcErrors.StatusDetailsTrailer))
            {
                headers[KinesisGrpcErrors.StatusDetailsTrailer] =
                    Convert.ToBase64String(KinesisGrpcErrors.StatusDetails((StatusCode)status, name, message));
            }
        }
    }
}

/// <summary>The outcome of checking a grpc-timeout header.</summary>
internal enum GrpcTimeoutCheck
{
    Valid,
    Invalid,
    Expired,
}

/// <summary>grpc-timeout as PROTOCOL-HTTP2 defines it: TimeoutValue (positive, at most 8 ASCII digits) then TimeoutUnit.</summary>
internal static class GrpcTimeout
{
    public static GrpcTimeoutCheck Check(StringValues values)
    {
        if (values.Count != 1 || values[0] is not { } value || value.Length is < 2 or > 9)
        {
            return GrpcTimeoutCheck.Invalid;
        }

        if (value[^1] is not ('H' or 'M' or 'S' or 'm' or 'u' or 'n'))
        {
            return GrpcTimeoutCheck.Invalid;
        }

        long amount = 0;
        foreach (var c in value.AsSpan(0, value.Length - 1))
        {
            if (c is < '0' or > '9')
            {
                return GrpcTimeoutCheck.Invalid;
            }

            amount = (amount * 10) + (c - '0');
        }

        return amount == 0 ? GrpcTimeoutCheck.Expired : GrpcTimeoutCheck.Valid;
    }
}
