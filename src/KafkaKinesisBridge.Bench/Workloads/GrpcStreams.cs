using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Grpc.Client;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>Stream setup and teardown over the gRPC API, shared by the gRPC workloads.</summary>
public static class GrpcStreams
{
    /// <summary>Creates <paramref name="streamName"/> with <paramref name="shards"/> shards and waits until ACTIVE.</summary>
    public static async Task EnsureStreamAsync(GrpcClient client, string streamName, int shards, CancellationToken cancellationToken)
    {
        try
        {
            await client.UnaryAsync(
                KinesisStreamsMethods.CreateStream,
                new CreateStreamRequest { StreamName = streamName, ShardCount = shards },
                new CallOptions { CancellationToken = cancellationToken });
        }
        catch (GrpcCallException ex) when (ex.Trailers.GetValue("kinesis-error-type") == "ResourceInUseException")
        {
            // Exists already: reuse it (a bench pointed at a running gateway with --stream).
        }

        for (var attempt = 0; attempt < 600; attempt++)
        {
            var description = await client.UnaryAsync(
                KinesisStreamsMethods.DescribeStreamSummary,
                new DescribeStreamSummaryRequest { StreamName = streamName },
                new CallOptions { CancellationToken = cancellationToken });
            if (description.StreamDescriptionSummary.StreamStatus == StreamStatus.Active)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Stream {streamName} did not become ACTIVE.");
    }

    /// <summary>The shard ids of a stream.</summary>
    public static async Task<IReadOnlyList<string>> ListShardIdsAsync(GrpcClient client, string streamName, CancellationToken cancellationToken)
    {
        var response = await client.UnaryAsync(
            KinesisStreamsMethods.ListShards,
            new ListShardsRequest { StreamName = streamName },
            new CallOptions { CancellationToken = cancellationToken });
        return response.Shards.Select(s => s.ShardId).ToList();
    }
}
