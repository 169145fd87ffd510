using System.Buffers;
using KafkaKinesisBridge.Api.Grpc.Internal;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Grpc;
using static KafkaKinesisBridge.Api.Grpc.Internal.ProtoMapper;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>
/// The <c>kafkakinesisbridge.streams.v1.KinesisStreams</c> gRPC service: each method translates its
/// protobuf request into the core's model, calls <see cref="CoreApi.IStreamsService"/>, and translates
/// the response, or the <see cref="CoreApi.KinesisException"/>, back (see streams.proto for the error
/// contract). No Kinesis rule is implemented here.
/// </summary>
public sealed class KinesisStreamsGrpcService
{
    private readonly CoreApi.IStreamsService _streams;

    /// <summary>Creates the service over the core.</summary>
    public KinesisStreamsGrpcService(CoreApi.IStreamsService streams)
    {
        _streams = streams;
    }

    /// <summary>The transport definition with every method of the service.</summary>
    public GrpcServiceDefinition CreateDefinition() =>
        GrpcServiceDefinition.CreateBuilder(KinesisStreamsMethods.ServiceName)
            .AddUnaryMethod(KinesisStreamsMethods.CreateStream, (r, c) => Call(r, c, CreateStreamAsync))
            .AddUnaryMethod(KinesisStreamsMethods.DeleteStream, (r, c) => Call(r, c, DeleteStreamAsync))
            .AddUnaryMethod(KinesisStreamsMethods.DescribeStream, (r, c) => Call(r, c, DescribeStreamAsync))
            .AddUnaryMethod(KinesisStreamsMethods.DescribeStreamSummary, (r, c) => Call(r, c, DescribeStreamSummaryAsync))
            .AddUnaryMethod(KinesisStreamsMethods.ListStreams, (r, c) => Call(r, c, ListStreamsAsync))
            .AddUnaryMethod(KinesisStreamsMethods.ListShards, (r, c) => Call(r, c, ListShardsAsync))
            .AddUnaryMethod(KinesisStreamsMethods.PutRecord, (r, c) => Call(r, c, PutRecordAsync))
            .AddUnaryMethod(KinesisStreamsMethods.PutRecords.Name, PutRecordsGrpcRequest.Marshaller, PutRecordsGrpcResponse.Marshaller, (r, c) => Call(r, c, PutRecordsAsync))
            .AddUnaryMethod(KinesisStreamsMethods.GetShardIterator, (r, c) => Call(r, c, GetShardIteratorAsync))
            .AddUnaryMethod(KinesisStreamsMethods.GetRecords.Name, Marshallers.Protobuf(Proto.GetRecordsRequest.Parser), GetRecordsGrpcResponse.Marshaller, (r, c) => Call(r, c, GetRecordsAsync))
            .AddUnaryMethod(KinesisStreamsMethods.IncreaseStreamRetentionPeriod, (r, c) => Call(r, c, IncreaseRetentionAsync))
            .AddUnaryMethod(KinesisStreamsMethods.DecreaseStreamRetentionPeriod, (r, c) => Call(r, c, DecreaseRetentionAsync))
            .AddUnaryMethod(KinesisStreamsMethods.UpdateMaxRecordSize, (r, c) => Call(r, c, UpdateMaxRecordSizeAsync))
            .AddUnaryMethod(KinesisStreamsMethods.DescribeLimits, (r, c) => Call(r, c, DescribeLimitsAsync))
            .AddUnaryMethod(KinesisStreamsMethods.AddTagsToStream, (r, c) => Call(r, c, AddTagsToStreamAsync))
            .AddUnaryMethod(KinesisStreamsMethods.RemoveTagsFromStream, (r, c) => Call(r, c, RemoveTagsFromStreamAsync))
            .AddUnaryMethod(KinesisStreamsMethods.ListTagsForStream, (r, c) => Call(r, c, ListTagsForStreamAsync))
            .Build();

    private static async ValueTask<TResponse> Call<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
    {
        try
        {
            return await handler(request, context);
        }
        catch (CoreApi.KinesisException error)
        {
            throw KinesisGrpcErrors.ToGrpc(error);
        }
    }

    // ----- Stream lifecycle ----------------------------------------------------------------------

    private async ValueTask<Proto.CreateStreamResponse> CreateStreamAsync(Proto.CreateStreamRequest r, ServerCallContext c)
    {
        await _streams.CreateStreamAsync(
            new CoreApi.CreateStreamRequest
            {
                StreamName = Optional(r.StreamName),
                ShardCount = r.HasShardCount ? r.ShardCount : null,
                StreamModeDetails = ToCore(r.StreamModeDetails),
                Tags = Optional(r.Tags),
                MaxRecordSizeInKiB = r.HasMaxRecordSizeInKib ? r.MaxRecordSizeInKib : null,
            },
            c.CancellationToken);
        return new Proto.CreateStreamResponse();
    }

