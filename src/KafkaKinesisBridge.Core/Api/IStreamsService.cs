namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// Kinesis Data Streams semantics, independent of wire and storage: one method per Kinesis
/// operation (API reference 2013-12-02). Front doors (gRPC, AWS JSON/CBOR) translate requests into
/// these models, call the method, and translate the response or the <see cref="KinesisException"/>.
/// </summary>
/// <remarks>
/// <para>Every method validates its whole request (lengths, ranges, patterns, existence, state) and
/// throws <see cref="KinesisException"/> with the Kinesis error name and message; any other exception
/// is a bug (or <see cref="OperationCanceledException"/> when <c>cancellationToken</c> fires).</para>
/// <para>Where Kinesis identifies a stream by StreamName or StreamARN both are accepted; when both are
/// given they must name the same stream.</para>
/// <para>Thread-safe; one instance serves all requests of a gateway replica. Replicas share the stream
/// catalog through storage.</para>
/// </remarks>
public interface IStreamsService
{
    /// <summary>CreateStream. Returns once the stream is ACTIVE, or CREATING if storage is slow.</summary>
    ValueTask<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken);

    /// <summary>DeleteStream.</summary>
    ValueTask DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken);

    /// <summary>DescribeStream.</summary>
    ValueTask<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken);

    /// <summary>DescribeStreamSummary.</summary>
    ValueTask<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken);

    /// <summary>ListStreams.</summary>
    ValueTask<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken);

    /// <summary>ListShards.</summary>
    ValueTask<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken);

    /// <summary>PutRecord.</summary>
    ValueTask<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken);

    /// <summary>PutRecords. Dispose the response after serializing it.</summary>
    ValueTask<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken);

    /// <summary>GetShardIterator.</summary>
    ValueTask<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken);

    /// <summary>GetRecords. Dispose the response after serializing it (it owns storage memory).</summary>
    ValueTask<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken);

    /// <summary>IncreaseStreamRetentionPeriod.</summary>
    ValueTask IncreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken);

    /// <summary>DecreaseStreamRetentionPeriod.</summary>
    ValueTask DecreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken);

    /// <summary>UpdateMaxRecordSize.</summary>
    ValueTask UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken);

    /// <summary>DescribeLimits.</summary>
    ValueTask<DescribeLimitsResponse> DescribeLimitsAsync(CancellationToken cancellationToken);

    /// <summary>AddTagsToStream.</summary>
    ValueTask AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken);

    /// <summary>RemoveTagsFromStream.</summary>
    ValueTask RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken);

    /// <summary>ListTagsForStream.</summary>
    ValueTask<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken);

    /// <summary>EnableEnhancedMonitoring: turns shard-level metrics on (stored in the catalog, so every replica reports them).</summary>
    ValueTask<EnhancedMonitoringResponse> EnableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken);

    /// <summary>DisableEnhancedMonitoring: turns shard-level metrics off.</summary>
    ValueTask<EnhancedMonitoringResponse> DisableEnhancedMonitoringAsync(EnhancedMonitoringRequest request, CancellationToken cancellationToken);

    #region Resharding (issue 9)

    /// <summary>SplitShard. Returns with the stream UPDATING (children open); it turns ACTIVE once the parent's end is fixed.</summary>
    ValueTask SplitShardAsync(SplitShardRequest request, CancellationToken cancellationToken);

    /// <summary>MergeShards. Returns with the stream UPDATING (child open); it turns ACTIVE once the parents' ends are fixed.</summary>
    ValueTask MergeShardsAsync(MergeShardsRequest request, CancellationToken cancellationToken);

    /// <summary>UpdateShardCount (UNIFORM_SCALING), as splits and merges. Returns with the stream UPDATING, or ACTIVE when nothing changes.</summary>
    ValueTask<UpdateShardCountResponse> UpdateShardCountAsync(UpdateShardCountRequest request, CancellationToken cancellationToken);

    #endregion

    // ----- On-demand capacity mode ---------------------------------------------------------------

    /// <summary>
    /// UpdateStreamMode: switches an ACTIVE stream between PROVISIONED and ON_DEMAND (at most
    /// <see cref="KinesisStreamsOptions.ModeSwitchesPer24Hours"/> switches in any 24 hours). The stream
    /// keeps its shards; in ON_DEMAND mode the gateway's scaler splits and merges them itself.
    /// </summary>
    ValueTask UpdateStreamModeAsync(UpdateStreamModeRequest request, CancellationToken cancellationToken);

    #region Enhanced fan-out

    /// <summary>RegisterStreamConsumer: returns the consumer in state CREATING; it becomes ACTIVE shortly after.</summary>
    ValueTask<RegisterStreamConsumerResponse> RegisterStreamConsumerAsync(RegisterStreamConsumerRequest request, CancellationToken cancellationToken);

    /// <summary>DeregisterStreamConsumer: the consumer goes DELETING, its subscriptions end, then it is gone.</summary>
    ValueTask DeregisterStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken);

    /// <summary>DescribeStreamConsumer.</summary>
    ValueTask<DescribeStreamConsumerResponse> DescribeStreamConsumerAsync(StreamConsumerRequest request, CancellationToken cancellationToken);

    /// <summary>ListStreamConsumers (paged).</summary>
    ValueTask<ListStreamConsumersResponse> ListStreamConsumersAsync(ListStreamConsumersRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// SubscribeToShard: validates the request, checks the consumer, shard and starting position, and
    /// opens a subscription whose events are pushed as records are written. Errors found before the
    /// first event are thrown here as <see cref="KinesisException"/>; later ones end
    /// <see cref="ShardSubscription.Events"/> with a <see cref="KinesisException"/>. Dispose the
    /// subscription when the client goes away.
    /// </summary>
    ValueTask<ShardSubscription> SubscribeToShardAsync(SubscribeToShardRequest request, CancellationToken cancellationToken);

    #endregion
}

/// <summary>
/// Readiness of the core: the stream catalog has been replayed and the iterator signing key is
/// known. Until then every <see cref="IStreamsService"/> call fails with ServiceUnavailableException.
/// </summary>
public interface IStreamsReadiness
{
    /// <summary>True once the core serves requests.</summary>
    bool IsReady { get; }

    /// <summary>Completes when the core is ready (or faults if startup failed).</summary>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken);
}
