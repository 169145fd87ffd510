using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Bench.Hosting;
using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Measurement;
using KafkaKinesisBridge.Bench.Running;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// Enhanced fan-out over the Kinesis API's event stream (<c>--api kinesis-subscribe</c>): every
/// consumer subscribes to every shard (SubscribeToShard, h2c like the AWS SDK for JavaScript v3, or
/// HTTP/1.1 like botocore), producers put at a steady rate per shard, and the put-to-subscriber
/// latency of every delivered record is measured: from just before the PutRecords call that carried
/// it to the moment its event was decoded by a subscriber (both in this process, one clock). Also
/// reports the fan-out throughput (records delivered per second over all subscriptions).
/// </summary>
/// <remarks>
/// Each record's first 8 bytes are the <see cref="Stopwatch"/> timestamp of its put. A subscription
/// that ends (its 5-minute lifetime) is renewed with AFTER_SEQUENCE_NUMBER and its last
/// ContinuationSequenceNumber, as the KCL does.
/// </remarks>
internal sealed class EventStreamFanOutBench
{
    private const string Api = "kinesis-subscribe";
    private static readonly BigInteger MaxHashKey = (BigInteger.One << 128) - 1;

    private readonly Uri _target;
    private readonly BenchSettings _settings;
    private readonly int _consumers;
    private readonly int _ratePerShard;
    private readonly bool _http2;
    private readonly TextWriter _progress;
    private readonly Lock _lock = new();
    private readonly LatencyHistogram _latency = new();
    private long _delivered;
    private long _put;
    private long _errors;
    private string? _lastError;
    private volatile bool _measuring;

    public EventStreamFanOutBench(Uri target, BenchSettings settings, int consumers, int ratePerShard, bool http2, TextWriter progress)
    {
        _target = target;
        _settings = settings;
        _consumers = consumers;
        _ratePerShard = ratePerShard;
        _http2 = http2;
        _progress = progress;
    }

