using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Running;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// PutRecords batches through the Kinesis AWS JSON 1.1 API. The same records as the gRPC workload
/// (<see cref="RecordFactory"/>), encoded once into request bodies that are sent again and again.
/// </summary>
public sealed class KinesisPutRecordsWorkload(KinesisJsonClient client, BenchSettings settings) : IWorkload
{
    private const int DistinctRequestsPerWorker = 8;
    private byte[][][] _bodies = [];
    private int[] _next = [];
    private ResponseBuffer[] _buffers = [];

    /// <inheritdoc />
    public string Name => "put-records";

    /// <inheritdoc />
    public bool IsFinished => false;

    /// <inheritdoc />
    public bool SupportsWarmup => true;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        await KinesisRequests.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        _bodies = new byte[settings.Concurrency][][];
        _next = new int[settings.Concurrency];
        _buffers = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => new ResponseBuffer())];
        for (var worker = 0; worker < settings.Concurrency; worker++)
        {
            _bodies[worker] = new byte[DistinctRequestsPerWorker][];
            for (var r = 0; r < DistinctRequestsPerWorker; r++)
            {
                var records = new (string, byte[])[settings.BatchSize];
                for (var i = 0; i < records.Length; i++)
                {
                    var index = (r * settings.BatchSize) + i;
                    records[i] = (RecordFactory.PartitionKey(worker, index), RecordFactory.Data(settings.RecordSize, index));
                }

                _bodies[worker][r] = KinesisRequests.PutRecords(settings.StreamName, records);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var bodies = _bodies[worker];
        var body = bodies[_next[worker]++ % bodies.Length];
        var buffer = _buffers[worker];
        var length = await client.CallAsync("PutRecords", body, buffer, cancellationToken);
        var failed = KinesisResponses.FailedRecordCount(buffer.Span(length));
        var stored = settings.BatchSize - failed;
        return new CallResult(stored, (long)stored * settings.RecordSize, failed);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var buffer in _buffers)
        {
            buffer.Dispose();
        }

        return ValueTask.CompletedTask;
    }
}
