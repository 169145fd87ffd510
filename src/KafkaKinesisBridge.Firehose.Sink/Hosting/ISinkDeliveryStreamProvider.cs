using KafkaKinesisBridge.Firehose.Sink.Model;

namespace KafkaKinesisBridge.Firehose.Sink.Hosting;

/// <summary>
/// The delivery streams the worker delivers: the Firehose API implements it over its catalog
/// (ACTIVE delivery streams, their current version). The worker asks every
/// <see cref="SinkOptions.CatalogPollInterval"/>; a stream that disappears is stopped (what it buffered
/// is delivered first), a stream whose <see cref="SinkDeliveryStream"/> changes (UpdateDestination:
/// new VersionId) is stopped and started again with the new configuration.
/// </summary>
public interface ISinkDeliveryStreamProvider
{
    /// <summary>The active delivery streams, each with its current configuration.</summary>
    ValueTask<IReadOnlyCollection<SinkDeliveryStream>> GetActiveDeliveryStreamsAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed list of delivery streams (tests, the bench, hosts configured from files).</summary>
public sealed class StaticDeliveryStreamProvider : ISinkDeliveryStreamProvider
{
    private volatile IReadOnlyCollection<SinkDeliveryStream> _streams;

    /// <summary>Starts with <paramref name="streams"/>.</summary>
    public StaticDeliveryStreamProvider(params SinkDeliveryStream[] streams) => _streams = streams;

    /// <summary>Replaces the list (the worker notices at its next poll).</summary>
    public void Set(params SinkDeliveryStream[] streams) => _streams = streams;

    /// <inheritdoc />
    public ValueTask<IReadOnlyCollection<SinkDeliveryStream>> GetActiveDeliveryStreamsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(_streams);
}
