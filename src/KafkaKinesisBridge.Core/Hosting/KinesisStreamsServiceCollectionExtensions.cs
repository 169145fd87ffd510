using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Security;
using KafkaKinesisBridge.Core.Streams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Core.Hosting;

/// <summary>Registers the Kinesis core.</summary>
public static class KinesisStreamsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStreamsService"/> (a singleton <see cref="StreamsService"/>),
    /// <see cref="IStreamsReadiness"/>, the options bound from the "Kinesis" section of
    /// <paramref name="configuration"/> (validated at start), <see cref="TimeProvider.System"/> unless a
    /// TimeProvider is registered, and the hosted service that loads the catalog at start and runs the
    /// background loops. The host must register an <see cref="Storage.ILogStore"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The root configuration (the "Kinesis" section is read) or the section itself.</param>
    public static IServiceCollection AddKinesisStreamsCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration is IConfigurationSection { Key: KinesisStreamsOptions.SectionName } own
            ? own
            : configuration.GetSection(KinesisStreamsOptions.SectionName);
        return services.AddKinesisStreamsCore(options => section.Bind(options));
    }

    /// <summary>As <see cref="AddKinesisStreamsCore(IServiceCollection, IConfiguration)"/>, configured in code.</summary>
    public static IServiceCollection AddKinesisStreamsCore(this IServiceCollection services, Action<KinesisStreamsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<KinesisStreamsOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KinesisStreamsOptions>, KinesisStreamsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StreamsService>();
        services.TryAddSingleton<IStreamsService>(CreateFrontDoorService);
        services.TryAddSingleton(sp => new BearerTokenAuthenticator(sp.GetService<AccessPolicy>() ?? AccessPolicy.Open));
        services.TryAddSingleton<IStreamsReadiness>(sp => sp.GetRequiredService<StreamsService>());
        services.TryAddSingleton<Catalog.ICatalogDocuments>(sp => sp.GetRequiredService<StreamsService>());
        services.AddHostedService<StreamsCoreHostedService>();
        return services;
    }

    /// <summary>
    /// Registers the access policy both front doors enforce (see <see cref="AccessPolicy"/>): the
    /// core's <see cref="IStreamsService"/> then checks every call against the permissions of
    /// <see cref="AccessContext.Current"/> when <see cref="AccessPolicy.IsEnforced"/>, and a
    /// <see cref="BearerTokenAuthenticator"/> over it is available for transports without signatures
    /// (gRPC; registered with the core). The last registration wins; without one, nothing is enforced.
    /// </summary>
    public static IServiceCollection AddAccessPolicy(this IServiceCollection services, Func<IServiceProvider, AccessPolicy> create)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(create);
        return services;
    }

    private static IStreamsService CreateFrontDoorService(IServiceProvider services)
    {
        // Calls go through the span decorator (one span per call when a tracer listens, else straight
        // through), outside the access check so that refusals are traced too.
        var core = services.GetRequiredService<StreamsService>();
        return new TracedStreamsService(services.GetService<AccessPolicy>() is { IsEnforced: true } ? new AuthorizingStreamsService(core) : core);
    }
}

/// <summary>
/// Starts the core with the host: <see cref="StartAsync"/> replays the catalog before the host
/// starts serving (so readiness holds when the server listens), then the background loops run until
/// the host stops.
/// </summary>
internal sealed partial class StreamsCoreHostedService(StreamsService service, ILogger<StreamsCoreHostedService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _background;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await service.StartAsync(cancellationToken);
        _background = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_background is { } background)
        {
            await background.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await service.RunBackgroundAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            BackgroundFailed(logger, exception);
            throw;
        }
    }

    [LoggerMessage(1090, LogLevel.Error, "The Kinesis core background loops stopped with an error")]
    private static partial void BackgroundFailed(ILogger logger, Exception exception);
}
