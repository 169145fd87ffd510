using KafkaKinesisBridge.Grpc.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Grpc;

/// <summary>Registers the gRPC transport on ASP.NET Core.</summary>
public static class GrpcTransportExtensions
{
    /// <summary>The logger category of the server transport.</summary>
    public const string LoggerCategory = "KafkaKinesisBridge.Grpc.Server";

    /// <summary>
    /// Adds the transport's services and options (validated at start). Bind options from
    /// configuration with <c>services.AddOptions&lt;GrpcTransportOptions&gt;().Bind(section)</c>.
    /// </summary>
    public static IServiceCollection AddGrpcTransport(this IServiceCollection services, Action<GrpcTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<GrpcTransportOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrpcTransportOptions>, GrpcTransportOptionsValidator>());
        services.TryAddSingleton<GrpcTransportMarker>();
        return services;
    }

    /// <summary>Registers a service to be served by <see cref="UseGrpcTransport"/>.</summary>
    public static IServiceCollection AddGrpcService(this IServiceCollection services, GrpcServiceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(definition);
        services.AddSingleton(definition);
        return services;
    }

    /// <summary>Registers a service built from the container (for handlers that need other services).</summary>
    public static IServiceCollection AddGrpcService(this IServiceCollection services, Func<IServiceProvider, GrpcServiceDefinition> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.AddSingleton(factory);
        return services;
    }

    /// <summary>
    /// Adds the gRPC middleware, serving every <see cref="GrpcServiceDefinition"/> registered with
    /// <c>AddGrpcService</c> plus <paramref name="services"/>. Requests that are not gRPC pass to
    /// the next middleware. Put it before middleware that would consume gRPC requests.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddGrpcTransport</c> was not called, or a method path is registered twice.</exception>
    public static IApplicationBuilder UseGrpcTransport(this IApplicationBuilder app, params GrpcServiceDefinition[] services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        var provider = app.ApplicationServices;
        if (provider.GetService<GrpcTransportMarker>() is null)
        {
            throw new InvalidOperationException("Call services.AddGrpcTransport() before app.UseGrpcTransport().");
        }

        var options = provider.GetRequiredService<IOptions<GrpcTransportOptions>>().Value;
        var logger = provider.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var runtime = new GrpcServerRuntime(options, logger, provider.GetService<TimeProvider>() ?? TimeProvider.System);
        var table = new GrpcMethodTable(provider.GetServices<GrpcServiceDefinition>().Concat(services));
        return app.Use(next => new GrpcTransportMiddleware(next, runtime, table).InvokeAsync);
    }

    /// <summary>Marks that <see cref="AddGrpcTransport"/> ran.</summary>
    private sealed class GrpcTransportMarker;
}
