using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using KafkaKinesisBridge.Contracts.Streams.V1;
using static KafkaKinesisBridge.Api.Grpc.Internal.ProtoMapper;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>
/// The <c>kafkakinesisbridge.streams.v1.KinesisStreams</c> gRPC service: each method translates its
/// protobuf request into the core's model, calls <see cref="CoreApi.IStreamsService"/>, and translates
/// the response back. A <see cref="CoreApi.KinesisException"/> is left to KinesisStreamsMethodProvider,
/// which gives it the error shape of streams.proto. No Kinesis rule is implemented here.
/// </summary>
/// <remarks>
/// Served by Grpc.AspNetCore through <see cref="KinesisStreamsMethodProvider"/>, which binds each
/// method with its marshallers (hand-made for PutRecords and GetRecords). A new RPC is one method
/// here and one line there.
/// </remarks>
internal sealed partial class KinesisStreamsGrpcService(CoreApi.IStreamsService streams)
{
    private readonly CoreApi.IStreamsService _streams = streams;

    // ----- Stream lifecycle ----------------------------------------------------------------------

    public async Task<Proto.CreateStreamResponse> CreateStream(Proto.CreateStreamRequest r, ServerCallContext c)
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

    public async Task<Proto.DeleteStreamResponse> DeleteStream(Proto.DeleteStreamRequest r, ServerCallContext c)
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

    public async Task<Proto.DescribeStreamResponse> DescribeStream(Proto.DescribeStreamRequest r, ServerCallContext c)
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

    public async Task<Proto.DescribeStreamSummaryResponse> DescribeStreamSummary(Proto.DescribeStreamSummaryRequest r, ServerCallContext c)
    {
        var response = await _streams.DescribeStreamSummaryAsync(
            new CoreApi.DescribeStreamSummaryRequest { StreamName = Optional(r.StreamName), StreamARN = Optional(r.StreamArn) },
            c.CancellationToken);
        return new Proto.DescribeStreamSummaryResponse { StreamDescriptionSummary = ToProto(response.StreamDescriptionSummary) };
    }

    public async Task<Proto.ListStreamsResponse> ListStreams(Proto.ListStreamsRequest r, ServerCallContext c)
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

    public async Task<Proto.ListShardsResponse> ListShards(Proto.ListShardsRequest r, ServerCallContext c)
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

    public async Task<Proto.PutRecordResponse> PutRecord(Proto.PutRecordRequest r, ServerCallContext c)
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
    public async Task<PutRecordsGrpcResponse> PutRecords(PutRecordsGrpcRequest r, ServerCallContext c)
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

    public async Task<Proto.GetShardIteratorResponse> GetShardIterator(Proto.GetShardIteratorRequest r, ServerCallContext c)
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

    public async Task<GetRecordsGrpcResponse> GetRecords(Proto.GetRecordsRequest r, ServerCallContext c)
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

    public async Task<Proto.IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriod(Proto.IncreaseStreamRetentionPeriodRequest r, ServerCallContext c)
    {
        await _streams.IncreaseStreamRetentionPeriodAsync(RetentionRequest(r.StreamName, r.StreamArn, r.RetentionPeriodHours), c.CancellationToken);
        return new Proto.IncreaseStreamRetentionPeriodResponse();
    }

    public async Task<Proto.DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriod(Proto.DecreaseStreamRetentionPeriodRequest r, ServerCallContext c)
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

    public async Task<Proto.UpdateMaxRecordSizeResponse> UpdateMaxRecordSize(Proto.UpdateMaxRecordSizeRequest r, ServerCallContext c)
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

    public async Task<Proto.EnhancedMonitoringOutput> EnableEnhancedMonitoring(Proto.EnableEnhancedMonitoringRequest r, ServerCallContext c) =>
        ToProto(await _streams.EnableEnhancedMonitoringAsync(MonitoringRequest(r.StreamName, r.StreamArn, r.ShardLevelMetrics), c.CancellationToken));

    public async Task<Proto.EnhancedMonitoringOutput> DisableEnhancedMonitoring(Proto.DisableEnhancedMonitoringRequest r, ServerCallContext c) =>
        ToProto(await _streams.DisableEnhancedMonitoringAsync(MonitoringRequest(r.StreamName, r.StreamArn, r.ShardLevelMetrics), c.CancellationToken));

    private static CoreApi.EnhancedMonitoringRequest MonitoringRequest(string streamName, string streamArn, IReadOnlyList<string> metrics) => new()
    {
        StreamName = Optional(streamName),
        StreamARN = Optional(streamArn),
        // An empty list is "missing", which the core refuses as Kinesis does.
        ShardLevelMetrics = metrics.Count == 0 ? null : metrics,
    };

    public async Task<Proto.DescribeLimitsResponse> DescribeLimits(Proto.DescribeLimitsRequest r, ServerCallContext c)
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

    public async Task<Proto.AddTagsToStreamResponse> AddTagsToStream(Proto.AddTagsToStreamRequest r, ServerCallContext c)
    {
        await _streams.AddTagsToStreamAsync(
            new CoreApi.AddTagsToStreamRequest { StreamName = Optional(r.StreamName), StreamARN = Optional(r.StreamArn), Tags = Optional(r.Tags) },
            c.CancellationToken);
        return new Proto.AddTagsToStreamResponse();
    }

    public async Task<Proto.RemoveTagsFromStreamResponse> RemoveTagsFromStream(Proto.RemoveTagsFromStreamRequest r, ServerCallContext c)
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

    public async Task<Proto.ListTagsForStreamResponse> ListTagsForStream(Proto.ListTagsForStreamRequest r, ServerCallContext c)
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