    public async Task<RunSummary> RunAsync(GatewayProcess? gateway, CancellationToken cancellationToken)
    {
        using var setup = new KinesisJsonClient(_target, http2: false, connections: 2);
        var stream = _settings.StreamName;
        await KinesisRequests.EnsureStreamAsync(setup, stream, _settings.Shards, cancellationToken);
        var shardIds = await KinesisRequests.ListShardIdsAsync(setup, stream, cancellationToken);
        string streamArn;
        using (var summary = await setup.CallForDocumentAsync("DescribeStreamSummary", new { StreamName = stream }, cancellationToken))
        {
            streamArn = summary.RootElement.GetProperty("StreamDescriptionSummary").GetProperty("StreamARN").GetString()!;
        }

        var consumerArns = new List<string>();
        for (var i = 0; i < _consumers; i++)
        {
            consumerArns.Add(await RegisterConsumerAsync(setup, streamArn, $"bench-{i}", cancellationToken));
        }

        _progress.WriteLine($"[{Api}] {shardIds.Count} shards x {_consumers} consumers over {(_http2 ? "h2c" : "HTTP/1.1")}, {_ratePerShard:N0} records/s per shard, {_settings.RecordSize} B records");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // One connection per consumer (HTTP/2 multiplexes its shards), as one SDK client per consumer would.
        var clients = consumerArns.Select(_ => CreateClient()).ToList();
        var subscribers = new List<Task>();
        for (var c = 0; c < consumerArns.Count; c++)
        {
            foreach (var shardId in shardIds)
            {
                subscribers.Add(SubscribeLoopAsync(clients[c], consumerArns[c], shardId, stop.Token));
            }
        }

        using var producerClient = new KinesisJsonClient(_target, _http2, Math.Max(2, shardIds.Count));
        var producers = Enumerable.Range(0, shardIds.Count).Select(i => ProduceAsync(producerClient, stream, i, shardIds.Count, stop.Token)).ToList();

        await Task.Delay(_settings.Warmup, cancellationToken);
        lock (_lock)
        {
            _latency.Reset();
            _delivered = 0;
        }

        Interlocked.Exchange(ref _put, 0);
        gateway?.ResetPeak();
        _measuring = true;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(_settings.Duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            lock (_lock)
            {
                _progress.WriteLine($"[{Api}] {Stopwatch.GetElapsedTime(started).TotalSeconds:0}s delivered {_delivered:N0}  p50 {_latency.PercentileMicros(50) / 1000.0:0.0} ms  p99 {_latency.PercentileMicros(99) / 1000.0:0.0} ms  max {_latency.MaxMicros / 1000.0:0.0} ms");
            }
        }

        _measuring = false;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(producers.Concat(subscribers).Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        foreach (var client in clients)
        {
            client.Dispose();
        }

        long delivered;
        double p50, p99, p999, max;
        lock (_lock)
        {
            delivered = _delivered;
            p50 = _latency.PercentileMicros(50) / 1000.0;
            p99 = _latency.PercentileMicros(99) / 1000.0;
            p999 = _latency.PercentileMicros(99.9) / 1000.0;
            max = _latency.MaxMicros / 1000.0;
        }

        var put = Interlocked.Read(ref _put);
        return new RunSummary(
            _http2 ? Api : Api + "-http1",
            $"fan-out {shardIds.Count} shards x {_consumers} consumers",
            _consumers * shardIds.Count,
            _ratePerShard,
            _settings.RecordSize,
            seconds,
            put,
            delivered,
            delivered * _settings.RecordSize,
            0,
            Interlocked.Read(ref _errors),
            delivered / seconds,
            delivered * _settings.RecordSize / seconds / 1e6,
            put / seconds,
            p50,
            p99,
            p999,
            max,
            gateway?.PeakRssBytes,
            _lastError)
        {
            Note = $"put-to-subscriber latency; {put / seconds:N0} records/s put, expected deliveries {put * _consumers:N0}, delivered {delivered:N0} (batch size = records/s per shard)",
        };
    }

    private static async Task<string> RegisterConsumerAsync(KinesisJsonClient client, string streamArn, string name, CancellationToken cancellationToken)
    {
        string arn;
        using (var registered = await client.CallForDocumentAsync("RegisterStreamConsumer", new { StreamARN = streamArn, ConsumerName = name }, cancellationToken))
        {
            arn = registered.RootElement.GetProperty("Consumer").GetProperty("ConsumerARN").GetString()!;
        }

        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var described = await client.CallForDocumentAsync("DescribeStreamConsumer", new { ConsumerARN = arn }, cancellationToken);
            if (described.RootElement.GetProperty("ConsumerDescription").GetProperty("ConsumerStatus").GetString() == "ACTIVE")
            {
                return arn;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Consumer {name} did not become ACTIVE.");
    }

    private HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        EnableMultipleHttp2Connections = false,
        MaxConnectionsPerServer = _http2 ? 1 : 64,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    {
        BaseAddress = _target,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Puts to one shard (ExplicitHashKey inside its range) every 10 ms, <see cref="_ratePerShard"/> records a second.</summary>
    private async Task ProduceAsync(KinesisJsonClient client, string stream, int shard, int shardCount, CancellationToken cancellationToken)
    {
        var hashKey = (MaxHashKey / shardCount * shard + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var perTick = Math.Max(1, _ratePerShard / 100);
        var data = new byte[Math.Max(8, _settings.RecordSize)];
        using var buffer = new ResponseBuffer();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var body = new MemoryStream();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                BinaryPrimitives.WriteInt64LittleEndian(data, Stopwatch.GetTimestamp());
                body.SetLength(0);
                using (var writer = new Utf8JsonWriter(body))
                {
                    writer.WriteStartObject();
                    writer.WriteString("StreamName"u8, stream);
                    writer.WriteStartArray("Records"u8);
                    for (var i = 0; i < perTick; i++)
                    {
                        writer.WriteStartObject();
                        writer.WriteBase64String("Data"u8, data);
                        writer.WriteString("PartitionKey"u8, "k");
                        writer.WriteString("ExplicitHashKey"u8, hashKey);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                try
                {
                    await client.CallAsync("PutRecords", body.GetBuffer().AsMemory(0, (int)body.Length), buffer, cancellationToken);
                    if (_measuring)
                    {
                        Interlocked.Add(ref _put, perTick);
                    }
                }
                catch (Exception e) when (e is KinesisCallException or HttpRequestException)
                {
                    Interlocked.Increment(ref _errors);
                    _lastError = e.Message;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Keeps one consumer subscribed to one shard, renewing with the continuation when a subscription ends.</summary>
    private async Task SubscribeLoopAsync(HttpClient client, string consumerArn, string shardId, CancellationToken cancellationToken)
    {
        string? continuation = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                continuation = await SubscribeOnceAsync(client, consumerArn, shardId, continuation, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException or KinesisCallException)
            {
                Interlocked.Increment(ref _errors);
                _lastError = e.Message;
                await Task.Delay(500, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<string?> SubscribeOnceAsync(HttpClient client, string consumerArn, string shardId, string? continuation, CancellationToken cancellationToken)
    {
        object position = continuation is null ? new { Type = "LATEST" } : new { Type = "AFTER_SEQUENCE_NUMBER", SequenceNumber = continuation };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Version = _http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new { ConsumerARN = consumerArn, ShardId = shardId, StartingPosition = position })),
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.SubscribeToShard");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new KinesisCallException(response.StatusCode, "SubscribeToShard", text);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var reader = new EventStreamFrames(body);
        while (await reader.NextAsync(cancellationToken) is { } message)
        {
            if (message.MessageType != "event" || message.EventType != "SubscribeToShardEvent")
            {
                if (message.MessageType == "exception")
                {
                    throw new InvalidDataException($"{message.ExceptionType}: {Encoding.UTF8.GetString(message.Payload.Span)}");
                }

                continue;
            }

            var now = Stopwatch.GetTimestamp();
            continuation = Record(message.Payload, now) ?? continuation;
        }

        return continuation;
    }

    /// <summary>Records the latency of each record of an event; returns its ContinuationSequenceNumber.</summary>
    private string? Record(ReadOnlyMemory<byte> payload, long now)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        Span<byte> stamp = stackalloc byte[16];
        var count = 0;
        lock (_lock)
        {
            foreach (var record in root.GetProperty("Records").EnumerateArray())
            {
                var data = record.GetProperty("Data").GetString()!;

                // The first 8 bytes are the first 12 base64 characters (with 4 spare bits).
                if (Convert.TryFromBase64Chars(data.AsSpan(0, 12), stamp, out _))
                {
                    var putAt = BinaryPrimitives.ReadInt64LittleEndian(stamp);
                    if (_measuring)
                    {
                        _latency.RecordElapsed(putAt, now);
                    }
                }

                count++;
            }

            if (_measuring)
            {
                _delivered += count;
            }
        }

        return root.TryGetProperty("ContinuationSequenceNumber", out var next) ? next.GetString() : null;
    }
}
