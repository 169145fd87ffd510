using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Firehose;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaKinesisBridge.Api.Firehose;

/// <summary>Registers the Firehose front door.</summary>
public static class FirehoseApiServiceCollectionExtensions
{
    /// <summary>
    /// Serves the Firehose API on the shared AWS JSON endpoint (the port and path the Kinesis API is
    /// mapped on: <c>MapKinesisApi</c>), told apart by the <c>Firehose_20150804</c> target prefix, and
    /// registers the Firehose core (<see cref="FirehoseServiceCollectionExtensions.AddFirehoseCore"/>).
    /// Needs the Kinesis core and the AWS JSON endpoint (<c>AddKinesisApi</c>). Idempotent.
    /// </summary>
    public static IServiceCollection AddFirehoseApi(this IServiceCollection services, IConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddFirehoseCore(configuration);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAwsJsonService, FirehoseJsonService>());
        return services;
    }
}
