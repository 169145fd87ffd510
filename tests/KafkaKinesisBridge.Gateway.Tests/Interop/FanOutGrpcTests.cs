using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// Enhanced fan-out over gRPC against the real gateway on the embedded log: consumers and the
/// server-streaming SubscribeToShard, with Grpc.Net.Client and with grpcio (the gRPC C core).
/// </summary>
public sealed class FanOutGrpcTests(InteropGatewayFixture fixture) : IClassFixture<InteropGatewayFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static string ScriptsDirectory => Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "grpc-gateway");

    [Fact]
    public async Task SubscribeToShard_GrpcNetClient_PushesRecordsAndResumesAfterContinuation()
    {
        var client = fixture.Host.Kinesis.Client;
        var stream = GatewayHost.NewStreamName("efo");
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = stream, ShardCount = 1 }, KinesisStreamsClient.Options);
        var arn = (await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = stream }, KinesisStreamsClient.Options)).StreamDescriptionSummary.StreamArn;
        var consumer = (await client.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamArn = arn, ConsumerName = "app" }, KinesisStreamsClient.Options)).Consumer;
        Assert.Equal(ConsumerStatus.Creating, consumer.ConsumerStatus);
        Assert.StartsWith(arn + "/consumer/app:", consumer.ConsumerArn, StringComparison.Ordinal);
        await Eventually.UntilAsync(
            async () => (await client.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerArn = consumer.ConsumerArn }, KinesisStreamsClient.Options)).ConsumerDescription.ConsumerStatus == ConsumerStatus.Active,
            Wait,
            "the consumer becomes ACTIVE");

        string continuation;
        using (var call = Subscribe(client, consumer.ConsumerArn, ShardIteratorType.Latest))
        {
            var opening = await NextAsync(call);
            Assert.Empty(opening.Records);
            for (var i = 0; i < 3; i++)
            {
                await PutAsync(client, stream, "pushed-" + i);
            }

            var (received, last) = await ReceiveAsync(call, 3);
            Assert.Equal(["pushed-0", "pushed-1", "pushed-2"], received);
            continuation = last;
        }

        await PutAsync(client, stream, "after-cancel");

        // Within 5 seconds of the first subscription a second is refused, as in Kinesis; then it takes over.
        List<string>? resumed = null;
        await Eventually.UntilAsync(
            async () =>
            {
                using var call = Subscribe(client, consumer.ConsumerArn, ShardIteratorType.AfterSequenceNumber, continuation);
                try
                {
                    (resumed, _) = await ReceiveAsync(call, 1);
                    return true;
                }
                catch (RpcException error) when (error.Trailers.GetValue("kinesis-error-type") == "ResourceInUseException")
                {
                    Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
                    return false;
                }
            },
            Wait,
            "a resubscription is accepted once the takeover time has passed");
        Assert.Equal(["after-cancel"], resumed);
    }

    [Fact]
    public async Task SubscribeToShard_UnknownConsumer_NotFoundWithKinesisErrorType()
    {
        var client = fixture.Host.Kinesis.Client;
        var stream = GatewayHost.NewStreamName("efo");
        await client.CreateStreamAsync(new CreateStreamRequest { StreamName = stream, ShardCount = 1 }, KinesisStreamsClient.Options);
        var arn = (await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = stream }, KinesisStreamsClient.Options)).StreamDescriptionSummary.StreamArn;

        using var call = Subscribe(client, arn + "/consumer/nobody:1", ShardIteratorType.Latest);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(TestContext.Current.CancellationToken));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("ResourceNotFoundException", error.Trailers.GetValue("kinesis-error-type"));
    }

    [Fact]
    public async Task Grpcio_RegisterSubscribeResubscribe_ReceivesEveryRecordOnce()
    {
        var python = await InteropPython.FindWithGrpcAsync();
        if (python is null)
        {
            Prerequisite.Missing("python3 with the grpc and google.protobuf modules (Debian python3-grpcio, python3-protobuf) is not installed");
            return;
        }

        var stream = GatewayHost.NewStreamName("pyefo");
        var result = await ExternalProcess.RunAsync(
            python,
            [Path.Combine(ScriptsDirectory, "kinesis_grpc_subscribe.py"), fixture.Host.Target, stream, fixture.DescriptorSetPath],
            environment: new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8" },
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(["pushed-0", "pushed-1", "pushed-2"], report.RootElement.GetProperty("first").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["after-cancel"], report.RootElement.GetProperty("resumed").EnumerateArray().Select(e => e.GetString()));
    }

    private static AsyncServerStreamingCall<SubscribeToShardEvent> Subscribe(KinesisStreams.KinesisStreamsClient client, string consumerArn, ShardIteratorType type, string sequenceNumber = "") =>
        client.SubscribeToShard(
            new SubscribeToShardRequest
            {
                ConsumerArn = consumerArn,
                ShardId = "shardId-000000000000",
                StartingPosition = new StartingPosition { Type = type, SequenceNumber = sequenceNumber },
            },
            cancellationToken: TestContext.Current.CancellationToken);

    private static async Task<SubscribeToShardEvent> NextAsync(AsyncServerStreamingCall<SubscribeToShardEvent> call)
    {
        Assert.True(await call.ResponseStream.MoveNext(TestContext.Current.CancellationToken).WaitAsync(Wait, TestContext.Current.CancellationToken), "the subscription ended");
        return call.ResponseStream.Current;
    }

    private static async Task<(List<string> Data, string Continuation)> ReceiveAsync(AsyncServerStreamingCall<SubscribeToShardEvent> call, int wanted)
    {
        var data = new List<string>();
        var continuation = string.Empty;
        while (data.Count < wanted)
        {
            var item = await NextAsync(call);
            Assert.NotEmpty(item.ContinuationSequenceNumber);
            continuation = item.ContinuationSequenceNumber;
            data.AddRange(item.Records.Select(r => r.Data.ToStringUtf8()));
        }

        return (data, continuation);
    }

    private static Task PutAsync(KinesisStreams.KinesisStreamsClient client, string stream, string data) =>
        client.PutRecordAsync(new PutRecordRequest { StreamName = stream, PartitionKey = "k", Data = ByteString.CopyFrom(data, Encoding.UTF8) }, KinesisStreamsClient.Options).ResponseAsync;
}
