using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Operations;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Api.Kinesis;

/// <summary>Registers and maps the Kinesis wire protocol front door.</summary>
public static class KinesisApiServiceCollectionExtensions
{
    /// <summary>Adds the front door's services; options validated at start.</summary>
    public static IServiceCollection AddKinesisApi(this IServiceCollection services, Action<KinesisApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<KinesisApiOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisApiOptions>, KinesisApiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddAwsJsonEndpoint();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsJsonService, KinesisJsonService>());

        // The keys and permissions configured here are the policy of both front doors (the gRPC door
        // authenticates with the same keys): Verify mode enforces it.
        services.AddAccessPolicy(static sp => sp.GetRequiredService<IOptions<KinesisApiOptions>>().Value.ToAccessPolicy());
        return services;
    }

    /// <summary>Adds the front door with options bound from the <c>KinesisApi</c> section of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddKinesisApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<KinesisApiOptions>().Bind(configuration.GetSection(KinesisApiOptions.SectionName));
        return services.AddKinesisApi();
    }

    /// <summary>Registers a delegate as the handler of <paramref name="operation"/>.</summary>
    public static IServiceCollection AddKinesisOperation(this IServiceCollection services, KinesisOperation operation, KinesisOperationDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(handler);
        services.AddSingleton<IKinesisOperationHandler>(new DelegateOperationHandler(operation, handler));
        return services;
    }

    /// <summary>
    /// Registers the handlers of every Kinesis operation the core serves
    /// (<see cref="KinesisStreamsOperations.Served"/>): each maps the wire request onto
    /// <see cref="IStreamsService"/> and the response or <see cref="KinesisException"/> back. Needs
    /// <see cref="AddKinesisApi(IServiceCollection, Action{KinesisApiOptions}?)"/> and the core
    /// (<c>AddKinesisStreamsCore</c>) in the same container. Idempotent.
    /// </summary>
    public static IServiceCollection AddKinesisStreamsOperations(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(KinesisStreamsOperationsMarker)))
        {
            return services;
        }

        services.AddSingleton<KinesisStreamsOperationsMarker>();
        foreach (var (operation, handler) in KinesisStreamsOperations.Handlers)
        {
            services.AddSingleton<IKinesisOperationHandler>(sp => new StreamsOperationHandler(
                operation, sp.GetRequiredService<IStreamsService>(), handler, sp.GetService<AccessPolicy>() ?? AccessPolicy.Open));
        }

        // SubscribeToShard answers with an event stream, so it writes its own response.
        services.AddSingleton<IKinesisOperationHandler>(sp => new SubscribeToShardOperationHandler(
            sp.GetRequiredService<IStreamsService>(),
            sp.GetService<AccessPolicy>() ?? AccessPolicy.Open,
            sp.GetService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<SubscribeToShardOperationHandler>>()
                ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<SubscribeToShardOperationHandler>.Instance));

        return services;
    }

    /// <summary>
    /// Serves the Kinesis API on <c>POST <paramref name="pattern"/></c> (the SDKs post to <c>/</c>);
    /// other methods on the same path get a Kinesis-shaped 405.
    /// </summary>
    public static IEndpointConventionBuilder MapKinesisApi(this IEndpointRouteBuilder endpoints, string pattern = "/")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var dispatcher = endpoints.ServiceProvider.GetRequiredService<AwsJsonDispatcher>();
        return endpoints.Map(pattern, (RequestDelegate)dispatcher.InvokeAsync).WithDisplayName("Kinesis API");
    }

    /// <summary>
    /// The shared AWS JSON endpoint (<see cref="AwsJsonDispatcher"/>), configured from the
    /// <c>KinesisApi</c> section: both APIs on the port share its keys, region and body budget.
    /// Other services join it by registering an <see cref="IAwsJsonService"/>. Idempotent.
    /// </summary>
    public static IServiceCollection AddAwsJsonEndpoint(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp =>
        {
            var options = sp.GetRequiredService<IOptions<KinesisApiOptions>>().Value;
            return new AwsJsonEndpointSettings(
                options.AuthMode == KinesisAuthMode.Verify,
                [.. options.Credentials.Select(c => KeyValuePair.Create(c.AccessKeyId, c.SecretAccessKey))],
                options.Region,
                options.AllowedClockSkew,
                options.MaxBodyBytesInFlight,
                options.MaxBodyBytesFor(null));
        });
        services.TryAddSingleton<AwsJsonDispatcher>();
        return services;
    }
}

/// <summary>Marks that <see cref="KinesisApiServiceCollectionExtensions.AddKinesisStreamsOperations"/> ran.</summary>
internal sealed class KinesisStreamsOperationsMarker;

/// <summary>Runs <see cref="KinesisApiOptions.Validate"/> when the options are built (and at start).</summary>
internal sealed class KinesisApiOptionsValidator : IValidateOptions<KinesisApiOptions>
{
    public ValidateOptionsResult Validate(string? name, KinesisApiOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{KinesisApiOptions.SectionName}: {e.Message}");
        }
    }
}
