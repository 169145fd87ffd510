using System.Buffers;
using System.Text;
using Google.Protobuf;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using static KafkaKinesisBridge.Api.Grpc.Tests.Wire.WireTestKit;
using CoreApi = KafkaKinesisBridge.Core.Api;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Wire;

/// <summary>
/// The hand-written PutRecords codec against Google.Protobuf as the oracle: every message Google's
/// parser reads, ours reads the same, every message it refuses, ours refuses; responses are the bytes
/// Google's serializer writes for the same result.
/// </summary>
public sealed class PutRecordsWireTests
{
    private static readonly string[] Keys = ["k", "customer-42", "\u00e9t\u00e9", "\ud83d\ude80 rocket", new string('x', 256), "\u4e2d\u6587"];

    [Fact]
    public void Parse_RandomRequestsWithUnknownFields_ReadsWhatGoogleProtobufReads()
    {
        var random = new Random(20261201);
        for (var iteration = 0; iteration < 300; iteration++)
        {
            var bytes = RandomRequest(random);
            var expected = Proto.PutRecordsRequest.Parser.ParseFrom(bytes);

            using var actual = PutRecordsGrpcRequest.Parse(Segmented(bytes, 1 + random.Next(200)));

            AssertSame(expected, actual);
        }
    }

    [Fact]
    public void Parse_EmptyMessage_NoRecordsNoNames()
    {
        using var request = PutRecordsGrpcRequest.Parse(ReadOnlySequence<byte>.Empty);

        Assert.Equal(0, request.Records.Length);
        Assert.Null(request.StreamName);
        Assert.Null(request.StreamArn);
    }

