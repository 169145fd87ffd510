// A first KinesisStreams gRPC client on Grpc.Net.Client: create a stream with one shard, wait until it
// is ACTIVE, write with PutRecord and PutRecords, read everything back from TRIM_HORIZON with
// GetShardIterator + GetRecords, and delete the stream. Errors are reported by their Kinesis name.
//
// Usage: dotnet run -- [ENDPOINT] [STREAM]
//   ENDPOINT: http://host:port (h2c, prior knowledge) or https://host:port; default $KKB_GRPC_ENDPOINT,
//             else http://127.0.0.1:4567 (what `make run` starts).
//   STREAM:   the stream to create and delete; default example-<random>.
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using KafkaKinesisBridge.Contracts.Streams.V1;

var endpoint = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("KKB_GRPC_ENDPOINT") ?? "http://127.0.0.1:4567";
var stream = args.Length > 1 ? args[1] : "example-" + Guid.NewGuid().ToString("N")[..12];

using var channel = Example.CreateChannel(new Uri(endpoint));
var client = new KinesisStreams.KinesisStreamsClient(channel);
try
{
    await Example.RunAsync(client, stream);
    return 0;
}
catch (RpcException e)
{
    Console.Error.WriteLine($"failed: {Example.KinesisErrorName(e)} ({e.StatusCode}): {e.Status.Detail}");
    return 1;
}

