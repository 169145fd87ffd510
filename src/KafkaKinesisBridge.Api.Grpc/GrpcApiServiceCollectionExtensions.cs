using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core.Interceptors;
using Grpc.Reflection;
using KafkaKinesisBridge.Api.Grpc.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>Registration of the gRPC front door on Grpc.AspNetCore.</summary>
public static class GrpcApiServiceCollectionExtensions
{
    /// <summary>How often the health service's Watch streams see readiness changes.</summary>
    private static readonly TimeSpan HealthPublishPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Registers Grpc.AspNetCore with the KinesisStreams service over the core's
    /// <see cref="Core.Api.IStreamsService"/> (which must be registered too), server reflection
    /// (grpc.reflection.v1 and v1alpha) and the health service (grpc.health.v1.Health, tied to the
    /// readiness of GET /ready). Serve them with <see cref="MapKinesisGrpcApi"/>.
    /// </summary>
    /// <remarks>
    /// Each KinesisStreams method returns its pooled messages and turns a KinesisException into the
    /// streams.proto error shape itself (KinesisStreamsMethodProvider). Interceptors added with
    /// <see cref="AddKinesisGrpcInterceptor{TInterceptor}"/> run around that, so they must refuse a
    /// call with an <see cref="global::Grpc.Core.RpcException"/> in the same shape
    /// (<c>KinesisGrpcErrors</c>), not a KinesisException.
    /// </remarks>
    public static IServiceCollection AddKinesisGrpcApi(this IServiceCollection services, Action<KinesisGrpcOptions>? configure = null)
    {
        var options = services.AddOptions<KinesisGrpcOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisGrpcOptions>, KinesisGrpcOptionsValidator>());
        options.ValidateOnStart();

        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<KinesisGrpcOptions>>((grpc, kinesis) =>
        {
            var settings = kinesis.Value;
            grpc.MaxReceiveMessageSize = settings.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = settings.MaxSendMessageSize;
            grpc.ResponseCompressionAlgorithm = settings.ResponseEncoding;
            grpc.ResponseCompressionLevel = settings.ResponseCompressionLevel;
            grpc.EnableDetailedErrors = settings.EnableDetailedErrors;
        });

        services.TryAddSingleton<KinesisStreamsGrpcService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<KinesisStreamsGrpcService>, KinesisStreamsMethodProvider>());

        // Reflection: the service is bound by KinesisStreamsMethodProvider rather than the generated
        // base class, where Grpc.AspNetCore.Server.Reflection looks for descriptors, so they are given
        // here (registered before AddGrpcReflection, whose own registrations only fill what is missing).
        ServiceDescriptorSet descriptors =
        [
            Proto.KinesisStreams.Descriptor,
            global::Grpc.Health.V1.Health.Descriptor,
            global::Grpc.Reflection.V1.ServerReflection.Descriptor,
            global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor,
        ];
        services.TryAddSingleton(new ReflectionServiceImpl(descriptors));
        services.TryAddSingleton(new ReflectionV1ServiceImpl(descriptors));
        services.AddGrpcReflection();

        // Health: "" (the whole server) and the KinesisStreams service are SERVING exactly when GET
        // /ready answers 200. Check computes it live; Watch follows the published results.
        services.AddGrpcHealthChecks(health =>
        {
            health.Services.Clear();
            health.Services.Map(string.Empty, check => check.Tags.Contains(StreamsReadinessHealthCheck.Name));
            health.Services.Map(KinesisStreamsMethodProvider.ServiceName, check => check.Tags.Contains(StreamsReadinessHealthCheck.Name));
        }).AddCheck<StreamsReadinessHealthCheck>(StreamsReadinessHealthCheck.Name, tags: [StreamsReadinessHealthCheck.Name]);
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = HealthPublishPeriod;
        });
        return services;
    }

    /// <summary>
    /// Adds <typeparamref name="TInterceptor"/> (a singleton) to the KinesisStreams calls, inside the
    /// interceptors already added (see <see cref="AddKinesisGrpcApi"/>). Call after AddKinesisGrpcApi.
    /// </summary>
    public static IServiceCollection AddKinesisGrpcInterceptor<TInterceptor>(this IServiceCollection services)
        where TInterceptor : Interceptor
    {
        services.TryAddSingleton<TInterceptor>();
        services.AddGrpc().AddServiceOptions<KinesisStreamsGrpcService>(options => options.Interceptors.Add<TInterceptor>());
        return services;
    }

    /// <summary>
    /// Serves the KinesisStreams service, reflection and health (registered with
    /// <see cref="AddKinesisGrpcApi"/>), with the transport-level failures Grpc.AspNetCore answers
    /// itself named as Kinesis errors.
    /// </summary>
    public static WebApplication MapKinesisGrpcApi(this WebApplication app)
    {
        app.UseMiddleware<GrpcTransportErrorMiddleware>();
        app.MapGrpcService<KinesisStreamsGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }

    private sealed class ServiceDescriptorSet : List<Google.Protobuf.Reflection.ServiceDescriptor>;
}
