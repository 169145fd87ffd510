using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>Stream setup and teardown over the gRPC API, shared by the gRPC workloads.</summary>
public static class GrpcStreams
{
    /// <summary>Creates <paramref name="streamName"/> with <paramref name="shards"/> shards and waits until ACTIVE.</summary>
    public static async Task EnsureStreamAsync(GrpcBenchClient client, string streamName, int shards, CancellationToken cancellationToken)
    {
        try
        {
            await client.Streams.CreateStreamAsync(new CreateStreamRequest { StreamName = streamName, ShardCount = shards }, cancellationToken: cancellationToken);
        }
        catch (Grpc.Core.RpcException ex) when (ex.Trailers.GetValue("kinesis-error-type") == "ResourceInUseException")
        {
            // Exists already: reuse it (a bench pointed at a running gateway with --stream).
        }

        for (var attempt = 0; attempt < 600; attempt++)
        {
            var description = await client.Streams.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = streamName }, cancellationToken: cancellationToken);
            if (description.StreamDescriptionSummary.StreamStatus == StreamStatus.Active)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Stream {streamName} did not become ACTIVE.");
    }

    /// <summary>The shard ids of a stream.</summary>
    public static async Task<IReadOnlyList<string>> ListShardIdsAsync(GrpcBenchClient client, string streamName, CancellationToken cancellationToken)
    {
        var response = await client.Streams.ListShardsAsync(new ListShardsRequest { StreamName = streamName }, cancellationToken: cancellationToken);
        return response.Shards.Select(s => s.ShardId).ToList();
    }
}
