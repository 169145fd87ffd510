using KafkaKinesisBridge.Grpc;
using Microsoft.Extensions.DependencyInjection;
using CoreApi = KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>Registration of the gRPC front door.</summary>
public static class GrpcApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the gRPC transport and the KinesisStreams service over the core's
    /// <see cref="CoreApi.IStreamsService"/> (which must be registered too). Serve it with
    /// <c>app.UseGrpcTransport()</c>.
    /// </summary>
    public static IServiceCollection AddKinesisGrpcApi(this IServiceCollection services, Action<GrpcTransportOptions>? configure = null)
    {
        services.AddGrpcTransport(configure);
        services.AddGrpcService(sp => new KinesisStreamsGrpcService(sp.GetRequiredService<CoreApi.IStreamsService>()).CreateDefinition());
        return services;
    }
}
