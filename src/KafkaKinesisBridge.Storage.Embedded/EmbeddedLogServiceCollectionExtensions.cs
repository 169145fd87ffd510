using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the embedded log as the <see cref="ILogStore"/>.</summary>
public static class EmbeddedLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EmbeddedLogStore"/> as a singleton <see cref="ILogStore"/>, opened on first
    /// use with the <see cref="EmbeddedLogOptions"/> from the options system (validated at start) and the
    /// registered <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> if any. The container
    /// disposes it. Bind configuration in the host, for example
    /// <c>services.Configure&lt;EmbeddedLogOptions&gt;(configuration.GetSection(EmbeddedLogOptions.SectionName))</c>;
    /// this library stays free of the configuration binder.
    /// </summary>
    public static IServiceCollection AddEmbeddedLogStore(this IServiceCollection services, Action<EmbeddedLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<EmbeddedLogOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddedLogOptions>, EmbeddedLogOptionsValidator>());
        services.TryAddSingleton(static provider => EmbeddedLogStore.Open(
            provider.GetRequiredService<IOptions<EmbeddedLogOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton<ILogStore>(static provider => provider.GetRequiredService<EmbeddedLogStore>());
        return services;
    }
}
