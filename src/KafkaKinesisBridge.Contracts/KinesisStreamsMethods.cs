using KafkaKinesisBridge.Grpc;

namespace KafkaKinesisBridge.Contracts.Streams.V1;

/// <summary>
/// Method descriptors of the <c>kafkakinesisbridge.streams.v1.KinesisStreams</c> service
/// (protos/kafkakinesisbridge/streams/v1/streams.proto), shared by the server and clients. Written by
/// hand because Grpc.Tools' service generator targets Grpc.Core, which this build cannot use; a test
/// checks that this list matches the service in the proto descriptor.
/// </summary>
public static class KinesisStreamsMethods
{
    /// <summary>The fully qualified service name.</summary>
    public const string ServiceName = "kafkakinesisbridge.streams.v1.KinesisStreams";

    /// <summary>CreateStream (unary).</summary>
    public static readonly Method<CreateStreamRequest, CreateStreamResponse> CreateStream =
        Unary("CreateStream", CreateStreamRequest.Parser, CreateStreamResponse.Parser);

    /// <summary>DeleteStream (unary).</summary>
    public static readonly Method<DeleteStreamRequest, DeleteStreamResponse> DeleteStream =
        Unary("DeleteStream", DeleteStreamRequest.Parser, DeleteStreamResponse.Parser);

    /// <summary>DescribeStream (unary).</summary>
    public static readonly Method<DescribeStreamRequest, DescribeStreamResponse> DescribeStream =
        Unary("DescribeStream", DescribeStreamRequest.Parser, DescribeStreamResponse.Parser);

    /// <summary>DescribeStreamSummary (unary).</summary>
    public static readonly Method<DescribeStreamSummaryRequest, DescribeStreamSummaryResponse> DescribeStreamSummary =
        Unary("DescribeStreamSummary", DescribeStreamSummaryRequest.Parser, DescribeStreamSummaryResponse.Parser);

    /// <summary>ListStreams (unary).</summary>
    public static readonly Method<ListStreamsRequest, ListStreamsResponse> ListStreams =
        Unary("ListStreams", ListStreamsRequest.Parser, ListStreamsResponse.Parser);

    /// <summary>ListShards (unary).</summary>
    public static readonly Method<ListShardsRequest, ListShardsResponse> ListShards =
        Unary("ListShards", ListShardsRequest.Parser, ListShardsResponse.Parser);

    /// <summary>PutRecord (unary).</summary>
    public static readonly Method<PutRecordRequest, PutRecordResponse> PutRecord =
        Unary("PutRecord", PutRecordRequest.Parser, PutRecordResponse.Parser);

    /// <summary>PutRecords (unary).</summary>
    public static readonly Method<PutRecordsRequest, PutRecordsResponse> PutRecords =
        Unary("PutRecords", PutRecordsRequest.Parser, PutRecordsResponse.Parser);

    /// <summary>GetShardIterator (unary).</summary>
    public static readonly Method<GetShardIteratorRequest, GetShardIteratorResponse> GetShardIterator =
        Unary("GetShardIterator", GetShardIteratorRequest.Parser, GetShardIteratorResponse.Parser);

    /// <summary>GetRecords (unary).</summary>
    public static readonly Method<GetRecordsRequest, GetRecordsResponse> GetRecords =
        Unary("GetRecords", GetRecordsRequest.Parser, GetRecordsResponse.Parser);

    /// <summary>IncreaseStreamRetentionPeriod (unary).</summary>
    public static readonly Method<IncreaseStreamRetentionPeriodRequest, IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriod =
        Unary("IncreaseStreamRetentionPeriod", IncreaseStreamRetentionPeriodRequest.Parser, IncreaseStreamRetentionPeriodResponse.Parser);

    /// <summary>DecreaseStreamRetentionPeriod (unary).</summary>
    public static readonly Method<DecreaseStreamRetentionPeriodRequest, DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriod =
        Unary("DecreaseStreamRetentionPeriod", DecreaseStreamRetentionPeriodRequest.Parser, DecreaseStreamRetentionPeriodResponse.Parser);

    /// <summary>UpdateMaxRecordSize (unary).</summary>
    public static readonly Method<UpdateMaxRecordSizeRequest, UpdateMaxRecordSizeResponse> UpdateMaxRecordSize =
        Unary("UpdateMaxRecordSize", UpdateMaxRecordSizeRequest.Parser, UpdateMaxRecordSizeResponse.Parser);

    /// <summary>DescribeLimits (unary).</summary>
    public static readonly Method<DescribeLimitsRequest, DescribeLimitsResponse> DescribeLimits =
        Unary("DescribeLimits", DescribeLimitsRequest.Parser, DescribeLimitsResponse.Parser);

    /// <summary>AddTagsToStream (unary).</summary>
    public static readonly Method<AddTagsToStreamRequest, AddTagsToStreamResponse> AddTagsToStream =
        Unary("AddTagsToStream", AddTagsToStreamRequest.Parser, AddTagsToStreamResponse.Parser);

    /// <summary>RemoveTagsFromStream (unary).</summary>
    public static readonly Method<RemoveTagsFromStreamRequest, RemoveTagsFromStreamResponse> RemoveTagsFromStream =
        Unary("RemoveTagsFromStream", RemoveTagsFromStreamRequest.Parser, RemoveTagsFromStreamResponse.Parser);

    /// <summary>ListTagsForStream (unary).</summary>
    public static readonly Method<ListTagsForStreamRequest, ListTagsForStreamResponse> ListTagsForStream =
        Unary("ListTagsForStream", ListTagsForStreamRequest.Parser, ListTagsForStreamResponse.Parser);

    /// <summary>Every method, in proto order.</summary>
    public static IReadOnlyList<string> MethodNames { get; } =
    [
        nameof(CreateStream),
        nameof(DeleteStream),
        nameof(DescribeStream),
        nameof(DescribeStreamSummary),
        nameof(ListStreams),
        nameof(ListShards),
        nameof(PutRecord),
        nameof(PutRecords),
        nameof(GetShardIterator),
        nameof(GetRecords),
        nameof(IncreaseStreamRetentionPeriod),
        nameof(DecreaseStreamRetentionPeriod),
        nameof(UpdateMaxRecordSize),
        nameof(DescribeLimits),
        nameof(AddTagsToStream),
        nameof(RemoveTagsFromStream),
        nameof(ListTagsForStream),
    ];

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(
        string name,
        Google.Protobuf.MessageParser<TRequest> requestParser,
        Google.Protobuf.MessageParser<TResponse> responseParser)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        new(MethodType.Unary, ServiceName, name, requestParser, responseParser);
}