internal static class Example
{
    /// <summary>Every call gets a deadline; retries (service config below) happen within it.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The channel settings every client of the gateway needs.</summary>
    public static GrpcChannel CreateChannel(Uri endpoint) => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
    {
        // GetRecords answers up to 10 MiB (the Kinesis limit). The default receive limit is 4 MiB: such
        // a read would fail with RESOURCE_EXHAUSTED "Received message larger than max", and only once
        // production-sized records arrive.
        MaxReceiveMessageSize = 16 * 1024 * 1024,
        // A retried call is replayed from a buffer; a request larger than this is not retried. The
        // default (1 MiB) is smaller than a full PutRecords request (up to 5 MiB).
        MaxRetryBufferPerCallSize = 6 * 1024 * 1024,
        HttpHandler = new SocketsHttpHandler
        {
            // HTTP/2 PINGs find a dead connection (a gateway restarted behind a load balancer) before
            // the next call waits for its deadline on it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            // More than 100 concurrent calls (the usual HTTP/2 stream limit) open another connection.
            EnableMultipleHttp2Connections = true,
        },
        // gRPC retries (the retryPolicy of the gRPC service config, gRFC A6) for throttling
        // (ProvisionedThroughputExceededException, LimitExceededException: RESOURCE_EXHAUSTED) and an
        // unavailable server (UNAVAILABLE), with exponential backoff and jitter. Beware: a PutRecord
        // that is retried, or that timed out, may have been stored already. PutRecord is not
        // idempotent, so a retry can store a record twice, exactly as with Kinesis: consumers must
        // tolerate duplicates.
        ServiceConfig = new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 5,
                        InitialBackoff = TimeSpan.FromMilliseconds(200),
                        MaxBackoff = TimeSpan.FromSeconds(5),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.ResourceExhausted, StatusCode.Unavailable },
                    },
                },
            },
        },
    });

    /// <summary>
    /// The Kinesis error name of a failed call (ResourceNotFoundException, ...): from the trailer
    /// kinesis-error-type, else from the google.rpc.ErrorInfo in grpc-status-details-bin. Errors the
    /// client raises itself (deadline exceeded, connection refused, message too large) carry neither:
    /// then the gRPC status code is all there is.
    /// </summary>
    public static string KinesisErrorName(RpcException e) =>
        e.Trailers.GetValue("kinesis-error-type")
        ?? e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason
        ?? e.StatusCode.ToString();

    private static CallOptions Call() => new(deadline: DateTime.UtcNow + CallTimeout);

    public static async Task RunAsync(KinesisStreams.KinesisStreamsClient client, string stream)
    {
        try
        {
            await client.CreateStreamAsync(new CreateStreamRequest { StreamName = stream, ShardCount = 1 }, Call());
            Console.WriteLine($"created stream {stream}");
        }
        catch (RpcException e) when (KinesisErrorName(e) == "ResourceInUseException")
        {
            Console.WriteLine($"stream {stream} exists already");
        }

        try
        {
            await WaitForStatusAsync(client, stream, StreamStatus.Active);
            Console.WriteLine($"stream {stream} is ACTIVE");
            await PutAndReadAsync(client, stream);
        }
        finally
        {
            await client.DeleteStreamAsync(new DeleteStreamRequest { StreamName = stream }, Call());
            await WaitUntilDeletedAsync(client, stream);
            Console.WriteLine($"deleted stream {stream}");
        }
    }

    private static async Task PutAndReadAsync(KinesisStreams.KinesisStreamsClient client, string stream)
    {
        var put = await client.PutRecordAsync(
            new PutRecordRequest { StreamName = stream, PartitionKey = "key-1", Data = ByteString.CopyFromUtf8("record 1") },
            Call());
        Console.WriteLine($"put key-1 -> {put.ShardId} {put.SequenceNumber}");

        var batch = new PutRecordsRequest { StreamName = stream };
        batch.Records.Add(new PutRecordsRequestEntry { PartitionKey = "key-2", Data = ByteString.CopyFromUtf8("record 2") });
        batch.Records.Add(new PutRecordsRequestEntry { PartitionKey = "key-3", Data = ByteString.CopyFromUtf8("record 3") });
        await PutRecordsAsync(client, batch);

        // The stream has one shard; ListShards names it.
        var shards = await client.ListShardsAsync(new ListShardsRequest { StreamName = stream }, Call());
        var iterator = (await client.GetShardIteratorAsync(
            new GetShardIteratorRequest { StreamName = stream, ShardId = shards.Shards[0].ShardId, ShardIteratorType = ShardIteratorType.TrimHorizon },
            Call())).ShardIterator;

        // GetRecords may answer fewer records than are there (or none): follow next_shard_iterator.
        // Kinesis allows 5 GetRecords per second per shard, hence the pause between empty reads.
        var read = 0;
        for (var attempt = 0; read < 3 && attempt < 50; attempt++)
        {
            var records = await client.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator, Limit = 1000 }, Call());
            foreach (var record in records.Records)
            {
                Console.WriteLine($"read {record.SequenceNumber} {record.PartitionKey} {record.Data.ToStringUtf8()}");
                read++;
            }

            if (!records.HasNextShardIterator)
            {
                break; // the shard was closed and read to its end
            }

            iterator = records.NextShardIterator;
            if (records.Records.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        Console.WriteLine($"read {read} records");
    }

    /// <summary>
    /// PutRecords succeeds as a call even when some of its records failed (throttled, for example):
    /// failed_record_count says how many, and those entries carry error_code. Send them again.
    /// </summary>
    private static async Task PutRecordsAsync(KinesisStreams.KinesisStreamsClient client, PutRecordsRequest batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await client.PutRecordsAsync(batch, Call());
            var failed = new PutRecordsRequest { StreamName = batch.StreamName };
            for (var i = 0; i < response.Records.Count; i++)
            {
                var result = response.Records[i];
                if (result.ErrorCode.Length == 0)
                {
                    Console.WriteLine($"put {batch.Records[i].PartitionKey} -> {result.ShardId} {result.SequenceNumber}");
                }
                else
                {
                    failed.Records.Add(batch.Records[i]);
                }
            }

            if (response.FailedRecordCount == 0)
            {
                return;
            }

            if (attempt == 5)
            {
                throw new InvalidOperationException($"{response.FailedRecordCount} records still failed after {attempt} attempts");
            }

            batch = failed;
            await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt));
        }
    }

    private static async Task WaitForStatusAsync(KinesisStreams.KinesisStreamsClient client, string stream, StreamStatus wanted)
    {
        for (var attempt = 0; ; attempt++)
        {
            var summary = await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = stream }, Call());
            if (summary.StreamDescriptionSummary.StreamStatus == wanted)
            {
                return;
            }

            if (attempt == 60)
            {
                throw new TimeoutException($"stream {stream} is still {summary.StreamDescriptionSummary.StreamStatus}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>A deleted stream goes DELETING, then describing it fails with ResourceNotFoundException.</summary>
    private static async Task WaitUntilDeletedAsync(KinesisStreams.KinesisStreamsClient client, string stream)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            try
            {
                await client.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = stream }, Call());
            }
            catch (RpcException e) when (KinesisErrorName(e) == "ResourceNotFoundException")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        throw new TimeoutException($"stream {stream} was not deleted");
    }
}
