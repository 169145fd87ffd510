using KafkaKinesisBridge.Firehose.Sink;
using KafkaKinesisBridge.Firehose.Sink.Kafka;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using KafkaKinesisBridge.Storage.Kafka;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the consumer-group source of the sink (Kafka backend, several sink processes).</summary>
public static class ConsumerGroupServiceCollectionExtensions
{
    /// <summary>
    /// Makes the sink read delivery streams through Kafka consumer groups instead of file
    /// checkpoints, so sink workers in several processes share each delivery stream's partitions.
    /// Connection settings default to the Kafka backend's (<see cref="KafkaStorageOptions"/>: bootstrap
    /// servers, client id, ClientConfig; the mock cluster's address on kafka-mock). Call with
    /// <c>AddFirehoseSink</c>, in either order.
    /// </summary>
    public static IServiceCollection AddFirehoseSinkConsumerGroups(this IServiceCollection services, Action<ConsumerGroupOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Replace(ServiceDescriptor.Singleton<ISinkSourceFactory>(provider =>
        {
            var kafka = provider.GetService<IOptions<KafkaStorageOptions>>()?.Value ?? new KafkaStorageOptions();
            var options = new ConsumerGroupOptions
            {
                BootstrapServers = provider.GetService<KafkaMockCluster>()?.BootstrapServers ?? kafka.BootstrapServers,
                ClientId = kafka.ClientId,
            };
            foreach (var (key, value) in kafka.ClientConfig)
            {
                options.ClientConfig[key] = value;
            }

            configure?.Invoke(options);
            return new ConsumerGroupSinkSourceFactory(options, provider.GetRequiredService<IOptions<SinkOptions>>().Value);
        }));
        return services;
    }
}
