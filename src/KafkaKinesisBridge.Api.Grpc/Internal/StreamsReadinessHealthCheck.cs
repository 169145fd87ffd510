using KafkaKinesisBridge.Core.Api;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// The readiness of GET /ready (<see cref="IStreamsReadiness"/>: the stream catalog is loaded) as an
/// ASP.NET Core health check, which Grpc.AspNetCore.HealthChecks serves as grpc.health.v1.Health.
/// </summary>
internal sealed class StreamsReadinessHealthCheck(IStreamsReadiness readiness) : IHealthCheck
{
    /// <summary>The name of the check, and the tag the gRPC health service maps.</summary>
    public const string Name = "streams-ready";

    private static readonly Task<HealthCheckResult> Ready = Task.FromResult(HealthCheckResult.Healthy("ready"));
    private static readonly Task<HealthCheckResult> Starting = Task.FromResult(HealthCheckResult.Unhealthy("starting"));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        readiness.IsReady ? Ready : Starting;
}
