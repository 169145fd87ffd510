using System.Buffers;
using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Running;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// Reads a stream back from TRIM_HORIZON with GetRecords through the Kinesis AWS JSON 1.1 API, one
/// reader per shard (at most Concurrency readers), until every shard is caught up.
/// </summary>
public sealed class KinesisGetRecordsWorkload(KinesisJsonClient client, BenchSettings settings) : IWorkload
{
    private string?[] _iterators = [];
    private bool[] _done = [];
    private int _remaining;
    private ResponseBuffer[] _buffers = [];
    private ArrayBufferWriter<byte>[] _requests = [];

    /// <inheritdoc />
    public string Name => "get-records";

    /// <inheritdoc />
    public bool IsFinished => Volatile.Read(ref _remaining) == 0;

    /// <inheritdoc />
    public bool SupportsWarmup => false;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        var shards = await KinesisRequests.ListShardIdsAsync(client, settings.StreamName, cancellationToken);
        _iterators = new string?[shards.Count];
        _done = new bool[shards.Count];
        for (var i = 0; i < shards.Count; i++)
        {
            _iterators[i] = await KinesisRequests.TrimHorizonIteratorAsync(client, settings.StreamName, shards[i], cancellationToken);
        }

        _buffers = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => new ResponseBuffer())];
        _requests = [.. Enumerable.Range(0, settings.Concurrency).Select(_ => new ArrayBufferWriter<byte>(512))];
        _remaining = shards.Count;
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        // Worker w reads shards w, w + Concurrency, ... in turn.
        for (var shard = worker; shard < _iterators.Length; shard += settings.Concurrency)
        {
            if (_done[shard])
            {
                continue;
            }

            var body = KinesisRequests.GetRecords(_requests[worker], _iterators[shard]!, settings.GetLimit);
            var length = await client.CallAsync("GetRecords", body, _buffers[worker], cancellationToken);
            var summary = KinesisResponses.GetRecords(_buffers[worker].Span(length));
            _iterators[shard] = summary.NextShardIterator;
            if ((summary.Records == 0 && summary.MillisBehindLatest == 0) || summary.NextShardIterator is null)
            {
                _done[shard] = true;
                Interlocked.Decrement(ref _remaining);
            }

            return new CallResult(summary.Records, summary.DataBytes, 0);
        }

        // Nothing left for this worker: wait for the others without spinning.
        await Task.Delay(10, cancellationToken);
        return CallResult.Empty;
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
