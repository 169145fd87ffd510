using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Kafka backend as the <see cref="ILogStore"/>.</summary>
public static class KafkaLogStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="KafkaLogStore"/> as a singleton <see cref="ILogStore"/> on the cluster of
    /// <see cref="KafkaStorageOptions"/> (validated at start), with the registered
    /// <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/> if any. The container disposes it
    /// (flushing unacknowledged appends). Bind configuration in the host, for example
    /// <c>services.Configure&lt;KafkaStorageOptions&gt;(configuration.GetSection(KafkaStorageOptions.SectionName))</c>.
    /// </summary>
    public static IServiceCollection AddKafkaLogStore(this IServiceCollection services, Action<KafkaStorageOptions>? configure = null)
    {
        AddOptions(services, configure);
        services.TryAddSingleton(static provider => new KafkaLogStore(
            provider.GetRequiredService<IOptions<KafkaStorageOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton<ILogStore>(static provider => provider.GetRequiredService<KafkaLogStore>());
        return services;
    }

    /// <summary>
    /// Registers a <see cref="KafkaMockCluster"/> of <paramref name="brokers"/> brokers in this process
    /// and a <see cref="KafkaLogStore"/> on it as the <see cref="ILogStore"/>: Kafka semantics without a
    /// broker, data in memory only. <see cref="KafkaStorageOptions.BootstrapServers"/> is ignored.
    /// </summary>
    public static IServiceCollection AddKafkaMockLogStore(this IServiceCollection services, int brokers = 1, Action<KafkaStorageOptions>? configure = null)
    {
        AddOptions(services, configure);
        // Created before the store that uses it, so the container disposes it after the store.
        services.TryAddSingleton(provider => KafkaMockCluster.Start(
            brokers,
            provider.GetService<ILoggerFactory>()?.CreateLogger("KafkaKinesisBridge.Storage.Kafka.MockCluster")));
        services.TryAddSingleton(static provider => KafkaLogStore.ForMockCluster(
            provider.GetRequiredService<KafkaMockCluster>(),
            provider.GetRequiredService<IOptions<KafkaStorageOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<TimeProvider>()));
        services.TryAddSingleton<ILogStore>(static provider => provider.GetRequiredService<KafkaLogStore>());
        return services;
    }

    private static void AddOptions(IServiceCollection services, Action<KafkaStorageOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<KafkaStorageOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaStorageOptions>, KafkaStorageOptionsValidator>());
    }
}
