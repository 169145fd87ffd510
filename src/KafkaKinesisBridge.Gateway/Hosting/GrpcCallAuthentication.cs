using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// Authenticates every gRPC call against the access policy the Kinesis door verifies SigV4 with:
/// per-call credentials in the <c>authorization</c> metadata (<c>Bearer &lt;AccessKeyId&gt;:&lt;SecretAccessKey&gt;</c>),
/// checked by <see cref="BearerTokenAuthenticator"/>; the call then runs as that key
/// (<see cref="AccessContext"/>), so the core applies the key's permissions (PERMISSION_DENIED with
/// AccessDeniedException). A call without valid credentials is refused before any gRPC handler runs.
/// </summary>
/// <remarks>
/// <para>A middleware on the HTTP request rather than a gRPC interceptor, so it covers every method
/// of whatever serves gRPC behind it (it only looks at the request's content type and one header).</para>
/// <para>The refusal is a gRPC Trailers-Only response (gRPC PROTOCOL-HTTP2: HTTP 200,
/// <c>content-type: application/grpc</c>, <c>grpc-status: 16</c> UNAUTHENTICATED,
/// <c>grpc-message</c> percent-encoded, and the Kinesis error name in <c>kinesis-error-type</c>, the
/// metadata the gRPC door uses for every Kinesis error), all in the one HEADERS frame that ends the stream.</para>
/// </remarks>
internal static partial class GrpcCallAuthentication
{
    private const string ErrorTypeMetadata = "kinesis-error-type";

    private static readonly PathString HealthService = new("/grpc.health.v1.Health");

    /// <summary>Adds the middleware; it does nothing unless access is enforced (<c>KinesisApi:AuthMode=Verify</c>).</summary>
    public static IApplicationBuilder UseGrpcCallAuthentication(this IApplicationBuilder app)
    {
        var authenticator = app.ApplicationServices.GetRequiredService<BearerTokenAuthenticator>();
        var policy = app.ApplicationServices.GetService<AccessPolicy>() ?? AccessPolicy.Open;
        if (!policy.IsEnforced)
        {
            return app;
        }

        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("KafkaKinesisBridge.Gateway.GrpcAuthentication");
        return app.Use(async (context, next) =>
        {
            // Health (grpc.health.v1) tells no more than the open GET /ready, and probes such as
            // Kubernetes' grpc probe cannot send credentials.
            if (!IsGrpc(context.Request.ContentType) || context.Request.Path.StartsWithSegments(HealthService, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var result = authenticator.Authenticate(context.Request.Headers.Authorization.ToString());
            if (result.Failure is { } failure)
            {
                CallRefused(logger, context.Request.Path.Value, failure.ErrorName, context.Connection.RemoteIpAddress?.ToString());
                WriteTrailersOnly(context.Response, failure);
                return;
            }

            using var scope = AccessContext.Enter(result.Principal);
            await next(context);
        });
    }

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    private static void WriteTrailersOnly(HttpResponse response, AuthenticationFailure failure)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = AuthenticationFailure.GrpcStatusCode.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(failure.Message);
        response.Headers[ErrorTypeMetadata] = failure.ErrorName;
    }

    /// <summary>gRPC PROTOCOL-HTTP2: grpc-message is percent-encoded UTF-8; bytes outside 0x20-0x7E and '%' are encoded.</summary>
    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    [LoggerMessage(1300, LogLevel.Debug, "gRPC call {Path} from {RemoteAddress} refused: {ErrorName}.")]
    private static partial void CallRefused(ILogger logger, string? path, string errorName, string? remoteAddress);
}
