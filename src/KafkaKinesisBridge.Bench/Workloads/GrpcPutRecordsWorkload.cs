using Google.Protobuf;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>PutRecords batches over gRPC. Requests are serialized once and reused, and responses are
/// read only for their counts (<see cref="LeanGrpcMessages"/>), so the client spends its CPU on the
/// protocol, not on generating or materialising data.</summary>
public sealed class GrpcPutRecordsWorkload(GrpcBenchClient client, BenchSettings settings) : IWorkload
{
    private const int DistinctRequestsPerWorker = 8;
    private EncodedMessage[][] _requests = [];
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
        _requests = new EncodedMessage[settings.Concurrency][];
        _next = new int[settings.Concurrency];
        for (var worker = 0; worker < settings.Concurrency; worker++)
        {
            _requests[worker] = new EncodedMessage[DistinctRequestsPerWorker];
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

                _requests[worker][r] = EncodedMessage.From(request);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var requests = _requests[worker];
        var request = requests[_next[worker]++ % requests.Length];
        var response = await client.UnaryAsync(LeanGrpcMessages.PutRecords, request, cancellationToken);
        if (response.Results != request.Records)
        {
            throw new InvalidOperationException($"PutRecords answered {response.Results} results for {request.Records} records.");
        }

        var stored = request.Records - response.FailedRecordCount;
        return new CallResult(stored, (long)stored * settings.RecordSize, response.FailedRecordCount);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
