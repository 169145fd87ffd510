using Google.Protobuf;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>Single-record PutRecord calls over gRPC (latency-oriented).</summary>
public sealed class GrpcPutRecordWorkload(GrpcBenchClient client, BenchSettings settings) : IWorkload
{
    private const int DistinctRequestsPerWorker = 256;
    private PutRecordRequest[][] _requests = [];
    private int[] _next = [];

    /// <inheritdoc />
    public string Name => "put-record";

    /// <inheritdoc />
    public bool IsFinished => false;

    /// <inheritdoc />
    public bool SupportsWarmup => true;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        await GrpcStreams.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        _requests = new PutRecordRequest[settings.Concurrency][];
        _next = new int[settings.Concurrency];
        for (var worker = 0; worker < settings.Concurrency; worker++)
        {
            _requests[worker] = Enumerable.Range(0, DistinctRequestsPerWorker)
                .Select(i => new PutRecordRequest
                {
                    StreamName = settings.StreamName,
                    PartitionKey = RecordFactory.PartitionKey(worker, i),
                    Data = ByteString.CopyFrom(RecordFactory.Data(settings.RecordSize, i)),
                })
                .ToArray();
        }
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var requests = _requests[worker];
        var request = requests[_next[worker]++ % requests.Length];
        await client.Streams.PutRecordAsync(request, cancellationToken: cancellationToken);
        return new CallResult(1, settings.RecordSize, 0);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