    public static TheoryData<string, byte[]> MalformedMessages() => new()
    {
        { "length beyond the end", [0x0A, 0x05, 0x01] },
        { "truncated varint", [0x10, 0x80] },
        { "tag zero", [0x00, 0x01] },
        { "wire type 7", [0x0F] },
        { "wire type 6", [0x0E] },
        { "varint of 11 bytes", [0x08, .. Enumerable.Repeat((byte)0x80, 10), 0x01] },
        { "entry data beyond the entry", [0x0A, 0x02, 0x0A, 0x7F] },
        { "unterminated group", [0x1B, 0x08, 0x01] },
        { "truncated fixed64", [0x09, 0x01, 0x02] },
        { "truncated fixed32", [0x0D, 0x01] },
        { "entry with tag zero", [0x0A, 0x01, 0x00] },
        { "stream name beyond the end", [0x12, 0x0A, (byte)'a'] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public void Parse_Malformed_RefusedAsGoogleProtobufRefusesIt(string what, byte[] bytes)
    {
        Assert.Throws<InvalidProtocolBufferException>(() => Proto.PutRecordsRequest.Parser.ParseFrom(bytes));

        var error = Record.Exception(() => PutRecordsGrpcRequest.Parse(new ReadOnlySequence<byte>(bytes)));
        Assert.True(error is InvalidDataException, $"{what}: {error}");
        Assert.StartsWith("Malformed protobuf message", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_Twice_IsSafeAndForgetsTheRecords()
    {
        var bytes = new Proto.PutRecordsRequest
        {
            StreamName = "s",
            Records = { new Proto.PutRecordsRequestEntry { Data = ByteString.CopyFromUtf8("d"), PartitionKey = "k" } },
        }.ToByteArray();
        var request = PutRecordsGrpcRequest.Parse(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(1, request.Records.Length);

        request.Dispose();
        request.Dispose();

        Assert.Equal(0, request.Records.Length);
    }

    [Fact]
    public async Task Write_RealResponseWithThrottledRecords_SameBytesAsGoogleProtobuf()
    {
        // Three records per second per shard: most of a 40-record batch is throttled, per record.
        await using var core = await CoreOnMemory.StartAsync(o =>
        {
            o.Quotas.Enabled = true;
            o.Quotas.WriteRecordsPerSecond = 3;
        });
        await core.CreateStreamAsync("throttled", shards: 2);
        var entries = Enumerable.Range(0, 40).Select(i => new CoreApi.PutRecordsRequestEntry(new byte[i], $"key-{i}")).ToArray();

        using var response = await core.Streams.PutRecordsAsync(new CoreApi.PutRecordsRequest { StreamName = "throttled", Records = entries }, CoreOnMemory.Ct);

        Assert.InRange(response.FailedRecordCount, 1, 39);
        AssertWritesLikeGoogleProtobuf(new PutRecordsGrpcResponse(response), Expected(response));
    }

    [Fact]
    public async Task Write_RealResponseAllStored_SameBytesAsGoogleProtobuf()
    {
        await using var core = await CoreOnMemory.StartAsync();
        await core.CreateStreamAsync("stored", shards: 4);
        var entries = Enumerable.Range(0, 500).Select(i => new CoreApi.PutRecordsRequestEntry(new byte[100], $"partition-{i}")).ToArray();

        using var response = await core.Streams.PutRecordsAsync(new CoreApi.PutRecordsRequest { StreamName = "stored", Records = entries }, CoreOnMemory.Ct);

        Assert.Equal(0, response.FailedRecordCount);
        AssertWritesLikeGoogleProtobuf(new PutRecordsGrpcResponse(response), Expected(response));
    }

    internal static void AssertWritesLikeGoogleProtobuf(PutRecordsGrpcResponse response, IMessage expected)
    {
        var expectedBytes = expected.ToByteArray();
        Assert.Equal(expectedBytes.Length, response.CalculateSize());

        var contiguous = new ArrayBufferWriter<byte>();
        response.WriteTo(contiguous);
        Assert.Equal(expectedBytes, contiguous.WrittenSpan.ToArray());

        var tight = new TightBufferWriter();
        response.WriteTo(tight);
        Assert.Equal(expectedBytes, tight.WrittenBytes);
    }

    private static Proto.PutRecordsResponse Expected(CoreApi.PutRecordsResponse response)
    {
        var expected = new Proto.PutRecordsResponse { FailedRecordCount = response.FailedRecordCount };
        foreach (var record in response.Records)
        {
            expected.Records.Add(record.IsSuccess
                ? new Proto.PutRecordsResultEntry { SequenceNumber = record.SequenceNumber.ToString(), ShardId = record.ShardId! }
                : new Proto.PutRecordsResultEntry { ErrorCode = record.ErrorCode!, ErrorMessage = record.ErrorMessage ?? string.Empty });
        }

        return expected;
    }

    private static void AssertSame(Proto.PutRecordsRequest expected, PutRecordsGrpcRequest actual)
    {
        Assert.Equal(NullIfEmpty(expected.StreamName), actual.StreamName);
        Assert.Equal(NullIfEmpty(expected.StreamArn), actual.StreamArn);
        Assert.Equal(expected.Records.Count, actual.Records.Length);
        var records = actual.Records.Span;
        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(expected.Records[i].Data.ToByteArray(), records[i].Data.ToArray());
            Assert.Equal(NullIfEmpty(expected.Records[i].PartitionKey), records[i].PartitionKey);
            Assert.Equal(NullIfEmpty(expected.Records[i].ExplicitHashKey), records[i].ExplicitHashKey);
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>
    /// A request in protobuf bytes: entries written by Google.Protobuf, then framed by hand with unknown
    /// fields inside and between them, fields out of number order, and scalars repeated (last wins).
    /// </summary>
    private static byte[] RandomRequest(Random random)
    {
        var parts = new List<byte[]>();
        var count = random.Next(0, 40);
        for (var i = 0; i < count; i++)
        {
            var entry = new Proto.PutRecordsRequestEntry
            {
                Data = ByteString.CopyFrom(RandomData(random)),
                PartitionKey = random.Next(10) == 0 ? string.Empty : Keys[random.Next(Keys.Length)] + i,
                ExplicitHashKey = random.Next(3) == 0 ? random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty,
            };
            var body = entry.ToByteArray();
            if (random.Next(4) == 0)
            {
                body = [.. UnknownFields(4), .. body, .. UnknownFields(9)];
            }

            if (random.Next(8) == 0)
            {
                // A second partition_key in the entry: the last one counts.
                body = [.. body, .. Field(3, ProtoWire.LengthDelimited, Encoding.UTF8.GetBytes("last-" + i))];
            }

            parts.Add(Field(1, ProtoWire.LengthDelimited, body));
            if (random.Next(6) == 0)
            {
                parts.Add(UnknownFields(20));
            }
        }

        if (random.Next(2) == 0)
        {
            parts.Insert(random.Next(parts.Count + 1), Field(2, ProtoWire.LengthDelimited, Encoding.UTF8.GetBytes("first-name")));
        }

        parts.Insert(random.Next(parts.Count + 1), Field(2, ProtoWire.LengthDelimited, Encoding.UTF8.GetBytes("stream-" + random.Next(1000))));
        if (random.Next(2) == 0)
        {
            parts.Insert(random.Next(parts.Count + 1), Field(3, ProtoWire.LengthDelimited, "arn:aws:kinesis:us-east-1:000000000000:stream/s"u8.ToArray()));
        }

        // A known field with the wrong wire type is skipped as unknown, by both parsers.
        if (random.Next(5) == 0)
        {
            parts.Add(Field(1, ProtoWire.Varint, Varint(7)));
        }

        return [.. parts.SelectMany(p => p)];
    }

    private static byte[] RandomData(Random random)
    {
        int[] sizes = [0, 1, 127, 128, 300, 16_383, 16_384, 70_000];
        var data = new byte[random.Next(3) == 0 ? sizes[random.Next(sizes.Length)] : random.Next(0, 200)];
        random.NextBytes(data);
        return data;
    }
}
