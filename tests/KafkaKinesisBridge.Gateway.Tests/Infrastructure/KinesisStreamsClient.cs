using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using KafkaKinesisBridge.Contracts.Streams.V1;
using Record = KafkaKinesisBridge.Contracts.Streams.V1.Record;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// The generated client (<see cref="KinesisStreams.KinesisStreamsClient"/>, Grpc.Net.Client) with a
/// deadline and the test's cancellation on every call, plus the few compound steps tests repeat:
/// create a stream of N shards, read a shard from an iterator to its tip.
/// </summary>
public sealed class KinesisStreamsClient(GrpcChannel channel)
{
    /// <summary>Deadline of each call: generous for a loaded 2-core machine, finite so a hang fails.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The channel.</summary>
    public GrpcChannel Channel { get; } = channel;

    /// <summary>The generated client.</summary>
    public KinesisStreams.KinesisStreamsClient Client { get; } = new(channel);

    /// <summary>The options of every call: <see cref="CallTimeout"/> and the test's cancellation.</summary>
    public static CallOptions Options => new(deadline: DateTime.UtcNow + CallTimeout, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>Creates a channel to the gateway as a production client should: 16 MiB receive limit (GetRecords answers up to 10 MiB).</summary>
    public static GrpcChannel CreateChannel(Uri address, HttpMessageHandler? handler = null) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            MaxSendMessageSize = 16 * 1024 * 1024,
            HttpHandler = handler,
            DisposeHttpClient = true,
        });

    /// <summary>A unary call of any method (custom marshallers, unknown methods) over the channel.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class
        where TResponse : class =>
        Channel.CreateCallInvoker().AsyncUnaryCall(method, null, Options, request).ResponseAsync;

    public Task<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request) => Client.CreateStreamAsync(request, Options).ResponseAsync;

    public Task<DeleteStreamResponse> DeleteStreamAsync(DeleteStreamRequest request) => Client.DeleteStreamAsync(request, Options).ResponseAsync;

    public Task<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request) => Client.DescribeStreamAsync(request, Options).ResponseAsync;

    public Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request) => Client.DescribeStreamSummaryAsync(request, Options).ResponseAsync;

    public Task<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request) => Client.ListStreamsAsync(request, Options).ResponseAsync;

    public Task<ListShardsResponse> ListShardsAsync(ListShardsRequest request) => Client.ListShardsAsync(request, Options).ResponseAsync;

    public Task<PutRecordResponse> PutRecordAsync(PutRecordRequest request) => Client.PutRecordAsync(request, Options).ResponseAsync;

    public Task<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request) => Client.PutRecordsAsync(request, Options).ResponseAsync;

    public Task<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request) => Client.GetShardIteratorAsync(request, Options).ResponseAsync;

    public Task<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request) => Client.GetRecordsAsync(request, Options).ResponseAsync;

    public Task<IncreaseStreamRetentionPeriodResponse> IncreaseStreamRetentionPeriodAsync(IncreaseStreamRetentionPeriodRequest request) =>
        Client.IncreaseStreamRetentionPeriodAsync(request, Options).ResponseAsync;

    public Task<DecreaseStreamRetentionPeriodResponse> DecreaseStreamRetentionPeriodAsync(DecreaseStreamRetentionPeriodRequest request) =>
        Client.DecreaseStreamRetentionPeriodAsync(request, Options).ResponseAsync;

    public Task<UpdateMaxRecordSizeResponse> UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request) => Client.UpdateMaxRecordSizeAsync(request, Options).ResponseAsync;

    public Task<DescribeLimitsResponse> DescribeLimitsAsync() => Client.DescribeLimitsAsync(new DescribeLimitsRequest(), Options).ResponseAsync;

    public Task<AddTagsToStreamResponse> AddTagsToStreamAsync(AddTagsToStreamRequest request) => Client.AddTagsToStreamAsync(request, Options).ResponseAsync;

    public Task<RemoveTagsFromStreamResponse> RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request) => Client.RemoveTagsFromStreamAsync(request, Options).ResponseAsync;

    public Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request) => Client.ListTagsForStreamAsync(request, Options).ResponseAsync;

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
}