    private async ValueTask<Proto.DeleteStreamResponse> DeleteStreamAsync(Proto.DeleteStreamRequest r, ServerCallContext c)
    {
        await _streams.DeleteStreamAsync(
            new CoreApi.DeleteStreamRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                EnforceConsumerDeletion = r.HasEnforceConsumerDeletion ? r.EnforceConsumerDeletion : null,
            },
            c.CancellationToken);
        return new Proto.DeleteStreamResponse();
    }

    private async ValueTask<Proto.DescribeStreamResponse> DescribeStreamAsync(Proto.DescribeStreamRequest r, ServerCallContext c)
    {
        var response = await _streams.DescribeStreamAsync(
            new CoreApi.DescribeStreamRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                Limit = r.HasLimit ? r.Limit : null,
                ExclusiveStartShardId = Optional(r.ExclusiveStartShardId),
            },
            c.CancellationToken);
        return new Proto.DescribeStreamResponse { StreamDescription = ToProto(response.StreamDescription) };
    }

    private async ValueTask<Proto.DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(Proto.DescribeStreamSummaryRequest r, ServerCallContext c)
    {
        var response = await _streams.DescribeStreamSummaryAsync(
            new CoreApi.DescribeStreamSummaryRequest { StreamName = Optional(r.StreamName), StreamARN = Optional(r.StreamArn) },
            c.CancellationToken);
        return new Proto.DescribeStreamSummaryResponse { StreamDescriptionSummary = ToProto(response.StreamDescriptionSummary) };
    }

    private async ValueTask<Proto.ListStreamsResponse> ListStreamsAsync(Proto.ListStreamsRequest r, ServerCallContext c)
    {
        var response = await _streams.ListStreamsAsync(
            new CoreApi.ListStreamsRequest
            {
                Limit = r.HasLimit ? r.Limit : null,
                ExclusiveStartStreamName = Optional(r.ExclusiveStartStreamName),
                NextToken = Optional(r.NextToken),
            },
            c.CancellationToken);
        var result = new Proto.ListStreamsResponse { HasMoreStreams = response.HasMoreStreams, NextToken = response.NextToken ?? string.Empty };
        result.StreamNames.AddRange(response.StreamNames);
        foreach (var summary in response.StreamSummaries)
        {
            result.StreamSummaries.Add(ToProto(summary));
        }

        return result;
    }

    private async ValueTask<Proto.ListShardsResponse> ListShardsAsync(Proto.ListShardsRequest r, ServerCallContext c)
    {
        var response = await _streams.ListShardsAsync(
            new CoreApi.ListShardsRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                NextToken = Optional(r.NextToken),
                ExclusiveStartShardId = Optional(r.ExclusiveStartShardId),
                MaxResults = r.HasMaxResults ? r.MaxResults : null,
                StreamCreationTimestamp = Optional(r.StreamCreationTimestamp),
                ShardFilter = ToCore(r.ShardFilter),
            },
            c.CancellationToken);
        var result = new Proto.ListShardsResponse { NextToken = response.NextToken ?? string.Empty };
        foreach (var shard in response.Shards)
        {
            result.Shards.Add(ToProto(shard));
        }

        return result;
    }

    // ----- Data plane ----------------------------------------------------------------------------

    private async ValueTask<Proto.PutRecordResponse> PutRecordAsync(Proto.PutRecordRequest r, ServerCallContext c)
    {
        var response = await _streams.PutRecordAsync(
            new CoreApi.PutRecordRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                Data = r.Data.Memory,
                PartitionKey = Optional(r.PartitionKey),
                ExplicitHashKey = Optional(r.ExplicitHashKey),
                SequenceNumberForOrdering = Optional(r.SequenceNumberForOrdering),
            },
            c.CancellationToken);
        return new Proto.PutRecordResponse
        {
            ShardId = response.ShardId,
            SequenceNumber = response.SequenceNumber.ToString(),
            EncryptionType = ToProto(response.EncryptionType),
        };
    }

    // PutRecords and GetRecords, the hot methods, are read and written by hand-made codecs
    // (Internal/Wire) instead of Google.Protobuf message objects: no object, ByteString or string
    // per record beyond the partition key the core takes. The bytes on the wire are the same.
    private async ValueTask<PutRecordsGrpcResponse> PutRecordsAsync(PutRecordsGrpcRequest r, ServerCallContext c)
    {
        var response = await _streams.PutRecordsAsync(
            new CoreApi.PutRecordsRequest
            {
                StreamName = r.StreamName,
                StreamARN = r.StreamArn,
                Records = r.Records,
            },
            c.CancellationToken);
        return new PutRecordsGrpcResponse(response);
    }

    private async ValueTask<Proto.GetShardIteratorResponse> GetShardIteratorAsync(Proto.GetShardIteratorRequest r, ServerCallContext c)
    {
        var response = await _streams.GetShardIteratorAsync(
            new CoreApi.GetShardIteratorRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                ShardId = Optional(r.ShardId),
                ShardIteratorType = ToCore(r.ShardIteratorType),
                StartingSequenceNumber = Optional(r.StartingSequenceNumber),
                Timestamp = Optional(r.Timestamp),
            },
            c.CancellationToken);
        return new Proto.GetShardIteratorResponse { ShardIterator = response.ShardIterator };
    }

    private async ValueTask<GetRecordsGrpcResponse> GetRecordsAsync(Proto.GetRecordsRequest r, ServerCallContext c)
    {
        // The response points into storage memory until the transport has written and disposed it.
        var response = await _streams.GetRecordsAsync(
            new CoreApi.GetRecordsRequest
            {
                ShardIterator = Optional(r.ShardIterator),
                Limit = r.HasLimit ? r.Limit : null,
                StreamARN = Optional(r.StreamArn),
            },
            c.CancellationToken);
        return new GetRecordsGrpcResponse(response);
    }

    private async ValueTask<Proto.IncreaseStreamRetentionPeriodResponse> IncreaseRetentionAsync(Proto.IncreaseStreamRetentionPeriodRequest r, ServerCallContext c)
    {
        await _streams.IncreaseStreamRetentionPeriodAsync(RetentionRequest(r.StreamName, r.StreamArn, r.RetentionPeriodHours), c.CancellationToken);
        return new Proto.IncreaseStreamRetentionPeriodResponse();
    }

    private async ValueTask<Proto.DecreaseStreamRetentionPeriodResponse> DecreaseRetentionAsync(Proto.DecreaseStreamRetentionPeriodRequest r, ServerCallContext c)
    {
        await _streams.DecreaseStreamRetentionPeriodAsync(RetentionRequest(r.StreamName, r.StreamArn, r.RetentionPeriodHours), c.CancellationToken);
        return new Proto.DecreaseStreamRetentionPeriodResponse();
    }

    private static CoreApi.UpdateStreamRetentionPeriodRequest RetentionRequest(string streamName, string streamArn, int hours) => new()
    {
        StreamName = Optional(streamName),
        StreamARN = Optional(streamArn),
        RetentionPeriodHours = hours,
    };

    private async ValueTask<Proto.UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(Proto.UpdateMaxRecordSizeRequest r, ServerCallContext c)
    {
        await _streams.UpdateMaxRecordSizeAsync(
            new CoreApi.UpdateMaxRecordSizeRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                MaxRecordSizeInKiB = r.MaxRecordSizeInKib,
            },
            c.CancellationToken);
        return new Proto.UpdateMaxRecordSizeResponse();
    }

    private async ValueTask<Proto.DescribeLimitsResponse> DescribeLimitsAsync(Proto.DescribeLimitsRequest r, ServerCallContext c)
    {
        var limits = await _streams.DescribeLimitsAsync(c.CancellationToken);
        return new Proto.DescribeLimitsResponse
        {
            ShardLimit = limits.ShardLimit,
            OpenShardCount = limits.OpenShardCount,
            OnDemandStreamCount = limits.OnDemandStreamCount,
            OnDemandStreamCountLimit = limits.OnDemandStreamCountLimit,
        };
    }

    private async ValueTask<Proto.AddTagsToStreamResponse> AddTagsToStreamAsync(Proto.AddTagsToStreamRequest r, ServerCallContext c)
    {
        await _streams.AddTagsToStreamAsync(
            new CoreApi.AddTagsToStreamRequest { StreamName = Optional(r.StreamName), StreamARN = Optional(r.StreamArn), Tags = Optional(r.Tags) },
            c.CancellationToken);
        return new Proto.AddTagsToStreamResponse();
    }

    private async ValueTask<Proto.RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(Proto.RemoveTagsFromStreamRequest r, ServerCallContext c)
    {
        await _streams.RemoveTagsFromStreamAsync(
            new CoreApi.RemoveTagsFromStreamRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                TagKeys = r.TagKeys.Count == 0 ? null : r.TagKeys,
            },
            c.CancellationToken);
        return new Proto.RemoveTagsFromStreamResponse();
    }

    private async ValueTask<Proto.ListTagsForStreamResponse> ListTagsForStreamAsync(Proto.ListTagsForStreamRequest r, ServerCallContext c)
    {
        var response = await _streams.ListTagsForStreamAsync(
            new CoreApi.ListTagsForStreamRequest
            {
                StreamName = Optional(r.StreamName),
                StreamARN = Optional(r.StreamArn),
                ExclusiveStartTagKey = Optional(r.ExclusiveStartTagKey),
                Limit = r.HasLimit ? r.Limit : null,
            },
            c.CancellationToken);
        var result = new Proto.ListTagsForStreamResponse { HasMoreTags = response.HasMoreTags };
        foreach (var tag in response.Tags)
        {
            result.Tags.Add(new Proto.Tag { Key = tag.Key, Value = tag.Value ?? string.Empty });
        }

        return result;
    }
}
