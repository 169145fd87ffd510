using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Streams;

// Enhanced fan-out: RegisterStreamConsumer, DeregisterStreamConsumer, DescribeStreamConsumer,
// ListStreamConsumers (Kinesis API reference).
public sealed partial class StreamsService
{
    /// <inheritdoc />
    public ValueTask<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken) =>
        throw NotYet("RegisterStreamConsumer");

    /// <inheritdoc />
    public ValueTask DeregisterStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken) =>
        throw NotYet("DeregisterStreamConsumer");

    /// <inheritdoc />
    public ValueTask<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken) =>
        throw NotYet("DescribeStreamConsumer");

    /// <inheritdoc />
    public ValueTask<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken) =>
        throw NotYet("ListStreamConsumers");

    /// <inheritdoc />
    public ValueTask<ShardSubscription> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken) =>
        throw NotYet("SubscribeToShard");

    private static KinesisException NotYet(string operation) =>
        new(KinesisErrorCode.InternalFailure, operation + " is being implemented on this branch.");
}
