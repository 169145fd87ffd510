using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Scenarios;

/// <summary>
/// Kinesis errors as a gRPC client receives them (streams.proto, "Errors"): status code,
/// grpc-message, the kinesis-error-type trailer and google.rpc.ErrorInfo in grpc-status-details-bin.
/// Messages follow the Kinesis service (AWS JSON validation format "N validation error(s) detected").
/// </summary>
public abstract class ErrorScenarios<TFixture>(TFixture fixture)
    where TFixture : GatewayFixture
{
    private const string Account = "000000000000";

    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    [Fact]
    public async Task DataAndControlPlane_UnknownStream_NotFoundWithResourceNotFoundException()
    {
        var name = GatewayHost.NewStreamName("missing");
        var expected = $"Stream {name} under account {Account} not found.";

        var describe = await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = name }), StatusCode.NotFound, "ResourceNotFoundException");
        var put = await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, "k", "v"), StatusCode.NotFound, "ResourceNotFoundException");
        var putMany = await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordsAsync(new PutRecordsRequest { StreamName = name, Records = { new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("v") } } }),
            StatusCode.NotFound,
            "ResourceNotFoundException");
        var iterator = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon), StatusCode.NotFound, "ResourceNotFoundException");

        Assert.Equal(expected, describe.Status.Detail);
        Assert.Equal(expected, put.Status.Detail);
        Assert.Equal(expected, putMany.Status.Detail);
        Assert.Equal(expected, iterator.Status.Detail);
    }

    [Fact]
    public async Task PutRecords_MalformedProtobuf_InternalAndNothingStoredAndTheGatewayKeepsServing()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var valid = new PutRecordsRequest
        {
            StreamName = name,
            Records = { new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("kept") } },
        }.ToByteArray();

        // The valid request with its record's length made to run past the end of the message.
        var malformed = valid.ToArray();
        malformed[1] = 0x7F;
        var raw = new Method<byte[], PutRecordsResponse>(
            MethodType.Unary,
            KinesisStreams.Descriptor.FullName,
            "PutRecords",
            Marshallers.Create<byte[]>(b => b, b => b),
            Marshallers.Create<PutRecordsResponse>(m => m.ToByteArray(), PutRecordsResponse.Parser.ParseFrom));

        var error = await Assert.ThrowsAsync<RpcException>(() => Kinesis.CallAsync(raw, malformed));
        var stored = await Kinesis.CallAsync(raw, valid);

        KinesisAssert.AssertKinesisError(error, StatusCode.Internal, "SerializationException");
        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Failed to deserialize request message.", error.Status.Detail);
        Assert.Equal(0, stored.FailedRecordCount);
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var records = await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });
        Assert.Equal("kept", Assert.Single(records.Records).Data.ToStringUtf8());
    }

    [Fact]
    public async Task GetShardIterator_UnknownShard_NotFound()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 2);

        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetShardIteratorAsync(name, "shardId-000000000007", ShardIteratorType.TrimHorizon), StatusCode.NotFound, "ResourceNotFoundException");

        Assert.Contains("shardId-000000000007", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateStream_BadStreamName_ValidationException()
    {
        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.CreateStreamAsync(new CreateStreamRequest { StreamName = "bad name!", ShardCount = 1 }), StatusCode.InvalidArgument, "ValidationException");

        Assert.StartsWith("1 validation error detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeStream_NameTooLong_ValidationException()
    {
        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.DescribeStreamAsync(new DescribeStreamRequest { StreamName = new string('a', 129) }), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("Member must have length less than or equal to 128", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutRecords_501Records_ValidationException()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var request = new PutRecordsRequest { StreamName = name };
        for (var i = 0; i < 501; i++)
        {
            request.Records.Add(new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("x") });
        }

        var error = await KinesisAssert.FailsWithAsync(() => Kinesis.PutRecordsAsync(request), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", error.Status.Detail, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(name);
    }

    [Fact]
    public async Task PutRecord_DataOverOneMiB_ValidationException()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, "k", new byte[(1024 * 1024) + 1]), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576", error.Status.Detail, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(name);
    }

    [Fact]
    public async Task PutRecord_DataPlusPartitionKeyOverOneMiB_InvalidArgumentException()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        // Kinesis counts the partition key against the record size: 1 MiB of data plus a key is too much.
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, "key", new byte[1024 * 1024]), StatusCode.InvalidArgument, "InvalidArgumentException");
        var exactly = await Kinesis.PutRecordAsync(name, "key", new byte[(1024 * 1024) - 3]);

        Assert.NotEmpty(exactly.SequenceNumber);
    }

    [Fact]
    public async Task PutRecords_OversizeRecordInBatch_ValidationExceptionAndNothingWritten()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var request = new PutRecordsRequest
        {
            StreamName = name,
            Records =
            {
                new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("fine") },
                new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFrom(new byte[(1024 * 1024) + 1]) },
            },
        };

        var error = await KinesisAssert.FailsWithAsync(() => Kinesis.PutRecordsAsync(request), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("records.2.member.data", error.Status.Detail, StringComparison.Ordinal);
        await AssertNothingWrittenAsync(name);
    }

    [Fact]
    public async Task PutRecord_PartitionKeyTooLong_ValidationException()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, new string('k', 257), "v"), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutRecord_ExplicitHashKeyAbove128Bits_InvalidArgument()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        // 2^128: matches the pattern 0|([1-9]\d{0,38}) but is not a 128-bit hash key.
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.PutRecordAsync(name, "k", "v"u8, explicitHashKey: "340282366920938463463374607431768211456"),
            StatusCode.InvalidArgument,
            "InvalidArgumentException");
    }

    [Fact]
    public async Task GetRecords_TamperedOrGarbageIterator_InvalidArgument()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var chars = iterator.ToCharArray();
        var middle = chars.Length / 2;
        chars[middle] = chars[middle] == 'A' ? 'B' : 'A';
        var tampered = new string(chars);

        var changed = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = tampered }), StatusCode.InvalidArgument, "InvalidArgumentException");
        var garbage = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = "not-a-shard-iterator" }), StatusCode.InvalidArgument, "InvalidArgumentException");

        Assert.Equal("Invalid ShardIterator.", changed.Status.Detail);
        Assert.Equal("Invalid ShardIterator.", garbage.Status.Detail);
        Assert.Empty((await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records);
    }

    [Fact]
    public async Task GetShardIterator_MissingSequenceNumberOrType_Rejected()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);

        await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.AtSequenceNumber), StatusCode.InvalidArgument, "InvalidArgumentException");
        await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.Unspecified), StatusCode.InvalidArgument, "ValidationException");
    }

    [Fact]
    public async Task GetRecords_LimitOutOfRange_ValidationException()
    {
        var name = GatewayHost.NewStreamName();
        await Kinesis.CreateStreamAsync(name, 1);
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);

        var error = await KinesisAssert.FailsWithAsync(
            () => Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 10001 }), StatusCode.InvalidArgument, "ValidationException");

        Assert.Contains("Member must have value less than or equal to 10000", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// Checks that a refused request wrote nothing: a marker put afterwards is the first record of
    /// the shard (an empty read alone proves nothing on Kafka, where a fetch may return no records yet).
    /// </summary>
    private async Task AssertNothingWrittenAsync(string name)
    {
        var marker = await Kinesis.PutRecordAsync(name, "marker", "marker");
        var iterator = await Kinesis.GetShardIteratorAsync(name, marker.ShardId, ShardIteratorType.TrimHorizon);
        var (records, _) = await Kinesis.ReadAsync(iterator, expected: 1);
        Assert.Equal(marker.SequenceNumber, records[0].SequenceNumber);
    }
}

[Collection(EmbeddedGatewayCollection.Name)]
public sealed class EmbeddedErrorTests(EmbeddedGatewayFixture fixture) : ErrorScenarios<EmbeddedGatewayFixture>(fixture);

[Collection(KafkaMockGatewayCollection.Name)]
public sealed class KafkaMockErrorTests(KafkaMockGatewayFixture fixture) : ErrorScenarios<KafkaMockGatewayFixture>(fixture);
