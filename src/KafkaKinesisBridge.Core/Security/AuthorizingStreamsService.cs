using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Streams;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// The core as the front doors see it when access is enforced: every operation is checked against
/// the permissions of <see cref="AccessContext.Current"/> before the core runs it, and refused with
/// AccessDeniedException (HTTP 400 on the Kinesis door, PERMISSION_DENIED on gRPC) otherwise.
/// </summary>
/// <remarks>
/// <para>Checking here, where both doors meet, keeps one policy for both: neither door can forget
/// an operation, and a door that did not authenticate its caller leaves no principal, which is
/// refused (the check fails closed).</para>
/// <para>The stream is the one the request names: StreamName and the name in StreamARN (both
/// checked when both are given, the core then insists they agree), the stream a shard iterator or a
/// ListShards NextToken points into (tokens are tamper-evident, so that name is the one the core will
/// use). A request naming no stream is passed on for the core to reject as invalid, so it reveals
/// nothing. The check comes before the core looks the stream up, so an AccessDeniedException says
/// nothing about whether the stream exists.</para>
/// <para>ListStreams is a read on the account: a key without read on any stream is refused, and
/// the names a key may not read are left out of its pages (a page can therefore be shorter than
/// the limit, even empty, with HasMoreStreams true; clients page on HasMoreStreams).</para>
/// </remarks>
internal sealed class AuthorizingStreamsService(StreamsService inner) : IStreamsService
{
    public ValueTask<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken)
    {
        Check("CreateStream", AccessActions.Admin, request.StreamName, null);
        return inner.CreateStreamAsync(request, cancellationToken);
    }

    public ValueTask DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken)
    {
        Check("DeleteStream", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.DeleteStreamAsync(request, cancellationToken);
    }

    public ValueTask<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        Check("DescribeStream", AccessActions.Read, request.StreamName, request.StreamARN);
        return inner.DescribeStreamAsync(request, cancellationToken);
    }

    public ValueTask<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken)
    {
        Check("DescribeStreamSummary", AccessActions.Read, request.StreamName, request.StreamARN);
        return inner.DescribeStreamSummaryAsync(request, cancellationToken);
    }

    public async ValueTask<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken)
    {
        var principal = CheckAccount("ListStreams", AccessActions.Read);
        var page = await inner.ListStreamsAsync(request, cancellationToken).ConfigureAwait(false);
        if (principal.IsUnrestricted)
        {
            return page;
        }

        var names = new List<string>(page.StreamNames.Count);
        var summaries = new List<StreamSummary>(page.StreamSummaries.Count);
        foreach (var summary in page.StreamSummaries)
        {
            if (principal.IsAllowed(AccessActions.Read, summary.StreamName))
            {
                summaries.Add(summary);
            }
        }

        foreach (var name in page.StreamNames)
        {
            if (principal.IsAllowed(AccessActions.Read, name))
            {
                names.Add(name);
            }
        }

        return new ListStreamsResponse
        {
            StreamNames = names,
            StreamSummaries = summaries,
            HasMoreStreams = page.HasMoreStreams,
            NextToken = page.NextToken,
        };
    }

    public ValueTask<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken)
    {
        var fromToken = request.NextToken is { } token && inner.TryGetListShardsStream(token, out var tokenStream) ? tokenStream : null;
        Check("ListShards", AccessActions.Read, request.StreamName, request.StreamARN, fromToken);
        return inner.ListShardsAsync(request, cancellationToken);
    }

    public ValueTask<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken)
    {
        Check("PutRecord", AccessActions.Write, request.StreamName, request.StreamARN);
        return inner.PutRecordAsync(request, cancellationToken);
    }

    public ValueTask<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken)
    {
        Check("PutRecords", AccessActions.Write, request.StreamName, request.StreamARN);
        return inner.PutRecordsAsync(request, cancellationToken);
    }

    public ValueTask<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken)
    {
        Check("GetShardIterator", AccessActions.Read, request.StreamName, request.StreamARN);
        return inner.GetShardIteratorAsync(request, cancellationToken);
    }

    public ValueTask<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken)
    {
        var fromIterator = request.ShardIterator is { } iterator && inner.TryGetIteratorStream(iterator, out var iteratorStream) ? iteratorStream : null;
        Check("GetRecords", AccessActions.Read, fromIterator, request.StreamARN);
        return inner.GetRecordsAsync(request, cancellationToken);
    }

    public ValueTask IncreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken)
    {
        Check("IncreaseStreamRetentionPeriod", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.IncreaseStreamRetentionPeriodAsync(request, cancellationToken);
    }

    public ValueTask DecreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken)
    {
        Check("DecreaseStreamRetentionPeriod", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.DecreaseStreamRetentionPeriodAsync(request, cancellationToken);
    }

    public ValueTask UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken)
    {
        Check("UpdateMaxRecordSize", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.UpdateMaxRecordSizeAsync(request, cancellationToken);
    }

    public ValueTask<EnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken)
    {
        Check("EnableEnhancedMonitoring", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.EnableEnhancedMonitoringAsync(request, cancellationToken);
    }

    public ValueTask<EnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken)
    {
        Check("DisableEnhancedMonitoring", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.DisableEnhancedMonitoringAsync(request, cancellationToken);
    }

    #region Resharding (issue 9): shard changes are administrative writes

    public ValueTask SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken)
    {
        Check("SplitShard", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.SplitShardAsync(request, cancellationToken);
    }

    public ValueTask MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken)
    {
        Check("MergeShards", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.MergeShardsAsync(request, cancellationToken);
    }

    public ValueTask<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken)
    {
        Check("UpdateShardCount", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.UpdateShardCountAsync(request, cancellationToken);
    }

    #endregion

    #region Enhanced fan-out

    public ValueTask<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken)
    {
        Check("RegisterStreamConsumer", AccessActions.Admin, null, request.StreamARN);
        return inner.RegisterStreamConsumerAsync(request, cancellationToken);
    }

    public ValueTask DeregisterStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken)
    {
        Check("DeregisterStreamConsumer", AccessActions.Admin, null, request.StreamARN, ConsumerArns.StreamNameOf(request.ConsumerARN));
        return inner.DeregisterStreamConsumerAsync(request, cancellationToken);
    }

    public ValueTask<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken)
    {
        Check("DescribeStreamConsumer", AccessActions.Read, null, request.StreamARN, ConsumerArns.StreamNameOf(request.ConsumerARN));
        return inner.DescribeStreamConsumerAsync(request, cancellationToken);
    }

    public ValueTask<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken)
    {
        // A NextToken names its stream inside the token; the core checks that it matches StreamARN.
        Check("ListStreamConsumers", AccessActions.Read, null, request.StreamARN, inner.ConsumerTokenStream(request.NextToken));
        return inner.ListStreamConsumersAsync(request, cancellationToken);
    }

    public ValueTask<ShardSubscription> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken)
    {
        Check("SubscribeToShard", AccessActions.Read, null, null, ConsumerArns.StreamNameOf(request.ConsumerARN));
        return inner.SubscribeToShardAsync(request, cancellationToken);
    }

    #endregion

    // ----- On-demand capacity mode ---------------------------------------------------------------

    public ValueTask UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken)
    {
        Check("UpdateStreamMode", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.UpdateStreamModeAsync(request, cancellationToken);
    }

    public ValueTask<DescribeLimitsResponse> DescribeLimitsAsync(CancellationToken cancellationToken)
    {
        CheckAccount("DescribeLimits", AccessActions.Read);
        return inner.DescribeLimitsAsync(cancellationToken);
    }

    public ValueTask AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken)
    {
        Check("AddTagsToStream", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.AddTagsToStreamAsync(request, cancellationToken);
    }

    public ValueTask RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken)
    {
        Check("RemoveTagsFromStream", AccessActions.Admin, request.StreamName, request.StreamARN);
        return inner.RemoveTagsFromStreamAsync(request, cancellationToken);
    }

    public ValueTask<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken)
    {
        Check("ListTagsForStream", AccessActions.Read, request.StreamName, request.StreamARN);
        return inner.ListTagsForStreamAsync(request, cancellationToken);
    }

    private void Check(string operation, AccessActions action, string? streamName, string? streamArn, string? tokenStream = null)
    {
        var principal = RequirePrincipal(operation);
        if (principal.IsUnrestricted)
        {
            return;
        }

        var arnStream = streamArn is not null && StreamArns.TryParse(streamArn, out _, out _, out var parsed) ? parsed : null;
        CheckStream(principal, operation, action, streamName);
        CheckStream(principal, operation, action, arnStream);
        CheckStream(principal, operation, action, tokenStream);
    }

    private void CheckStream(AccessPrincipal principal, string operation, AccessActions action, string? streamName)
    {
        if (streamName is not null && !principal.IsAllowed(action, streamName))
        {
            throw Denied(principal.AccessKeyId, operation, action, StreamArns.Format(inner.Region, inner.AccountId, streamName));
        }
    }

    private AccessPrincipal CheckAccount(string operation, AccessActions action)
    {
        var principal = RequirePrincipal(operation);
        if (!principal.HasAny(action))
        {
            throw Denied(principal.AccessKeyId, operation, action, "*");
        }

        return principal;
    }

    private static AccessPrincipal RequirePrincipal(string operation) =>
        AccessContext.Current ?? throw new KinesisException(
            KinesisErrorCode.AccessDenied,
            $"Access to kinesis:{operation} needs credentials, and this call came without any the gateway verified.");

    // The shape of Kinesis' own message (an IAM evaluation), with the access key in place of the IAM user.
    private static KinesisException Denied(string accessKeyId, string operation, AccessActions action, string resource) =>
        new(
            KinesisErrorCode.AccessDenied,
            $"User: {accessKeyId} is not authorized to perform: kinesis:{operation} on resource: {resource} because no permission of this access key allows the {action.ToString().ToLowerInvariant()} action.");
}
