using System.Buffers.Binary;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Bench.Measurement;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// Enhanced fan-out over gRPC: <c>consumers</c> registered consumers each subscribe (server-streaming
/// SubscribeToShard at LATEST) to every shard, while one producer per shard writes at a steady rate
/// (PutRecords every 10 ms, routed to the shard by ExplicitHashKey). Each record carries its send
/// time (<see cref="Stopwatch.GetTimestamp"/>, taken just before the PutRecords call; producers and
/// subscribers share this process and its monotonic clock), so the put-to-subscriber latency of
/// every delivered record is measured, and the fan-out throughput is the records delivered per
/// second over all subscriptions.
/// </summary>
public sealed class GrpcFanOutBench(GrpcBenchClient client, BenchSettings settings, int consumers, int recordsPerSecondPerShard, TextWriter progress)
{
    private const int TickMilliseconds = 10;

    /// <summary>Runs the bench: setup, warm-up, measured period; returns the summary.</summary>
    public async Task<RunSummary> RunAsync(CancellationToken cancellationToken)
    {
        var streams = client.Streams;
        await GrpcStreams.EnsureStreamAsync(client, settings.StreamName, settings.Shards, cancellationToken);
        var shards = (await streams.ListShardsAsync(new ListShardsRequest { StreamName = settings.StreamName }, cancellationToken: cancellationToken)).Shards;
        var streamArn = (await streams.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = settings.StreamName }, cancellationToken: cancellationToken)).StreamDescriptionSummary.StreamArn;
        var consumerArns = new List<string>();
        for (var i = 0; i < consumers; i++)
        {
            var registered = await streams.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamArn = streamArn, ConsumerName = "bench-" + i }, cancellationToken: cancellationToken);
            consumerArns.Add(registered.Consumer.ConsumerArn);
        }

        foreach (var arn in consumerArns)
        {
            while ((await streams.DescribeStreamConsumerAsync(new DescribeStreamConsumerRequest { ConsumerArn = arn }, cancellationToken: cancellationToken)).ConsumerDescription.ConsumerStatus != ConsumerStatus.Active)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var measureFrom = long.MaxValue;
        var subscribers = new List<Subscriber>();
        foreach (var arn in consumerArns)
        {
            foreach (var shard in shards)
            {
                subscribers.Add(new Subscriber(streams, arn, shard.ShardId));
            }
        }

        // Every subscription is open (its first event arrived) before anything is written.
        await Task.WhenAll(subscribers.Select(s => s.OpenAsync(stop.Token)));
        var readers = subscribers.Select(s => s.RunAsync(() => Volatile.Read(ref measureFrom), stop.Token)).ToList();
        progress.WriteLine($"[fan-out] {subscribers.Count} subscriptions open ({consumers} consumers x {shards.Count} shards); producing {recordsPerSecondPerShard} records/s per shard");

        long putErrors = 0;
        var producers = shards.Select((shard, index) => ProduceAsync(shard, index, () => Interlocked.Increment(ref putErrors), stop.Token)).ToList();
        await Task.Delay(settings.Warmup, cancellationToken);
        var started = Stopwatch.GetTimestamp();
        Volatile.Write(ref measureFrom, started);
        await Task.Delay(settings.Duration, cancellationToken);
        var ended = Stopwatch.GetTimestamp();
        await stop.CancelAsync();
        await Task.WhenAll(producers.Concat(readers).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));

        var histogram = new LatencyHistogram();
        long delivered = 0;
        long bytes = 0;
        foreach (var subscriber in subscribers)
        {
            histogram.Add(subscriber.Latency);
            delivered += subscriber.Records;
            bytes += subscriber.Bytes;
        }

        foreach (var arn in consumerArns)
        {
            await streams.DeregisterStreamConsumerAsync(new DeregisterStreamConsumerRequest { ConsumerArn = arn }, cancellationToken: CancellationToken.None);
        }

        var seconds = Stopwatch.GetElapsedTime(started, ended).TotalSeconds;
        var errors = putErrors + subscribers.Sum(s => s.Errors);
        return new RunSummary(
            "grpc",
            "fan-out",
            subscribers.Count,
            recordsPerSecondPerShard * TickMilliseconds / 1000,
            settings.RecordSize,
            seconds,
            subscribers.Sum(s => s.Events),
            delivered,
            bytes,
            0,
            errors,
            delivered / seconds,
            bytes / seconds / 1e6,
            subscribers.Sum(s => s.Events) / seconds,
            histogram.PercentileMicros(50) / 1000.0,
            histogram.PercentileMicros(99) / 1000.0,
            histogram.PercentileMicros(99.9) / 1000.0,
            histogram.MaxMicros / 1000.0,
            null,
            subscribers.Select(s => s.LastError).FirstOrDefault(e => e is not null))
        {
            Note = $"put-to-subscriber latency; {consumers} consumers x {shards.Count} shards; {recordsPerSecondPerShard} records/s per shard produced ({recordsPerSecondPerShard * shards.Count} records/s); delivered records/s is the total over all subscriptions",
        };
    }

    /// <summary>One shard's producer: a PutRecords of rate/100 records every 10 ms, each stamped with its send time.</summary>
    private async Task ProduceAsync(Shard shard, int index, Action onError, CancellationToken cancellationToken)
    {
        var perTick = Math.Max(1, recordsPerSecondPerShard * TickMilliseconds / 1000);
        var payloads = Enumerable.Range(0, perTick).Select(i => RecordFactory.Data(Math.Max(8, settings.RecordSize), (index * 1000) + i)).ToArray();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(TickMilliseconds));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var request = new PutRecordsRequest { StreamName = settings.StreamName };
                var sent = Stopwatch.GetTimestamp();
                foreach (var payload in payloads)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(payload, sent);
                    request.Records.Add(new PutRecordsRequestEntry
                    {
                        Data = ByteString.CopyFrom(payload),
                        PartitionKey = "p",
                        ExplicitHashKey = shard.HashKeyRange.StartingHashKey,
                    });
                }

                try
                {
                    var response = await client.Streams.PutRecordsAsync(request, cancellationToken: cancellationToken);
                    if (response.FailedRecordCount > 0)
                    {
                        onError();
                    }
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    onError();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One subscription (consumer x shard): reads events, measures each record's latency, resubscribes after the lifetime.</summary>
    private sealed class Subscriber(KinesisStreams.KinesisStreamsClient streams, string consumerArn, string shardId)
    {
        private AsyncServerStreamingCall<SubscribeToShardEvent>? _call;
        private string _continuation = string.Empty;

        public LatencyHistogram Latency { get; } = new();

        public long Records { get; private set; }

        public long Bytes { get; private set; }

        public long Events { get; private set; }

        public long Errors { get; private set; }

        public string? LastError { get; private set; }

        public async Task OpenAsync(CancellationToken cancellationToken)
        {
            _call = Start(ShardIteratorType.Latest, cancellationToken);
            if (!await _call.ResponseStream.MoveNext(cancellationToken))
            {
                throw new InvalidOperationException("The subscription ended before its first event.");
            }

            _continuation = _call.ResponseStream.Current.ContinuationSequenceNumber;
        }

        public async Task RunAsync(Func<long> measureFrom, CancellationToken cancellationToken)
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var call = _call ?? Start(ShardIteratorType.AfterSequenceNumber, cancellationToken);
                    _call = null;
                    using (call)
                    {
                        try
                        {
                            while (await call.ResponseStream.MoveNext(cancellationToken))
                            {
                                var received = Stopwatch.GetTimestamp();
                                var item = call.ResponseStream.Current;
                                Events++;
                                _continuation = item.ContinuationSequenceNumber;
                                var from = measureFrom();
                                foreach (var record in item.Records)
                                {
                                    var sent = BinaryPrimitives.ReadInt64LittleEndian(record.Data.Span);
                                    if (sent >= from)
                                    {
                                        Latency.RecordElapsed(sent, received);
                                        Records++;
                                        Bytes += record.Data.Length;
                                    }
                                }
                            }
                        }
                        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
                        {
                            // Taken over or refused within the takeover time: count it and subscribe again.
                            Errors++;
                            LastError = e.Status.Detail;
                            await Task.Delay(1000, cancellationToken);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        private AsyncServerStreamingCall<SubscribeToShardEvent> Start(ShardIteratorType type, CancellationToken cancellationToken) =>
            streams.SubscribeToShard(
                new SubscribeToShardRequest
                {
                    ConsumerArn = consumerArn,
                    ShardId = shardId,
                    StartingPosition = new StartingPosition { Type = type, SequenceNumber = type == ShardIteratorType.Latest ? string.Empty : _continuation },
                },
                cancellationToken: cancellationToken);
    }
}
