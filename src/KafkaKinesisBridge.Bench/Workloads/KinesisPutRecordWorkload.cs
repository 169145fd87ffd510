using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Running;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>Single-record PutRecord calls through the Kinesis AWS JSON 1.1 API (latency-oriented).</summary>
public sealed class KinesisPutRecordWorkload(KinesisJsonClient client, BenchSettings settings) : IWorkload
{
    private const int DistinctRequestsPerWorker = 256;
    private byte[][][] _bodies = [];
    private int[] _next = [];
    private ResponseBuffer[] _buffers = [];

    /// <inheritdoc />
    public string Name => "put-record";

    /// <inheritdoc />
    public bool IsFinished => false;

    /// <inheritdoc />
    public bool SupportsWarmup => true;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        await KinesisRequests.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        _next = new int[settings.Concurrency];
        _buffers = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => new ResponseBuffer())];
        _bodies = [.. Enumerable.Range(0, settings.Concurrency).Select(worker => Enumerable.Range(0, DistinctRequestsPerWorker)
            .Select(i => KinesisRequests.PutRecord(settings.StreamName, RecordFactory.PartitionKey(worker, i), RecordFactory.Data(settings.RecordSize, i)))
            .ToArray())];
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var bodies = _bodies[worker];
        await client.CallAsync("PutRecord", bodies[_next[worker]++ % bodies.Length], _buffers[worker], cancellationToken);
        return new CallResult(1, settings.RecordSize, 0);
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
