using KafkaKinesisBridge.Firehose;
using KafkaKinesisBridge.Firehose.Model;
using KafkaKinesisBridge.Firehose.Sink;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// Connects the Firehose API's delivery streams to the sink worker in the gateway process: the
/// worker delivers every ACTIVE delivery stream of the catalog (a DirectPut stream from its own log
/// topic, a KinesisStreamAsSource stream from the Kinesis stream's topic), the API refuses a
/// destination the worker could not deliver by, and a deleted stream's checkpoints are dropped.
/// </summary>
internal static class FirehoseSinkWiring
{
    /// <summary>
    /// Registers the sink worker (section <c>Firehose:Sink</c>; <c>Firehose:Sink:Enabled=false</c> leaves
    /// delivery to other processes). Its local directory and checkpoints default to folders of the
    /// embedded log's data directory when that is configured.
    /// </summary>
    public static IServiceCollection AddFirehoseSinkWorker(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<FirehoseSinkBridge>();
        services.TryAddSingleton<ISinkDeliveryStreamProvider>(static sp => sp.GetRequiredService<FirehoseSinkBridge>());
        services.TryAddSingleton<IDeliveryStreamHooks>(static sp => sp.GetRequiredService<FirehoseSinkBridge>());
        services.Configure<SinkOptions>(configuration.GetSection(SinkOptions.SectionName));
        var dataDirectory = configuration["Storage:Embedded:DataDirectory"];
        var section = configuration.GetSection(SinkOptions.SectionName);
        if (!string.IsNullOrEmpty(dataDirectory))
        {
            services.PostConfigure<SinkOptions>(options =>
            {
                if (section[nameof(SinkOptions.LocalDirectory)] is null)
                {
                    options.LocalDirectory = Path.Combine(dataDirectory, "firehose-objects");
                }

                if (section[nameof(SinkOptions.CheckpointDirectory)] is null)
                {
                    options.CheckpointDirectory = Path.Combine(dataDirectory, "firehose-checkpoints");
                }
            });
        }

        services.AddFirehoseSink();
        return services;
    }
}

/// <summary>The delivery streams of the catalog as the sink worker sees them.</summary>
internal sealed class FirehoseSinkBridge(IServiceProvider services) : ISinkDeliveryStreamProvider, IDeliveryStreamHooks
{
    // Resolved on first use: FirehoseService takes the hooks (this object) in its constructor.
    private FirehoseService Firehose => services.GetRequiredService<FirehoseService>();

    public async ValueTask<IReadOnlyCollection<SinkDeliveryStream>> GetActiveDeliveryStreamsAsync(CancellationToken cancellationToken)
    {
        var streams = await Firehose.ListAllAsync(cancellationToken);
        var active = new List<SinkDeliveryStream>(streams.Count);
        foreach (var stream in streams)
        {
            if (stream.Status == DeliveryStreamStatus.ACTIVE && ToSink(stream) is { } sink)
            {
                active.Add(sink);
            }
        }

        return active;
    }

    public string? Validate(DeliveryStream stream) => ToSink(stream) is { } sink ? SinkDestinationValidator.Validate(sink) : "The delivery stream has no source.";

    public async ValueTask OnDeletedAsync(DeliveryStream stream, CancellationToken cancellationToken)
    {
        // A stream re-created under the name must not resume at this one's positions (a DirectPut
        // stream gets a new topic anyway; a KinesisStreamAsSource stream reads the same topic).
        if (services.GetService<ISinkCheckpointStore>() is { } checkpoints)
        {
            await checkpoints.DeleteAsync(stream.Name, cancellationToken);
        }
    }

    private SinkDeliveryStream? ToSink(DeliveryStream stream)
    {
        var source = stream.Type == DeliveryStreamType.DirectPut
            ? stream.Topic is { } topic ? new SinkSourceSpec(SinkSourceKind.DirectPut, topic) : null
            : stream.Source is { } kinesis ? new SinkSourceSpec(SinkSourceKind.KinesisStream, Firehose.TopicOfKinesisStream(kinesis.StreamName)) : null;
        if (source is null)
        {
            return null;
        }

        var d = stream.Destination;
        return new SinkDeliveryStream(stream.Name, stream.VersionId, source, new SinkDestination
        {
            Bucket = d.Bucket,
            Prefix = d.Prefix,
            ErrorOutputPrefix = d.ErrorOutputPrefix,
            BufferSizeInMBs = d.SizeInMBs,
            BufferIntervalInSeconds = d.IntervalInSeconds,
            Compression = d.CompressionFormat switch
            {
                CompressionFormats.Gzip => SinkCompressionFormat.Gzip,
                CompressionFormats.Zip => SinkCompressionFormat.Zip,
                CompressionFormats.Snappy => SinkCompressionFormat.Snappy,
                CompressionFormats.HadoopSnappy => SinkCompressionFormat.HadoopSnappy,
                _ => SinkCompressionFormat.Uncompressed,
            },
            FileExtension = d.FileExtension,
            CustomTimeZone = d.CustomTimeZone,
            AppendDelimiterToRecord = d.AppendDelimiterToRecord,
        });
    }
}
