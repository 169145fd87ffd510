using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// Reads a stream back from TRIM_HORIZON with GetRecords over gRPC, one reader per shard (at most
/// Concurrency readers), until every shard is caught up: the "read back" number.
/// </summary>
public sealed class GrpcGetRecordsWorkload(GrpcBenchClient client, BenchSettings settings) : IWorkload
{
    private string?[] _iterators = [];
    private bool[] _done = [];
    private int _remaining;

    /// <inheritdoc />
    public string Name => "get-records";

    /// <inheritdoc />
    public bool IsFinished => Volatile.Read(ref _remaining) == 0;

    /// <inheritdoc />
    public bool SupportsWarmup => false;

    /// <inheritdoc />
    public async ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        var shards = await GrpcStreams.ListShardIdsAsync(client, settings.StreamName, cancellationToken);
        _iterators = new string?[shards.Count];
        _done = new bool[shards.Count];
        for (var i = 0; i < shards.Count; i++)
        {
            var iterator = await client.Streams.GetShardIteratorAsync(new GetShardIteratorRequest { StreamName = settings.StreamName, ShardId = shards[i], ShardIteratorType = ShardIteratorType.TrimHorizon }, cancellationToken: cancellationToken);
            _iterators[i] = iterator.ShardIterator;
        }

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

            var response = await client.UnaryAsync(LeanGrpcMessages.GetRecords, new GetRecordsRequest { ShardIterator = _iterators[shard], Limit = settings.GetLimit }, cancellationToken);
            _iterators[shard] = response.NextShardIterator;
            if (response.Records == 0 && response.MillisBehindLatest == 0 || _iterators[shard] is null)
            {
                _done[shard] = true;
                Interlocked.Decrement(ref _remaining);
            }

            return new CallResult(response.Records, response.DataBytes, 0);
        }

        // Nothing left for this worker: wait for the others without spinning.
        await Task.Delay(10, cancellationToken);
        return CallResult.Empty;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
