using KafkaKinesisBridge.Firehose.Model;

namespace KafkaKinesisBridge.Firehose;

/// <summary>
/// What the delivery side (the sink worker) adds to the API's checks and lifecycle, registered by the
/// host: the API refuses a configuration the worker could not deliver by, and a deleted delivery
/// stream's delivery state is dropped so a stream re-created under the same name starts afresh.
/// </summary>
public interface IDeliveryStreamHooks
{
    /// <summary>Null when the worker can deliver by <paramref name="stream"/>, else why not (answered InvalidArgumentException).</summary>
    string? Validate(DeliveryStream stream);

    /// <summary>Called after <paramref name="stream"/> was deleted.</summary>
    ValueTask OnDeletedAsync(DeliveryStream stream, CancellationToken cancellationToken);
}
