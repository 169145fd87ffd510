using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using KafkaKinesisBridge.Firehose;
using KafkaKinesisBridge.Firehose.Model;
using Proto = KafkaKinesisBridge.Contracts.Firehose.V1;

namespace KafkaKinesisBridge.Api.Firehose;

/// <summary>
/// The Firehose operations over gRPC (<c>protos/kafkakinesisbridge/firehose/v1/firehose.proto</c>):
/// each request mapped onto the same <see cref="FirehoseService"/> the JSON door uses, errors as a
/// gRPC status with the Firehose error name in the <c>firehose-error-type</c> trailer.
/// </summary>
public sealed class FirehoseGrpcService(FirehoseService firehose) : Proto.Firehose.FirehoseBase
{
    /// <summary>The trailer that carries the Firehose error name.</summary>
    public const string ErrorTypeTrailer = "firehose-error-type";

    public override Task<Proto.CreateDeliveryStreamResponse> CreateDeliveryStream(Proto.CreateDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () => new Proto.CreateDeliveryStreamResponse
        {
            DeliveryStreamArn = await firehose.CreateDeliveryStreamAsync(
                new CreateDeliveryStreamRequest
                {
                    DeliveryStreamName = request.DeliveryStreamName,
                    DeliveryStreamType = NullIfEmpty(request.DeliveryStreamType),
                    KinesisStreamSourceConfiguration = request.KinesisStreamSourceConfiguration is { } source
                        ? new KinesisStreamSourceConfiguration { KinesisStreamARN = source.KinesisStreamArn, RoleARN = source.RoleArn }
                        : null,
                    S3DestinationConfiguration = ToDestination(request.S3DestinationConfiguration),
                    ExtendedS3DestinationConfiguration = ToDestination(request.ExtendedS3DestinationConfiguration),
                    Tags = request.Tags.Count == 0 ? null : [.. request.Tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })],
                },
                context.CancellationToken),
        });

    public override Task<Proto.DescribeDeliveryStreamResponse> DescribeDeliveryStream(Proto.DescribeDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () => new Proto.DescribeDeliveryStreamResponse
        {
            DeliveryStreamDescription = ToDescription(await firehose.DescribeDeliveryStreamAsync(request.DeliveryStreamName, context.CancellationToken)),
        });

    public override Task<Proto.ListDeliveryStreamsResponse> ListDeliveryStreams(Proto.ListDeliveryStreamsRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            var page = await firehose.ListDeliveryStreamsAsync(
                request.HasLimit ? request.Limit : null,
                request.HasDeliveryStreamType ? request.DeliveryStreamType : null,
                request.HasExclusiveStartDeliveryStreamName ? request.ExclusiveStartDeliveryStreamName : null,
                context.CancellationToken);
            var response = new Proto.ListDeliveryStreamsResponse { HasMoreDeliveryStreams = page.HasMoreDeliveryStreams };
            response.DeliveryStreamNames.AddRange(page.DeliveryStreamNames);
            return response;
        });

    public override Task<Proto.DeleteDeliveryStreamResponse> DeleteDeliveryStream(Proto.DeleteDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            await firehose.DeleteDeliveryStreamAsync(request.DeliveryStreamName, context.CancellationToken);
            return new Proto.DeleteDeliveryStreamResponse();
        });

    public override Task<Proto.PutRecordResponse> PutRecord(Proto.PutRecordRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            if (request.Record is null)
            {
                throw FirehoseErrors.Missing("record");
            }

            ReadOnlyMemory<byte>[] records = [request.Record.Data.Memory];
            FirehoseService.ValidateBatch(records, batch: false);
            var result = (await firehose.PutRecordsAsync(request.DeliveryStreamName, records, context.CancellationToken))[0];
            return result.ErrorCode is null
                ? new Proto.PutRecordResponse { RecordId = result.RecordId }
                : throw new FirehoseException(result.ErrorCode, result.ErrorMessage ?? string.Empty);
        });

    public override Task<Proto.PutRecordBatchResponse> PutRecordBatch(Proto.PutRecordBatchRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            var records = request.Records.Select(r => r.Data.Memory).ToArray();
            FirehoseService.ValidateBatch(records, batch: true);
            var results = await firehose.PutRecordsAsync(request.DeliveryStreamName, records, context.CancellationToken);
            var response = new Proto.PutRecordBatchResponse();
            foreach (var result in results)
            {
                response.FailedPutCount += result.ErrorCode is null ? 0 : 1;
                response.RequestResponses.Add(new Proto.PutRecordBatchResponseEntry
                {
                    RecordId = result.RecordId ?? string.Empty,
                    ErrorCode = result.ErrorCode ?? string.Empty,
                    ErrorMessage = result.ErrorMessage ?? string.Empty,
                });
            }

            return response;
        });

    public override Task<Proto.UpdateDestinationResponse> UpdateDestination(Proto.UpdateDestinationRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            await firehose.UpdateDestinationAsync(
                new UpdateDestinationRequest
                {
                    DeliveryStreamName = request.DeliveryStreamName,
                    CurrentDeliveryStreamVersionId = request.CurrentDeliveryStreamVersionId,
                    DestinationId = request.DestinationId,
                    S3DestinationUpdate = ToDestination(request.S3DestinationUpdate),
                    ExtendedS3DestinationUpdate = ToDestination(request.ExtendedS3DestinationUpdate),
                },
                context.CancellationToken);
            return new Proto.UpdateDestinationResponse();
        });

    public override Task<Proto.TagDeliveryStreamResponse> TagDeliveryStream(Proto.TagDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            await firehose.TagDeliveryStreamAsync(request.DeliveryStreamName, [.. request.Tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })], context.CancellationToken);
            return new Proto.TagDeliveryStreamResponse();
        });

    public override Task<Proto.UntagDeliveryStreamResponse> UntagDeliveryStream(Proto.UntagDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            await firehose.UntagDeliveryStreamAsync(request.DeliveryStreamName, [.. request.TagKeys], context.CancellationToken);
            return new Proto.UntagDeliveryStreamResponse();
        });

    public override Task<Proto.ListTagsForDeliveryStreamResponse> ListTagsForDeliveryStream(Proto.ListTagsForDeliveryStreamRequest request, ServerCallContext context) =>
        Call(async () =>
        {
            var page = await firehose.ListTagsForDeliveryStreamAsync(
                request.DeliveryStreamName,
                request.HasExclusiveStartTagKey ? request.ExclusiveStartTagKey : null,
                request.HasLimit ? request.Limit : null,
                context.CancellationToken);
            var response = new Proto.ListTagsForDeliveryStreamResponse { HasMoreTags = page.HasMoreTags };
            response.Tags.AddRange(page.Tags.Select(t => new Proto.Tag { Key = t.Key, Value = t.Value }));
            return response;
        });

    /// <summary>Runs an operation, turning a Firehose error into its gRPC status and trailer.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (FirehoseException e)
        {
            var code = e.ErrorName switch
            {
                FirehoseErrors.ResourceNotFound => StatusCode.NotFound,
                FirehoseErrors.ResourceInUse => StatusCode.FailedPrecondition,
                FirehoseErrors.InvalidArgument or FirehoseErrors.Validation => StatusCode.InvalidArgument,
                FirehoseErrors.ConcurrentModification => StatusCode.Aborted,
                FirehoseErrors.LimitExceeded => StatusCode.ResourceExhausted,
                FirehoseErrors.ServiceUnavailable => StatusCode.Unavailable,
                _ => StatusCode.Internal,
            };
            throw new RpcException(new Status(code, e.Message), new Metadata { { ErrorTypeTrailer, e.ErrorName } });
        }
    }

    private static DestinationConfiguration? ToDestination(Proto.S3DestinationConfiguration? d) => d is null ? null : new DestinationConfiguration
    {
        RoleARN = d.HasRoleArn ? d.RoleArn : null,
        BucketARN = d.HasBucketArn ? d.BucketArn : null,
        Prefix = d.HasPrefix ? d.Prefix : null,
        ErrorOutputPrefix = d.HasErrorOutputPrefix ? d.ErrorOutputPrefix : null,
        BufferingHints = d.BufferingHints is { } hints
            ? new BufferingHints { SizeInMBs = hints.HasSizeInMbs ? hints.SizeInMbs : null, IntervalInSeconds = hints.HasIntervalInSeconds ? hints.IntervalInSeconds : null }
            : null,
        CompressionFormat = d.HasCompressionFormat ? d.CompressionFormat : null,
        FileExtension = d.HasFileExtension ? d.FileExtension : null,
        CustomTimeZone = d.HasCustomTimeZone ? d.CustomTimeZone : null,
        ProcessingConfiguration = d.ProcessingConfiguration is { } processing
            ? new ProcessingConfiguration
            {
                Enabled = processing.HasEnabled ? processing.Enabled : null,
                Processors = [.. processing.Processors.Select(p => new ProcessorConfiguration
                {
                    Type = p.Type,
                    Parameters = [.. p.Parameters.Select(x => new ProcessorParameter { ParameterName = x.ParameterName, ParameterValue = x.ParameterValue })],
                })],
            }
            : null,
    };

    private static Proto.DeliveryStreamDescription ToDescription(DeliveryStream stream)
    {
        var d = stream.Destination;
        var destination = new Proto.S3DestinationDescription
        {
            DestinationId = FirehoseService.DestinationId,
            RoleArn = d.RoleARN,
            BucketArn = d.BucketARN,
            Prefix = d.Prefix ?? string.Empty,
            ErrorOutputPrefix = d.ErrorOutputPrefix ?? string.Empty,
            SizeInMbs = d.SizeInMBs,
            IntervalInSeconds = d.IntervalInSeconds,
            CompressionFormat = d.CompressionFormat,
            FileExtension = d.FileExtension ?? string.Empty,
            CustomTimeZone = d.CustomTimeZone ?? string.Empty,
            Extended = d.Extended,
            ProcessingConfiguration = new Proto.ProcessingConfiguration { Enabled = d.ProcessingEnabled },
        };
        foreach (var processor in d.Processors)
        {
            var p = new Proto.Processor { Type = processor.Type };
            p.Parameters.AddRange(processor.Parameters.Select(x => new Proto.ProcessorParameter { ParameterName = x.Key, ParameterValue = x.Value }));
            destination.ProcessingConfiguration.Processors.Add(p);
        }

        var description = new Proto.DeliveryStreamDescription
        {
            DeliveryStreamName = stream.Name,
            DeliveryStreamArn = stream.Arn,
            DeliveryStreamStatus = stream.Status.ToString(),
            DeliveryStreamType = stream.Type.ToString(),
            VersionId = stream.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            CreateTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(stream.CreatedAtMs)),
            KinesisStreamArn = stream.Source?.KinesisStreamARN ?? string.Empty,
            HasMoreDestinations = false,
        };
        if (stream.VersionId > 1)
        {
            description.LastUpdateTimestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(stream.UpdatedAtMs));
        }

        description.Destinations.Add(destination);
        return description;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
