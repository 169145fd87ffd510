using System.Net;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure.RawHttp2;
using KafkaKinesisBridge.Gateway.Tests.Scenarios;

namespace KafkaKinesisBridge.Gateway.Tests.Contract;

/// <summary>
/// The failures Grpc.AspNetCore answers around the service keep the Kinesis error shape, and what it
/// would silently accept is refused: through Grpc.Net.Client where it can send the case, through raw
/// HTTP/2 frames where it cannot (gRPC PROTOCOL-HTTP2).
/// </summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class GrpcTransportTests(EmbeddedGatewayFixture fixture)
{
    private const string PutRecordsPath = "/kafkakinesisbridge.streams.v1.KinesisStreams/PutRecords";

    private static readonly Marshaller<byte[]> Raw = Marshallers.Create<byte[]>(b => b, b => b);

    private KinesisStreamsClient Kinesis => fixture.Host.Kinesis;

    private static Method<byte[], byte[]> RawMethod(string name) =>
        new(MethodType.Unary, KinesisStreams.Descriptor.FullName, name, Raw, Raw);

    [Fact]
    public async Task UnknownMethod_UnimplementedWithUnknownOperationException()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Kinesis.CallAsync(RawMethod("StartStreamEncryption"), []));

        KinesisAssert.AssertKinesisError(error, StatusCode.Unimplemented, "UnknownOperationException");
    }

    [Fact]
    public async Task UnknownMethod_RawHttp2_TrailersOnly()
    {
        await using var connection = await ConnectAsync();
        var stream = await connection.StartCallAsync("/kafkakinesisbridge.streams.v1.KinesisStreams/NoSuchMethod", cancellationToken: Ct);
        await connection.SendDataAsync(stream, GrpcWire.Frame([], compressed: false), endStream: true, Ct);

        var response = await connection.ReadResponseAsync(stream, Ct);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("200", response.Header(":status"));
        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Equal("UnknownOperationException", response.Header("kinesis-error-type"));
    }

    [Fact]
    public async Task MessageOverTheReceiveLimit_HeaderOnly_ResourceExhaustedWithRequestEntityTooLargeBeforeThePayload()
    {
        // Grpc.Net.Client refuses to send it (its own send limit), so the message header goes raw:
        // 16 MiB + 1 declared, no payload sent. The gateway must answer without waiting for it.
        await using var connection = await ConnectAsync();
        var stream = await connection.StartCallAsync(PutRecordsPath, cancellationToken: Ct);
        var header = new byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (16 * 1024 * 1024) + 1);
        await connection.SendDataAsync(stream, header, endStream: false, Ct);

        var response = await connection.ReadResponseAsync(stream, Ct);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("8", response.Header("grpc-status"));
        Assert.Equal("RequestEntityTooLarge", response.Header("kinesis-error-type"));
        Assert.NotNull(response.Header("grpc-status-details-bin"));
    }

    [Fact]
    public async Task PutRecord_InvalidUtf8PartitionKey_InvalidArgumentAndNothingStored()
    {
        var name = GatewayHost.NewStreamName("utf8");
        await Kinesis.CreateStreamAsync(name, 1);
        byte[] request = [.. new PutRecordRequest { StreamName = name, Data = ByteString.CopyFromUtf8("d") }.ToByteArray(), 0x1A, 0x03, (byte)'a', 0xFF, 0xFE];

        var single = await Assert.ThrowsAsync<RpcException>(() => Kinesis.CallAsync(RawMethod("PutRecord"), request));
        byte[] batch = [.. new PutRecordsRequest { StreamName = name }.ToByteArray(), 0x0A, 0x05, 0x1A, 0x03, (byte)'a', 0xFF, 0xFE];
        var many = await Assert.ThrowsAsync<RpcException>(() => Kinesis.CallAsync(RawMethod("PutRecords"), batch));

        KinesisAssert.AssertKinesisError(single, StatusCode.InvalidArgument, "SerializationException");
        KinesisAssert.AssertKinesisError(many, StatusCode.InvalidArgument, "SerializationException");
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        Assert.Empty((await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records);
    }

    [Fact]
    public async Task GzipRequest_CompressedByGrpcNetClient_Stored()
    {
        var name = GatewayHost.NewStreamName("gzip");
        await Kinesis.CreateStreamAsync(name, 1);
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        var put = await Kinesis.Client.PutRecordsAsync(
            new PutRecordsRequest { StreamName = name, Records = { new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8(new string('z', 4096)) } } },
            KinesisStreamsClient.Options.WithHeaders(headers));

        Assert.Equal(0, put.FailedRecordCount);
        var iterator = await Kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        Assert.Equal(new string('z', 4096), Assert.Single((await Kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator })).Records).Data.ToStringUtf8());
    }

    [Fact]
    public async Task GzipResponses_Configured_CompressedForAClientThatAcceptsGzip()
    {
        await using var host = await GatewayHost.StartAsync(
            new GatewayHostOptions { Settings = new Dictionary<string, string?> { ["Grpc:ResponseCompression"] = "Gzip" } },
            Ct);
        await using var connection = await RawHttp2Connection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, host.Address.Port), Ct);
        var stream = await connection.StartCallAsync(
            "/kafkakinesisbridge.streams.v1.KinesisStreams/ListStreams",
            [("grpc-accept-encoding", "identity,gzip")],
            cancellationToken: Ct);
        await connection.SendDataAsync(stream, GrpcWire.Frame(new ListStreamsRequest()), endStream: true, Ct);

        var response = await connection.ReadResponseAsync(stream, Ct);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("gzip", response.Header("grpc-encoding"));
        Assert.Equal(1, Assert.Single(response.Messages()).Flag);
    }

    [Fact]
    public async Task UnsupportedRequestEncoding_RawHttp2_UnimplementedWithAcceptEncoding()
    {
        await using var connection = await ConnectAsync();
        var stream = await connection.StartCallAsync(PutRecordsPath, [("grpc-encoding", "snappy")], cancellationToken: Ct);
        await connection.SendDataAsync(stream, GrpcWire.Frame([1, 2, 3], compressed: true), endStream: true, Ct);

        var response = await connection.ReadResponseAsync(stream, Ct);

        Assert.Equal("12", response.GrpcStatus);
        Assert.Contains("gzip", response.Header("grpc-accept-encoding") ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    public async Task InvalidGrpcTimeout_InvalidArgumentNotIgnored(string timeout)
    {
        var response = await RawPutRecordsAsync(timeout);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("3", response.Header("grpc-status"));
        Assert.Equal("InvalidArgumentException", response.Header("kinesis-error-type"));
    }

    [Fact]
    public async Task ZeroGrpcTimeout_DeadlineExceededWithoutRunningTheCall()
    {
        var response = await RawPutRecordsAsync("0n");

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("4", response.Header("grpc-status"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<RawHttp2Connection> ConnectAsync() =>
        await RawHttp2Connection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, fixture.Host.Address.Port), Ct);

    private async Task<RawHttp2Response> RawPutRecordsAsync(string timeout)
    {
        await using var connection = await ConnectAsync();
        var stream = await connection.StartCallAsync(PutRecordsPath, [("grpc-timeout", timeout)], cancellationToken: Ct);
        await connection.SendDataAsync(stream, GrpcWire.Frame(new PutRecordsRequest { StreamName = "never-created" }), endStream: true, Ct);
        return await connection.ReadResponseAsync(stream, Ct);
    }
}
