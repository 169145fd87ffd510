using System.Text;
using Google.Protobuf;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Grpc;
using KafkaKinesisBridge.Grpc.Client;
using Record = KafkaKinesisBridge.Contracts.Streams.V1.Record;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// A typed client for the KinesisStreams gRPC service over <see cref="GrpcClient"/> (one method per
/// RPC, each a real unary call over HTTP/2), plus the few compound steps tests repeat: create a stream
/// of N shards, read a shard from an iterator to its tip.
/// </summary>
public sealed class KinesisStreamsClient(GrpcClient client)
{
    /// <summary>Deadline of each call: generous for a loaded 2-core machine, finite so a hang fails.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The underlying client.</summary>
    public GrpcClient Grpc { get; } = client;

    public Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request) => CallAsync(KinesisStreamsMethods.CreateStream, request);

    public Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request) => CallAsync(KinesisStreamsMethods.DeleteStream, request);

    public Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request) => CallAsync(KinesisStreamsMethods.DescribeStream, request);

    public Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request) => CallAsync(KinesisStreamsMethods.DescribeStreamSummary, request);

    public Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request) => CallAsync(KinesisStreamsMethods.ListStreams, request);

    public Task<ListShardsResponse> ListShardsAsync(ListShardsRequest request) => CallAsync(KinesisStreamsMethods.ListShards, request);

    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request) => CallAsync(KinesisStreamsMethods.PutRecord, request);

    public Task<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request) => CallAsync(KinesisStreamsMethods.PutRecords, request);

    public Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request) => CallAsync(KinesisStreamsMethods.GetShardIterator, request);

    public Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request) => CallAsync(KinesisStreamsMethods.GetRecords, request);

    public Task<IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriodAsync(IncreaseStreamRetentionPeriodRequest request) =>
        CallAsync(KinesisStreamsMethods.IncreaseStreamRetentionPeriod, request);

    public Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request) =>
        CallAsync(KinesisStreamsMethods.DecreaseStreamRetentionPeriod, request);

    public Task<UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request) => CallAsync(KinesisStreamsMethods.UpdateMaxRecordSize, request);

    public Task<DescribeLimitsResponse> DescribeLimitsAsync() => CallAsync(KinesisStreamsMethods.DescribeLimits, new DescribeLimitsRequest());

    public Task<AddTagsToStreamResponse> AddTagsToStreamAsync(AddTagsToStreamRequest request) => CallAsync(KinesisStreamsMethods.AddTagsToStream, request);

    public Task<RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request) => CallAsync(KinesisStreamsMethods.RemoveTagsFromStream, request);

    public Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request) => CallAsync(KinesisStreamsMethods.ListTagsForStream, request);

    /// <summary>Creates a PROVISIONED stream and returns its description (ACTIVE once CreateStream answered).</summary>
    public async Task<StreamDescription> CreateStreamAsync(string streamName, int shardCount)
    {
        await CreateStreamAsync(new CreateStreamRequest { StreamName = streamName, ShardCount = shardCount });
        return (await DescribeStreamAsync(new DescribeStreamRequest { StreamName = streamName })).StreamDescription;
    }

    /// <summary>PutRecord with a UTF-8 partition key.</summary>
    public Task<PutRecordResponse> PutRecordAsync(string streamName, string partitionKey, ReadOnlySpan<byte> data, string? explicitHashKey = null) =>
        PutRecordAsync(new PutRecordRequest
        {
            StreamName = streamName,
            PartitionKey = partitionKey,
            Data = ByteString.CopyFrom(data),
            ExplicitHashKey = explicitHashKey ?? string.Empty,
        });

    /// <summary>PutRecord of a UTF-8 string.</summary>
    public Task<PutRecordResponse> PutRecordAsync(string streamName, string partitionKey, string data) =>
        PutRecordAsync(streamName, partitionKey, Encoding.UTF8.GetBytes(data));

    /// <summary>An iterator of <paramref name="type"/> on one shard.</summary>
    public async Task<string> GetShardIteratorAsync(
        string streamName,
        string shardId,
        ShardIteratorType type,
        string? sequenceNumber = null,
        DateTimeOffset? timestamp = null)
    {
        var request = new GetShardIteratorRequest
        {
            StreamName = streamName,
            ShardId = shardId,
            ShardIteratorType = type,
            StartingSequenceNumber = sequenceNumber ?? string.Empty,
        };
        if (timestamp is { } at)
        {
            request.Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(at);
        }

        return (await GetShardIteratorAsync(request)).ShardIterator;
    }

    /// <summary>
    /// Reads from <paramref name="iterator"/> with GetRecords of at most <paramref name="limit"/>
    /// records, following NextShardIterator, until a response reports the tip (MillisBehindLatest 0
    /// and no records) or <paramref name="expected"/> records were read. Returns the records and the
    /// responses (to check chaining).
    /// </summary>
    public async Task<(List<Record> Records, List<GetRecordsResponse> Responses)> ReadAsync(string iterator, int? limit = null, int? expected = null, int maxCalls = 1000)
    {
        var records = new List<Record>();
        var responses = new List<GetRecordsResponse>();
        var next = iterator;
        for (var call = 0; call < maxCalls; call++)
        {
            var request = new GetRecordsRequest { ShardIterator = next };
            if (limit is { } l)
            {
                request.Limit = l;
            }

            var response = await GetRecordsAsync(request);
            responses.Add(response);
            records.AddRange(response.Records);
            if (!response.HasNextShardIterator)
            {
                break;
            }

            next = response.NextShardIterator;
            if (expected is { } count ? records.Count >= count : response.Records.Count == 0 && response.MillisBehindLatest == 0)
            {
                break;
            }
        }

        return (records, responses);
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        await Grpc.UnaryAsync(method, request, new CallOptions
        {
            Timeout = CallTimeout,
            CancellationToken = TestContext.Current.CancellationToken,
        });
}
