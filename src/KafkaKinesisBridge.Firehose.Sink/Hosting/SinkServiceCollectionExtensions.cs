using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Firehose sink worker.</summary>
public static class SinkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sink worker as a hosted service (when <see cref="SinkOptions.Enabled"/>), with its
    /// defaults: the S3 store when an endpoint is set (<see cref="SinkOptions.S3Endpoint"/>,
    /// <c>AWS_ENDPOINT_URL_S3</c>, <c>AWS_ENDPOINT_URL</c>), else the local directory; sources over the
    /// registered <see cref="ILogStore"/> with file checkpoints. Each is registered with TryAdd, so a
    /// host may register its own first (the Kafka consumer-group source factory, a test store). The
    /// host must register an <see cref="ISinkDeliveryStreamProvider"/> (the Firehose API's catalog).
    /// Bind configuration in the host: <c>services.Configure&lt;SinkOptions&gt;(configuration.GetSection(SinkOptions.SectionName))</c>.
    /// </summary>
    public static IServiceCollection AddFirehoseSink(this IServiceCollection services, Action<SinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<SinkOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SinkOptions>, SinkOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IObjectStore>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<SinkOptions>>().Value;
            var endpoint = options.EffectiveS3Endpoint;
            return endpoint is null
                ? new LocalDirectoryObjectStore(options.LocalDirectory, options.Fsync)
                : new S3ObjectStore(endpoint, options.S3Region);
        });
        services.TryAddSingleton<ISinkCheckpointStore>(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<SinkOptions>>().Value;
            return new FileCheckpointStore(options.CheckpointDirectory, options.Fsync);
        });
        services.TryAddSingleton<ISinkSourceFactory>(static provider => new LogStoreSinkSourceFactory(
            provider.GetRequiredService<ILogStore>(),
            provider.GetRequiredService<ISinkCheckpointStore>(),
            provider.GetRequiredService<IOptions<SinkOptions>>().Value,
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SinkWorker>();
        services.AddSingleton<IHostedService>(static provider =>
            provider.GetRequiredService<IOptions<SinkOptions>>().Value.Enabled
                ? provider.GetRequiredService<SinkWorker>()
                : new DisabledService());
        return services;
    }

    private sealed class DisabledService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
