using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaKinesisBridge.Storage.Kafka.Internal;

namespace KafkaKinesisBridge.Storage.Kafka.Benchmarking;

/// <summary>What <see cref="BareProducerBenchmark"/> writes.</summary>
/// <param name="Topic">An existing topic.</param>
/// <param name="Batches">Number of batches (the unit a PutRecords call carries).</param>
/// <param name="RecordsPerBatch">Records per batch (PutRecords allows 500).</param>
/// <param name="RecordBytes">Bytes of each record's value.</param>
/// <param name="Partitions">Batch i goes to partition i modulo this (as PutRecords batches spread over shards).</param>
/// <param name="Concurrency">Batches in flight at once, as concurrent PutRecords calls; a batch completes
/// when its last delivery report arrived.</param>
public sealed record BareProducerRun(
    string Topic,
    int Batches,
    int RecordsPerBatch = 500,
    int RecordBytes = 100,
    int Partitions = 1,
    int Concurrency = 64);

/// <summary>Outcome of a <see cref="BareProducerBenchmark"/> run.</summary>
/// <param name="Records">Records acknowledged.</param>
/// <param name="Failed">Records that failed.</param>
/// <param name="Bytes">Key and value bytes acknowledged.</param>
/// <param name="Elapsed">From the first produce to the last acknowledgement.</param>
/// <param name="BatchLatencyP50">Median time from a batch's first produce to its last acknowledgement.</param>
/// <param name="BatchLatencyP99">99th percentile of that.</param>
/// <param name="BatchLatencyMax">Slowest batch.</param>
public readonly record struct BareProducerResult(
    long Records,
    long Failed,
    long Bytes,
    TimeSpan Elapsed,
    TimeSpan BatchLatencyP50,
    TimeSpan BatchLatencyP99,
    TimeSpan BatchLatencyMax)
{
    public double RecordsPerSecond => Records / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public double MebibytesPerSecond => Bytes / 1048576.0 / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// The baseline the gateway's write path is measured against: a bare Confluent.Kafka producer with
/// exactly the store's producer configuration (idempotent, acks=all, same linger and compression,
/// from <see cref="KafkaStorageOptions"/>), writing batches of records back to back with delivery
/// handlers (no Task per record), <see cref="BareProducerRun.Concurrency"/> batches in flight.
/// Records carry a short key and a CreateTime timestamp, like the gateway's.
/// </summary>
public sealed class BareProducerBenchmark : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;

    public BareProducerBenchmark(KafkaStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.Producer(options)).Build();
    }

    public async Task<BareProducerResult> RunAsync(BareProducerRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Batches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.RecordsPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.RecordBytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(run.Concurrency, 1);

        // Payloads and keys made once: the loop measures the producer, not the generator.
        var value = new byte[run.RecordBytes];
        new Random(42).NextBytes(value);
        var keys = Enumerable.Range(0, 256).Select(i => Encoding.UTF8.GetBytes($"pk-{i:D4}")).ToArray();
        var latencies = new long[run.Batches];
        long acknowledged = 0;
        long failed = 0;
        long bytes = 0;
        var nextBatch = -1;
        var started = Stopwatch.GetTimestamp();

        async Task WorkerAsync()
        {
            int batch;
            while ((batch = Interlocked.Increment(ref nextBatch)) < run.Batches)
            {
                var partition = new TopicPartition(run.Topic, new Partition(batch % run.Partitions));
                var pending = new BatchCompletion(run.RecordsPerBatch);
                var batchStarted = Stopwatch.GetTimestamp();
                for (var i = 0; i < run.RecordsPerBatch; i++)
                {
                    await ProduceAsync(partition, keys[(batch + i) & 255], value, pending, cancellationToken);
                }

                await pending.Task.WaitAsync(cancellationToken);
                latencies[batch] = Stopwatch.GetTimestamp() - batchStarted;
                Interlocked.Add(ref acknowledged, pending.Acknowledged);
                Interlocked.Add(ref failed, run.RecordsPerBatch - pending.Acknowledged);
                Interlocked.Add(ref bytes, pending.Acknowledged * (long)(run.RecordBytes + keys[0].Length));
            }
        }

        var workers = new Task[Math.Min(run.Concurrency, run.Batches)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(WorkerAsync, cancellationToken);
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Array.Sort(latencies);
        return new BareProducerResult(
            acknowledged,
            failed,
            bytes,
            elapsed,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            Percentile(latencies, 1.0));
    }

    /// <summary>
    /// Produces one batch the way the gateway's PutRecords does (one produce call per record, the
    /// call complete when every record has its delivery report), for callers that drive the load
    /// themselves (the bench tool's <c>--api kafka-direct</c>). Record i has key
    /// <paramref name="keys"/>[i] and value <paramref name="values"/>[i] and goes to partition
    /// (<paramref name="firstPartition"/> + i) modulo <paramref name="partitions"/>, spreading a batch
    /// over the partitions as PutRecords spreads it over the shards.
    /// </summary>
    /// <returns>The number of records acknowledged; the others failed.</returns>
    public async Task<int> ProduceBatchAsync(
        string topic,
        int partitions,
        int firstPartition,
        IReadOnlyList<byte[]> keys,
        IReadOnlyList<byte[]> values,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Count, keys.Count);
        if (keys.Count == 0)
        {
            return 0;
        }

        var pending = new BatchCompletion(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var partition = new TopicPartition(topic, new Partition((int)((uint)(firstPartition + i) % (uint)partitions)));
            await ProduceAsync(partition, keys[i], values[i], pending, cancellationToken);
        }

        await pending.Task.WaitAsync(cancellationToken);
        return pending.Acknowledged;
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }

    /// <summary>Produces one record with a CreateTime stamp, waiting while the local queue is full.</summary>
    private async ValueTask ProduceAsync(TopicPartition partition, byte[] key, byte[] value, BatchCompletion pending, CancellationToken cancellationToken)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = key,
            Value = value,
            Timestamp = new Timestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimestampType.CreateTime),
        };
        while (true)
        {
            try
            {
                _producer.Produce(partition, message, pending.Handler);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(1, cancellationToken);
            }
        }
    }

    private static TimeSpan Percentile(long[] sortedTicks, double quantile)
    {
        var index = (int)Math.Min(sortedTicks.Length - 1, Math.Ceiling(quantile * sortedTicks.Length) - 1);
        return Stopwatch.GetElapsedTime(0, sortedTicks[Math.Max(0, index)]);
    }

    /// <summary>Counts a batch's delivery reports with one handler for all its records.</summary>
    private sealed class BatchCompletion
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining;
        private int _acknowledged;

        public BatchCompletion(int records)
        {
            _remaining = records;
            Handler = OnDelivery;
        }

        public Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        public Task Task => _done.Task;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        private void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            if (!report.Error.IsError)
            {
                Interlocked.Increment(ref _acknowledged);
            }

            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
