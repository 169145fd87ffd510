using System.Text;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Kafka.Benchmarking;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// The baseline of <c>--api kafka-direct</c>: the records the PutRecords workload sends (same keys,
/// same data, same batch size, same number of callers), written by a bare Confluent.Kafka producer
/// with the gateway's producer configuration (<see cref="BareProducerBenchmark"/>) straight to a
/// topic on the gateway's cluster. A call is one batch, complete when every record of it is
/// acknowledged, as a PutRecords call is.
/// </summary>
/// <param name="bootstrapServers">The cluster the gateway writes to.</param>
/// <param name="topic">An existing topic with <see cref="BenchSettings.Shards"/> partitions.</param>
/// <param name="settings">The load shape.</param>
public sealed class KafkaDirectPutRecordsWorkload(string bootstrapServers, string topic, BenchSettings settings) : IWorkload
{
    private const int DistinctBatchesPerWorker = 8;
    private BareProducerBenchmark? _producer;
    private (byte[][] Keys, byte[][] Values)[][] _batches = [];
    private int[] _next = [];

    /// <inheritdoc />
    public string Name => "put-records";

    /// <inheritdoc />
    public bool IsFinished => false;

    /// <inheritdoc />
    public bool SupportsWarmup => true;

    /// <inheritdoc />
    public ValueTask PrepareAsync(CancellationToken cancellationToken)
    {
        _producer = new BareProducerBenchmark(new KafkaStorageOptions { BootstrapServers = bootstrapServers, ClientId = "kkb-bench-direct" });
        _next = new int[settings.Concurrency];
        _batches = new (byte[][], byte[][])[settings.Concurrency][];
        for (var worker = 0; worker < settings.Concurrency; worker++)
        {
            _batches[worker] = new (byte[][], byte[][])[DistinctBatchesPerWorker];
            for (var r = 0; r < DistinctBatchesPerWorker; r++)
            {
                var keys = new byte[settings.BatchSize][];
                var values = new byte[settings.BatchSize][];
                for (var i = 0; i < settings.BatchSize; i++)
                {
                    var index = (r * settings.BatchSize) + i;
                    keys[i] = Encoding.UTF8.GetBytes(RecordFactory.PartitionKey(worker, index));
                    values[i] = RecordFactory.Data(settings.RecordSize, index);
                }

                _batches[worker][r] = (keys, values);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken)
    {
        var call = _next[worker]++;
        var (keys, values) = _batches[worker][call % DistinctBatchesPerWorker];
        var acknowledged = await _producer!.ProduceBatchAsync(topic, settings.Shards, worker + call, keys, values, cancellationToken);
        return new CallResult(acknowledged, (long)acknowledged * settings.RecordSize, keys.Length - acknowledged);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _producer?.Dispose();
        return ValueTask.CompletedTask;
    }
}
