using System.Buffers;
using Google.Protobuf;
using KafkaKinesisBridge.Api.Grpc.Internal;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Wire;

/// <summary>The hand-written GetRecords response writer against Google.Protobuf's serializer.</summary>
public sealed class GetRecordsWireTests
{
    private static readonly int[] Sizes = [0, 1, 127, 128, 4095, 4096, 5000, 70_000, 100];

    [Fact]
    public async Task Write_RealRecordsOfEverySize_SameBytesAsGoogleProtobuf()
    {
        await using var core = await CoreOnMemory.StartAsync();
        await core.CreateStreamAsync("sizes", shards: 1);
        var random = new Random(7);
        for (var i = 0; i < Sizes.Length; i++)
        {
            var data = new byte[Sizes[i]];
            random.NextBytes(data);
            await core.Streams.PutRecordAsync(
                new CoreApi.PutRecordRequest { StreamName = "sizes", PartitionKey = i % 2 == 0 ? $"key-{i}" : "\ud83d\ude80-\u00e9", Data = data },
                CoreOnMemory.Ct);
            core.Time.Advance(TimeSpan.FromMilliseconds(1_001 + i));
        }

        var iterator = await IteratorAsync(core, "sizes");

        // Not at the tip after three records: MillisBehindLatest is set.
        using (var first = await core.Streams.GetRecordsAsync(new CoreApi.GetRecordsRequest { ShardIterator = iterator, Limit = 3 }, CoreOnMemory.Ct))
        {
            Assert.Equal(3, first.Records.Count);
            Assert.NotEqual(0, first.MillisBehindLatest);
            AssertWritesLikeGoogleProtobuf(first);
            iterator = first.NextShardIterator!;
        }

        using var rest = await core.Streams.GetRecordsAsync(new CoreApi.GetRecordsRequest { ShardIterator = iterator }, CoreOnMemory.Ct);
        Assert.Equal(Sizes.Length - 3, rest.Records.Count);
        AssertWritesLikeGoogleProtobuf(rest);
    }

    [Fact]
    public async Task Write_NoRecords_SameBytesAsGoogleProtobuf()
    {
        await using var core = await CoreOnMemory.StartAsync();
        await core.CreateStreamAsync("empty", shards: 1);

        using var response = await core.Streams.GetRecordsAsync(new CoreApi.GetRecordsRequest { ShardIterator = await IteratorAsync(core, "empty") }, CoreOnMemory.Ct);

        Assert.Empty(response.Records);
        AssertWritesLikeGoogleProtobuf(response);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(1_000L)]
    [InlineData(1_712_345_678_123L)]
    [InlineData(-1L)]
    [InlineData(-1_000L)]
    [InlineData(-1_001L)]
    public void Split_Milliseconds_AsTheTimestampGoogleProtobufWrites(long milliseconds)
    {
        var expected = ProtoMapper.ToTimestamp(milliseconds);

        var (seconds, nanos) = GetRecordsGrpcResponse.Split(milliseconds);

        Assert.Equal(expected.Seconds, seconds);
        Assert.Equal(expected.Nanos, nanos);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), expected.ToDateTimeOffset());
    }

    private static async Task<string> IteratorAsync(CoreOnMemory core, string stream) =>
        (await core.Streams.GetShardIteratorAsync(
            new CoreApi.GetShardIteratorRequest { StreamName = stream, ShardId = "shardId-000000000000", ShardIteratorType = CoreApi.ShardIteratorType.TrimHorizon },
            CoreOnMemory.Ct)).ShardIterator;

    private static void AssertWritesLikeGoogleProtobuf(CoreApi.GetRecordsResponse response)
    {
        var expected = new Proto.GetRecordsResponse { MillisBehindLatest = response.MillisBehindLatest };
        if (response.NextShardIterator is { } next)
        {
            expected.NextShardIterator = next;
        }

        foreach (var record in response.Records)
        {
            expected.Records.Add(ProtoMapper.ToProto(record));
        }

        var expectedBytes = expected.ToByteArray();
        var writer = new GetRecordsGrpcResponse(response);
        Assert.Equal(expectedBytes.Length, writer.CalculateSize());

        var contiguous = new ArrayBufferWriter<byte>();
        writer.WriteTo(contiguous);
        Assert.Equal(expectedBytes, contiguous.WrittenSpan.ToArray());

        var tight = new TightBufferWriter();
        writer.WriteTo(tight);
        Assert.Equal(expectedBytes, tight.WrittenBytes);
    }
}
