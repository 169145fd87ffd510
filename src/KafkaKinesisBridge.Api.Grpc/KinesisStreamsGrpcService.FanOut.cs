using Grpc.Core;
using static KafkaKinesisBridge.Api.Grpc.Internal.ProtoMapper;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc;

// Enhanced fan-out: the consumer operations, and SubscribeToShard as server streaming (one message
// per Kinesis SubscribeToShardEvent, written and flushed as the core pushes it).
internal sealed partial class KinesisStreamsGrpcService
{
    public async Task<Proto.RegisterStreamConsumerResponse> RegisterStreamConsumer(Proto.RegisterStreamConsumerRequest r, ServerCallContext c)
    {
        var response = await _streams.RegisterStreamConsumerAsync(
            new CoreApi.RegisterStreamConsumerRequest { StreamARN = Optional(r.StreamArn), ConsumerName = Optional(r.ConsumerName), Tags = Optional(r.Tags) },
            c.CancellationToken);
        return new Proto.RegisterStreamConsumerResponse { Consumer = ConsumerToProto(response.Consumer) };
    }

    public async Task<Proto.DeregisterStreamConsumerResponse> DeregisterStreamConsumer(Proto.DeregisterStreamConsumerRequest r, ServerCallContext c)
    {
        await _streams.DeregisterStreamConsumerAsync(
            new CoreApi.StreamConsumerRequest { StreamARN = Optional(r.StreamArn), ConsumerName = Optional(r.ConsumerName), ConsumerARN = Optional(r.ConsumerArn) },
            c.CancellationToken);
        return new Proto.DeregisterStreamConsumerResponse();
    }

    public async Task<Proto.DescribeStreamConsumerResponse> DescribeStreamConsumer(Proto.DescribeStreamConsumerRequest r, ServerCallContext c)
    {
        var response = await _streams.DescribeStreamConsumerAsync(
            new CoreApi.StreamConsumerRequest { StreamARN = Optional(r.StreamArn), ConsumerName = Optional(r.ConsumerName), ConsumerARN = Optional(r.ConsumerArn) },
            c.CancellationToken);
        var d = response.ConsumerDescription;
        return new Proto.DescribeStreamConsumerResponse
        {
            ConsumerDescription = new Proto.ConsumerDescription
            {
                ConsumerName = d.ConsumerName,
                ConsumerArn = d.ConsumerARN,
                ConsumerStatus = ConsumerStatusToProto(d.ConsumerStatus),
                ConsumerCreationTimestamp = ToTimestamp(d.ConsumerCreationTimestamp),
                StreamArn = d.StreamARN,
            },
        };
    }

    public async Task<Proto.ListStreamConsumersResponse> ListStreamConsumers(Proto.ListStreamConsumersRequest r, ServerCallContext c)
    {
        var response = await _streams.ListStreamConsumersAsync(
            new CoreApi.ListStreamConsumersRequest
            {
                StreamARN = Optional(r.StreamArn),
                NextToken = Optional(r.NextToken),
                MaxResults = r.HasMaxResults ? r.MaxResults : null,
                StreamCreationTimestamp = Optional(r.StreamCreationTimestamp),
            },
            c.CancellationToken);
        var result = new Proto.ListStreamConsumersResponse();
        foreach (var consumer in response.Consumers)
        {
            result.Consumers.Add(ConsumerToProto(consumer));
        }

        if (response.NextToken is { } next)
        {
            result.NextToken = next;
        }

        return result;
    }

    /// <summary>
    /// Opens the subscription (its errors end the call before any message, with the Kinesis error
    /// shape), then writes each event as it comes. A later Kinesis error ends the call with that error
    /// in the trailers; the lifetime's end or a closed shard's end ends it with OK. The client going
    /// away cancels the call, which disposes the subscription.
    /// </summary>
    public async Task SubscribeToShard(Proto.SubscribeToShardRequest r, IServerStreamWriter<Proto.SubscribeToShardEvent> writer, ServerCallContext c)
    {
        var position = r.StartingPosition;
        await using var subscription = await _streams.SubscribeToShardAsync(
            new CoreApi.SubscribeToShardRequest
            {
                ConsumerARN = Optional(r.ConsumerArn),
                ShardId = Optional(r.ShardId),
                StartingPosition = position is null ? null : new CoreApi.StartingPosition
                {
                    Type = ToCore(position.Type),
                    SequenceNumber = Optional(position.SequenceNumber),
                    Timestamp = Optional(position.Timestamp),
                },
            },
            c.CancellationToken);
        await foreach (var item in subscription.ReadAllAsync(c.CancellationToken))
        {
            // The message wraps the event's storage memory: write it before disposing the event.
            using (item)
            {
                await writer.WriteAsync(EventToProto(item), c.CancellationToken);
            }
        }
    }

    private static Proto.SubscribeToShardEvent EventToProto(CoreApi.SubscribeToShardEvent item)
    {
        var message = new Proto.SubscribeToShardEvent
        {
            // Empty at a closed shard's end (Kinesis: null), with child_shards set.
            ContinuationSequenceNumber = item.ContinuationSequenceNumber?.ToString() ?? string.Empty,
            MillisBehindLatest = item.MillisBehindLatest,
        };
        foreach (var record in item.Records)
        {
            message.Records.Add(Internal.ProtoMapper.ToProto(record));
        }

        if (item.ChildShards is { } children)
        {
            foreach (var child in children)
            {
                message.ChildShards.Add(Internal.ProtoMapper.ToProto(child));
            }
        }

        return message;
    }

    private static Proto.Consumer ConsumerToProto(CoreApi.Consumer consumer) => new()
    {
        ConsumerName = consumer.ConsumerName,
        ConsumerArn = consumer.ConsumerARN,
        ConsumerStatus = ConsumerStatusToProto(consumer.ConsumerStatus),
        ConsumerCreationTimestamp = ToTimestamp(consumer.ConsumerCreationTimestamp),
    };

    private static Proto.ConsumerStatus ConsumerStatusToProto(CoreApi.ConsumerStatus status) => status switch
    {
        CoreApi.ConsumerStatus.Creating => Proto.ConsumerStatus.Creating,
        CoreApi.ConsumerStatus.Deleting => Proto.ConsumerStatus.Deleting,
        CoreApi.ConsumerStatus.Active => Proto.ConsumerStatus.Active,
        _ => Proto.ConsumerStatus.Unspecified,
    };
}
