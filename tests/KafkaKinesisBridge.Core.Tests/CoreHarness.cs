using KafkaKinesisBridge.Core;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Streams;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Core.Tests;

/// <summary>A started <see cref="StreamsService"/> over an <see cref="InMemoryLogStore"/> and a manual clock.</summary>
internal sealed class CoreHarness
{
    private CoreHarness(InMemoryLogStore store, ManualTimeProvider time, KinesisStreamsOptions options, StreamsService service)
    {
        Store = store;
        Time = time;
        Options = options;
        Service = service;
    }

    public InMemoryLogStore Store { get; }

    public ManualTimeProvider Time { get; }

    public KinesisStreamsOptions Options { get; }

    public StreamsService Service { get; }

    public static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<CoreHarness> StartAsync(
        Action<KinesisStreamsOptions>? configure = null,
        InMemoryLogStore? store = null,
        ManualTimeProvider? time = null)
    {
        var options = new KinesisStreamsOptions();
        configure?.Invoke(options);
        store ??= new InMemoryLogStore();
        time ??= new ManualTimeProvider();
        var service = new StreamsService(store, Microsoft.Extensions.Options.Options.Create(options), time);
        await service.StartAsync(Token);
        return new CoreHarness(store, time, options, service);
    }

    /// <summary>A second replica over the same store and clock.</summary>
    public async Task<CoreHarness> StartReplicaAsync()
    {
        var service = new StreamsService(Store, Microsoft.Extensions.Options.Options.Create(Options), Time);
        await service.StartAsync(Token);
        return new CoreHarness(Store, Time, Options, service);
    }

    public async Task CreateStreamAsync(string name, int shards = 1)
    {
        var response = await Service.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = shards }, Token);
        Assert.Equal(StreamStatus.Active, response.StreamStatus);
    }

    public string TopicOf(string name) => "kinesis." + name;

    public async Task<PutRecordResponse> PutAsync(string stream, string partitionKey, string data, string? explicitHashKey = null) =>
        await Service.PutRecordAsync(
            new PutRecordRequest
            {
                StreamName = stream,
                PartitionKey = partitionKey,
                Data = System.Text.Encoding.UTF8.GetBytes(data),
                ExplicitHashKey = explicitHashKey,
            },
            Token);

    public async Task<string> IteratorAsync(string stream, int shard, ShardIteratorType type, string? sequenceNumber = null, DateTimeOffset? timestamp = null)
    {
        var response = await Service.GetShardIteratorAsync(
            new GetShardIteratorRequest
            {
                StreamName = stream,
                ShardId = ShardIds.Format(shard),
                ShardIteratorType = type,
                StartingSequenceNumber = sequenceNumber,
                Timestamp = timestamp,
            },
            Token);
        return response.ShardIterator;
    }

    public async Task<(List<string> Data, string? Next, long MillisBehind)> ReadAsync(string iterator, int? limit = null)
    {
        using var response = await Service.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = limit }, Token);
        var data = new List<string>();
        foreach (var record in response.Records)
        {
            data.Add(System.Text.Encoding.UTF8.GetString(record.Data.Span));
        }

        return (data, response.NextShardIterator, response.MillisBehindLatest);
    }

    public static async Task<KinesisException> ThrowsKinesisAsync(KinesisErrorCode code, Func<Task> action)
    {
        var exception = await Assert.ThrowsAsync<KinesisException>(action);
        Assert.True(code == exception.Code, $"Expected {code}, got {exception.Code}: {exception.Message}");
        return exception;
    }
}
