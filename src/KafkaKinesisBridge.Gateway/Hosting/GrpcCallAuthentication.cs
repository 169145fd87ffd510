using KafkaKinesisBridge.Api.Grpc;
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
/// <c>grpc-message</c> percent-encoded, and the Kinesis error name in <c>kinesis-error-type</c> and
/// <c>grpc-status-details-bin</c>, as for every Kinesis error; written by <see cref="GrpcRefusal"/>),
/// all in the one HEADERS frame that ends the stream.</para>
/// </remarks>
internal static partial class GrpcCallAuthentication
{
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
            if (!GrpcRefusal.IsGrpc(context.Request.ContentType) || context.Request.Path.StartsWithSegments(HealthService, StringComparison.Ordinal))
            {
                await next(context);
                return;
            }

            var result = authenticator.Authenticate(context.Request.Headers.Authorization.ToString());
            if (result.Failure is { } failure)
            {
                CallRefused(logger, context.Request.Path.Value, failure.ErrorName, context.Connection.RemoteIpAddress?.ToString());
                GrpcRefusal.WriteTrailersOnly(context.Response, (Grpc.Core.StatusCode)AuthenticationFailure.GrpcStatusCode, failure.ErrorName, failure.Message);
                return;
            }

            using var scope = AccessContext.Enter(result.Principal);
            await next(context);
        });
    }

    [LoggerMessage(1300, LogLevel.Debug, "gRPC call {Path} from {RemoteAddress} refused: {ErrorName}.")]
    private static partial void CallRefused(ILogger logger, string? path, string errorName, string? remoteAddress);
}
