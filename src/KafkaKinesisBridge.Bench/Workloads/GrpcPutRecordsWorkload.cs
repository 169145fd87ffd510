using Google.Protobuf;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Grpc.Client;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>PutRecords batches over gRPC. Requests are built once and reused, so the client spends
/// its CPU on the protocol, not on generating data.</summary>
public sealed class GrpcPutRecordsWorkload(GrpcClient client, BenchSettings settings) : IWorkload
{
    private const int DistinctRequestsPerWorker = 8;
    private PutRecordsRequest[][] _requests = [];
    private int[] _next = [];

    /// <inheritdoc />
    public string Name => "put-records";

    /// <inheritdoc />
    public bool IsFinished => false;

    /// <inheritdoc />
    public bool SupportsWarmup => true;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        await GrpcStreams.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        _requests = new PutRecordsRequest[settings.Concurrency][];
        _next = new int[settings.Concurrency];
        for (var worker = 0; worker < settings.Concurrency; worker++)
        {
            _requests[worker] = new PutRecordsRequest[DistinctRequestsPerWorker];
            for (var r = 0; r < DistinctRequestsPerWorker; r++)
            {
                var request = new PutRecordsRequest { StreamName = settings.StreamName };
                for (var i = 0; i < settings.BatchSize; i++)
                {
                    var index = (r * settings.BatchSize) + i;
                    request.Records.Add(new PutRecordsRequestEntry
                    {
                        PartitionKey = RecordFactory.PartitionKey(worker, index),
                        Data = ByteString.CopyFrom(RecordFactory.Data(settings.RecordSize, index)),
                    });
                }

                _requests[worker][r] = request;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var requests = _requests[worker];
        var request = requests[_next[worker]++ % requests.Length];
        var response = await client.UnaryAsync(KinesisStreamsMethods.PutRecords, request, new CallOptions { CancellationToken = cancellationToken });
        var stored = request.Records.Count - response.FailedRecordCount;
        return new CallResult(stored, (long)stored * settings.RecordSize, response.FailedRecordCount);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
