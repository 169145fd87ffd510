using System.Diagnostics;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>
/// One span per API call around the core, whichever front door made it (<see cref="KinesisTelemetry.ActivitySourceName"/>),
/// named and tagged as OpenTelemetry's RPC conventions name AWS API calls (<c>rpc.system</c> aws-api,
/// <c>rpc.service</c> Kinesis, <c>rpc.method</c>, <c>aws.kinesis.stream_name</c>); a failed call
/// carries its Kinesis error name in <c>error.type</c>. Without a tracer listening, each call goes
/// straight to the core.
/// </summary>
internal sealed class TracedStreamsService(IStreamsService inner) : IStreamsService
{
    /// <inheritdoc />
    public ValueTask<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("CreateStream", request, static r => r.StreamName, static (s, r, ct) => s.CreateStreamAsync(r, ct), cancellationToken)
            : inner.CreateStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DeleteStream", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.DeleteStreamAsync(r, ct), cancellationToken)
            : inner.DeleteStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DescribeStream", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.DescribeStreamAsync(r, ct), cancellationToken)
            : inner.DescribeStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DescribeStreamSummary", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.DescribeStreamSummaryAsync(r, ct), cancellationToken)
            : inner.DescribeStreamSummaryAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("ListStreams", request, static r => null, static (s, r, ct) => s.ListStreamsAsync(r, ct), cancellationToken)
            : inner.ListStreamsAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("ListShards", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.ListShardsAsync(r, ct), cancellationToken)
            : inner.ListShardsAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("PutRecord", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.PutRecordAsync(r, ct), cancellationToken)
            : inner.PutRecordAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("PutRecords", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.PutRecordsAsync(r, ct), cancellationToken)
            : inner.PutRecordsAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("GetShardIterator", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.GetShardIteratorAsync(r, ct), cancellationToken)
            : inner.GetShardIteratorAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("GetRecords", request, static r => r.StreamARN, static (s, r, ct) => s.GetRecordsAsync(r, ct), cancellationToken)
            : inner.GetRecordsAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask IncreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("IncreaseStreamRetentionPeriod", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.IncreaseStreamRetentionPeriodAsync(r, ct), cancellationToken)
            : inner.IncreaseStreamRetentionPeriodAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask DecreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DecreaseStreamRetentionPeriod", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.DecreaseStreamRetentionPeriodAsync(r, ct), cancellationToken)
            : inner.DecreaseStreamRetentionPeriodAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("UpdateMaxRecordSize", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.UpdateMaxRecordSizeAsync(r, ct), cancellationToken)
            : inner.UpdateMaxRecordSizeAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("AddTagsToStream", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.AddTagsToStreamAsync(r, ct), cancellationToken)
            : inner.AddTagsToStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("RemoveTagsFromStream", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.RemoveTagsFromStreamAsync(r, ct), cancellationToken)
            : inner.RemoveTagsFromStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("ListTagsForStream", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.ListTagsForStreamAsync(r, ct), cancellationToken)
            : inner.ListTagsForStreamAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<EnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("EnableEnhancedMonitoring", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.EnableEnhancedMonitoringAsync(r, ct), cancellationToken)
            : inner.EnableEnhancedMonitoringAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<EnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DisableEnhancedMonitoring", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.DisableEnhancedMonitoringAsync(r, ct), cancellationToken)
            : inner.DisableEnhancedMonitoringAsync(request, cancellationToken);

    #region Resharding (issue 9)

    /// <inheritdoc />
    public ValueTask SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("SplitShard", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.SplitShardAsync(r, ct), cancellationToken)
            : inner.SplitShardAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("MergeShards", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.MergeShardsAsync(r, ct), cancellationToken)
            : inner.MergeShardsAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("UpdateShardCount", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.UpdateShardCountAsync(r, ct), cancellationToken)
            : inner.UpdateShardCountAsync(request, cancellationToken);

    #endregion

    // ----- On-demand capacity mode ---------------------------------------------------------------

    /// <inheritdoc />
    public ValueTask UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("UpdateStreamMode", request, static r => r.StreamName ?? r.StreamARN, static (s, r, ct) => s.UpdateStreamModeAsync(r, ct), cancellationToken)
            : inner.UpdateStreamModeAsync(request, cancellationToken);

    #region Enhanced fan-out

    /// <inheritdoc />
    public ValueTask<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("RegisterStreamConsumer", request, static r => r.StreamARN, static (s, r, ct) => s.RegisterStreamConsumerAsync(r, ct), cancellationToken)
            : inner.RegisterStreamConsumerAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask DeregisterStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DeregisterStreamConsumer", request, static r => r.StreamARN ?? r.ConsumerARN, static (s, r, ct) => s.DeregisterStreamConsumerAsync(r, ct), cancellationToken)
            : inner.DeregisterStreamConsumerAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DescribeStreamConsumer", request, static r => r.StreamARN ?? r.ConsumerARN, static (s, r, ct) => s.DescribeStreamConsumerAsync(r, ct), cancellationToken)
            : inner.DescribeStreamConsumerAsync(request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("ListStreamConsumers", request, static r => r.StreamARN, static (s, r, ct) => s.ListStreamConsumersAsync(r, ct), cancellationToken)
            : inner.ListStreamConsumersAsync(request, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The span covers opening the subscription, not the events that follow.</remarks>
    public ValueTask<ShardSubscription> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("SubscribeToShard", request, static r => r.ConsumerARN, static (s, r, ct) => s.SubscribeToShardAsync(r, ct), cancellationToken)
            : inner.SubscribeToShardAsync(request, cancellationToken);

    #endregion
    /// <inheritdoc />
    public ValueTask<DescribeLimitsResponse> DescribeLimitsAsync(CancellationToken cancellationToken) =>
        KinesisTelemetry.Source.HasListeners()
            ? TraceAsync("DescribeLimits", 0, static _ => null, static (s, _, ct) => s.DescribeLimitsAsync(ct), cancellationToken)
            : inner.DescribeLimitsAsync(cancellationToken);

    private static Activity? StartActivity(string operation, string? stream)
    {
        var activity = KinesisTelemetry.Source.StartActivity("Kinesis." + operation, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "aws-api");
            activity.SetTag("rpc.service", "Kinesis");
            activity.SetTag("rpc.method", operation);
            if (stream is not null)
            {
                activity.SetTag("aws.kinesis.stream_name", stream);
            }
        }

        return activity;
    }

    private static void Fail(Activity? activity, KinesisException error)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, error.ErrorName);
            activity.SetTag("error.type", error.ErrorName);
        }
    }

    private async ValueTask<TResponse> TraceAsync<TRequest, TResponse>(
        string operation,
        TRequest request,
        Func<TRequest, string?> stream,
        Func<IStreamsService, TRequest, CancellationToken, ValueTask<TResponse>> call,
        CancellationToken cancellationToken)
    {
        using var activity = StartActivity(operation, stream(request));
        try
        {
            return await call(inner, request, cancellationToken);
        }
        catch (KinesisException error)
        {
            Fail(activity, error);
            throw;
        }
    }

    private async ValueTask TraceAsync<TRequest>(
        string operation,
        TRequest request,
        Func<TRequest, string?> stream,
        Func<IStreamsService, TRequest, CancellationToken, ValueTask> call,
        CancellationToken cancellationToken)
    {
        using var activity = StartActivity(operation, stream(request));
        try
        {
            await call(inner, request, cancellationToken);
        }
        catch (KinesisException error)
        {
            Fail(activity, error);
            throw;
        }
    }
}
