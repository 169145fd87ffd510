using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using KafkaKinesisBridge.Bench.Hosting;
using KafkaKinesisBridge.Bench.Kinesis;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Bench.Workloads;

namespace KafkaKinesisBridge.Bench;

/// <summary>The command line of the benchmark tool.</summary>
public static class BenchCommand
{
    private const string KafkaDirect = "kafka-direct";

    /// <summary>Enhanced fan-out over the Kinesis API's event stream (EventStreamFanOutBench).</summary>
    private const string KinesisSubscribe = "kinesis-subscribe";

    private const string CappedLogNote =
        "librdkafka's mock cluster keeps about 5 MiB per partition log and drops the oldest data: the read-back covers only the newest records, not all that were written";

    private static readonly string[] Apis = ["grpc", "kinesis", "kinesis-h2", KafkaDirect, KinesisSubscribe, KinesisSubscribe + "-http1"];

    private static readonly JsonSerializerOptions SummaryJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const string Description = """
        KafkaKinesisBridge benchmark: records/s, MB/s and latency percentiles of PutRecords, GetRecords and PutRecord.

        Modes (--api):
          grpc          the gateway's gRPC API (default).
          kinesis       the Kinesis AWS JSON 1.1 API over HTTP/1.1 (one connection per caller), unsigned
                        requests with pre-encoded bodies; setup also goes through that API, so --target can
                        be any Kinesis-compatible server.
          kinesis-h2    the same over HTTP/2 in cleartext with prior knowledge (h2c), one connection, as the
                        AWS SDK for JavaScript v3 talks to an http:// endpoint.
          kafka-direct  in one run on one Kafka cluster: a bare Confluent.Kafka producer with the gateway's
                        producer settings writing the same PutRecords batches, then the gateway (PutRecords
                        over gRPC); prints both records/s and gateway/direct (target >= 70%). The gateway it
                        starts runs on --storage kafka-mock (librdkafka's mock cluster inside the gateway
                        process, found through GET /debug/storage) unless --storage kafka is given.
                        Other listed workloads then run over gRPC.
          kinesis-subscribe  enhanced fan-out: --consumers consumers each subscribed (SubscribeToShard, event
                        stream over h2c) to every shard of a --shards stream while producers put --rate
                        records/s per shard; prints the put-to-subscriber latency (p50/p99/max) and the
                        records delivered per second in total. kinesis-subscribe-http1: the same over
                        HTTP/1.1 (chunked), as botocore subscribes. --workload is ignored.

        The gateway the tool starts is sampled for memory (RSS), and through GET /debug/runtime for the
        managed bytes it allocates and the CPU time it uses per record during each measured period.
        Output: progress on stderr; per workload a report and a BENCH_RESULT JSON line; at the end a
        BENCH_SUMMARY JSON line with all of them. Keep runs short on shared machines (--duration 10).
        """;

    /// <summary>Builds the root command.</summary>
    public static RootCommand Create()
    {
        var api = new Option<string>("--api")
        {
            Description = "What to measure: grpc (default), kinesis (AWS JSON 1.1 over HTTP/1.1), kinesis-h2 (AWS JSON 1.1 over h2c, prior knowledge), or kafka-direct (a bare Confluent.Kafka producer and then the gateway over gRPC, on the same Kafka cluster, with their ratio).",
            DefaultValueFactory = _ => "grpc",
        };
        api.AcceptOnlyFromAmong(Apis);
        var workloads = new Option<string>("--workload") { Description = "Comma-separated: put-records, get-records (reads back what was written), put-record, fan-out (enhanced fan-out over gRPC: --consumers consumers subscribed to every shard while producers write --rate records/s per shard; put-to-subscriber latency and delivered records/s). Default: put-records,get-records,put-record.", DefaultValueFactory = _ => "put-records,get-records,put-record" };
        var target = new Option<Uri?>("--target")
        {
            Description = "A running gateway (e.g. http://127.0.0.1:4567), or with --api kinesis any Kinesis-compatible server. Without it the tool starts its own gateway (quotas off) and measures its memory, allocations and CPU.",
            // System.CommandLine has no converter for Uri.
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                {
                    return uri;
                }

                result.AddError($"--target must be an absolute http:// or https:// URL, not '{text}'.");
                return null;
            },
        };
        var storage = new Option<string>("--storage") { Description = "Storage backend of the gateway the tool starts: embedded, kafka-mock or kafka. --api kafka-direct needs a Kafka backend and takes kafka-mock when this is left at embedded.", DefaultValueFactory = _ => "embedded" };
        var kafka = new Option<string?>("--kafka-bootstrap-servers") { Description = "Brokers for --storage kafka (default: KAFKA_BOOTSTRAP_SERVERS). --api kafka-direct writes to the cluster the gateway reports at GET /debug/storage, else to these." };
        var topicPrefix = new Option<string>("--kafka-topic-prefix") { Description = "The gateway's Kinesis:TopicPrefix, to find the topic of the stream the bare producer writes to.", DefaultValueFactory = _ => "kinesis." };
        var gatewayDll = new Option<string?>("--gateway-dll") { Description = "Path of KafkaKinesisBridge.Gateway.dll (default: next to this tool's build output)." };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Concurrent callers.", DefaultValueFactory = _ => 8 };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Records per PutRecords call.", DefaultValueFactory = _ => 500 };
        var recordSize = new Option<int>("--record-size", "-s") { Description = "Bytes of data per record.", DefaultValueFactory = _ => 100 };
        var shards = new Option<int>("--shards") { Description = "Shards of the benchmark stream.", DefaultValueFactory = _ => 4 };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds measured per workload.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured warm-up per workload.", DefaultValueFactory = _ => 3 };
        var getLimit = new Option<int>("--get-limit") { Description = "GetRecords Limit.", DefaultValueFactory = _ => 10_000 };
        var stream = new Option<string?>("--stream") { Description = "Stream name (default: a new unique name)." };
        var consumers = new Option<int>("--consumers") { Description = "kinesis-subscribe and --workload fan-out: registered consumers, each subscribed to every shard.", DefaultValueFactory = _ => 4 };
        var rate = new Option<int>("--rate") { Description = "kinesis-subscribe and --workload fan-out: records/s put to each shard.", DefaultValueFactory = _ => 1000 };
        var gatewaySettings = new Option<string[]>("--gateway-setting")
        {
            Description = "A setting for the gateway the tool starts, Section:Key=value (passed as --Section:Key=value), e.g. Metrics:Enabled=false. Repeatable.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new RootCommand(Description)
        {
            api, workloads, target, storage, kafka, topicPrefix, gatewayDll, concurrency, batch, recordSize, shards, duration, warmup, getLimit, stream, gatewaySettings, consumers, rate,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new BenchSettings
            {
                Api = parse.GetValue(api)!,
                Concurrency = parse.GetValue(concurrency),
                BatchSize = parse.GetValue(batch),
                RecordSize = parse.GetValue(recordSize),
                Shards = parse.GetValue(shards),
                Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
                Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
                GetLimit = parse.GetValue(getLimit),
                FanOutConsumers = parse.GetValue(consumers),
                FanOutRate = parse.GetValue(rate),
            };
            if (parse.GetValue(stream) is { } name)
            {
                settings = settings with { StreamName = name };
            }

            var kafkaServers = parse.GetValue(kafka) ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
            if (settings.Api.StartsWith(KinesisSubscribe, StringComparison.Ordinal))
            {
                return await RunFanOutAsync(settings, parse.GetValue(consumers), parse.GetValue(rate), parse.GetValue(target), parse.GetValue(storage)!, parse.GetValue(gatewayDll), parse.GetValue(gatewaySettings) ?? [], cancellationToken);
            }

            return await RunAsync(
                settings,
                parse.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(target),
                parse.GetValue(storage)!,
                kafkaServers,
                parse.GetValue(topicPrefix)!,
                parse.GetValue(gatewayDll),
                parse.GetValue(gatewaySettings) ?? [],
                cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        BenchSettings settings,
        string[] workloadNames,
        Uri? target,
        string storage,
        string? kafkaServers,
        string topicPrefix,
        string? gatewayDll,
        string[] gatewaySettings,
        CancellationToken cancellationToken)
    {
        var progress = Console.Error;
        if (settings.Api == KafkaDirect && target is null && storage == "embedded")
        {
            // The comparison needs the gateway on Kafka; the mock cluster runs inside the gateway.
            storage = "kafka-mock";
        }

        progress.WriteLine(
            $"kkb-bench: api={settings.Api} concurrency={settings.Concurrency} batch={settings.BatchSize} record={settings.RecordSize} B " +
            $"shards={settings.Shards} duration={settings.Duration.TotalSeconds} s warmup={settings.Warmup.TotalSeconds} s stream={settings.StreamName}" +
            (target is null ? $" storage={storage}" : $" target={target}"));

        GatewayProcess? gateway = null;
        if (target is null)
        {
            var arguments = new List<string> { "--storage", storage, "--quotas", "false" };
            if (storage == "kafka")
            {
                arguments.AddRange(["--kafka-bootstrap-servers", kafkaServers ?? throw new InvalidOperationException("--storage kafka needs --kafka-bootstrap-servers or KAFKA_BOOTSTRAP_SERVERS.")]);
            }

            arguments.AddRange(gatewaySettings.Select(setting => "--" + setting));
            gateway = await GatewayProcess.StartAsync(gatewayDll, arguments, progress, cancellationToken);
            target = gateway.Address;
            progress.WriteLine($"gateway listening on {target} (pid-sampled memory)");
        }

        var summaries = new List<RunSummary>();
        try
        {
            using var diagnostics = new GatewayDiagnostics(target);
            if (gateway is not null)
            {
                await diagnostics.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
            }

            var storageSample = await diagnostics.DescribeStorageAsync(cancellationToken);
            // Against another Kinesis-compatible server there is no /debug/runtime: no allocation numbers.
            var runtime = await diagnostics.SampleRuntimeAsync(cancellationToken) is null ? null : diagnostics;
            var cappedLogs = storageSample?.Backend == "kafka-mock";
            using var grpc = new GrpcBenchClient(target);
            using var kinesis = new KinesisJsonClient(target, http2: settings.Api == "kinesis-h2", settings.Concurrency);
            var runner = new BenchRunner(progress);

            foreach (var name in workloadNames)
            {
                if (settings.Api == KafkaDirect && name == "put-records")
                {
                    // The gateway knows its cluster best (the mock's ports exist only inside it).
                    var servers = storageSample?.KafkaBootstrapServers ?? kafkaServers
                        ?? throw new InvalidOperationException("--api kafka-direct needs the gateway's Kafka cluster: pass --kafka-bootstrap-servers, or use a gateway on Kafka that answers GET /debug/storage.");
                    summaries.AddRange(await RunKafkaDirectAsync(runner, settings, grpc, servers, topicPrefix, gateway, runtime, progress, cancellationToken));
                    continue;
                }

                if (name == "fan-out")
                {
                    // Push, not request/response: its own driver rather than the worker loop.
                    var fanOut = await new GrpcFanOutBench(grpc, settings, settings.FanOutConsumers, settings.FanOutRate, progress).RunAsync(cancellationToken);
                    summaries.Add(fanOut);
                    Print(fanOut);
                    continue;
                }

                // In kafka-direct mode the other workloads measure the gateway over gRPC.
                var runSettings = settings.Api == KafkaDirect ? settings with { Api = "grpc" } : settings;
                await using var workload = CreateWorkload(name, runSettings, grpc, kinesis);
                RunSummary summary;
                try
                {
                    summary = await runner.RunAsync(workload, runSettings, gateway, runtime, cancellationToken);
                }
                catch (KinesisCallException e) when (e.ErrorType == "UnknownOperationException")
                {
                    // Setup failed: the server does not serve an operation the workload needs.
                    progress.WriteLine($"[{name}] cannot run through the Kinesis API of {target}: {e.ErrorMessage}");
                    return 2;
                }

                if (name == "get-records" && cappedLogs)
                {
                    summary = summary with { Note = CappedLogNote };
                }

                summaries.Add(summary);
                Print(summary);
            }
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }

        Console.WriteLine();
        Console.WriteLine("BENCH_SUMMARY " + JsonSerializer.Serialize(summaries, SummaryJson));
        return summaries.Any(s => s.Errors > 0 && s.Records == 0) ? 1 : 0;
    }

    /// <summary>The enhanced fan-out run (<see cref="EventStreamFanOutBench"/>) against a gateway it starts (quotas off) or <paramref name="target"/>.</summary>
    private static async Task<int> RunFanOutAsync(
        BenchSettings settings,
        int consumers,
        int rate,
        Uri? target,
        string storage,
        string? gatewayDll,
        string[] gatewaySettings,
        CancellationToken cancellationToken)
    {
        var progress = Console.Error;
        GatewayProcess? gateway = null;
        if (target is null)
        {
            gateway = await GatewayProcess.StartAsync(gatewayDll, ["--storage", storage, "--quotas", "false", .. gatewaySettings.Select(setting => "--" + setting)], progress, cancellationToken);
            target = gateway.Address;
        }

        try
        {
            using (var diagnostics = new GatewayDiagnostics(target))
            {
                if (gateway is not null)
                {
                    await diagnostics.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
                }
            }

            var bench = new EventStreamFanOutBench(target, settings, consumers, rate, http2: settings.Api == KinesisSubscribe, progress);
            var summary = await bench.RunAsync(gateway, cancellationToken);
            Print(summary);
            Console.WriteLine();
            Console.WriteLine("BENCH_SUMMARY " + JsonSerializer.Serialize(new[] { summary }, SummaryJson));
            return summary.Records == 0 ? 1 : 0;
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The bare producer and then the gateway, writing the same batches at the same concurrency to the
    /// same cluster: the bare producer to the topic of a second stream (created through the gateway so
    /// the topic exists with the same partitions and configs on any cluster, the mock included), the
    /// gateway with PutRecords over gRPC to the benchmark stream.
    /// </summary>
    private static async Task<RunSummary[]> RunKafkaDirectAsync(
        BenchRunner runner,
        BenchSettings settings,
        GrpcBenchClient grpc,
        string bootstrapServers,
        string topicPrefix,
        GatewayProcess? gateway,
        GatewayDiagnostics? runtime,
        TextWriter progress,
        CancellationToken cancellationToken)
    {
        // Letters and digits only, so the topic is prefix + name whatever the gateway's escaping
        // (Core/Topics/TopicNames escapes only '-' and '_').
        var directStream = "kkbdirect" + Guid.NewGuid().ToString("N")[..8];
        await GrpcStreams.EnsureStreamAsync(grpc, directStream, settings.Shards, cancellationToken);
        var topic = topicPrefix + directStream;
        progress.WriteLine($"kafka-direct: bare producer to topic {topic} on {bootstrapServers}; then the gateway, PutRecords over gRPC, to stream {settings.StreamName}");

        var directSettings = settings with { Api = KafkaDirect };
        RunSummary direct;
        await using (var workload = new KafkaDirectPutRecordsWorkload(bootstrapServers, topic, directSettings))
        {
            direct = await runner.RunAsync(workload, directSettings, gateway: null, diagnostics: null, cancellationToken);
        }

        Print(direct);
        var gatewaySettings = settings with { Api = "grpc" };
        await using var viaGateway = new GrpcPutRecordsWorkload(grpc, gatewaySettings);
        var measured = await runner.RunAsync(viaGateway, gatewaySettings, gateway, runtime, cancellationToken);
        var ratio = direct.RecordsPerSecond > 0 ? Math.Round(measured.RecordsPerSecond / direct.RecordsPerSecond, 3) : (double?)null;
        measured = measured with
        {
            RatioToDirect = ratio,
            Note = $"gateway/direct = {ratio:P1} of the bare producer's {direct.RecordsPerSecond:N0} records/s (target >= 70%)",
        };
        Print(measured);
        return [direct, measured];
    }

    private static IWorkload CreateWorkload(string name, BenchSettings settings, GrpcBenchClient grpc, KinesisJsonClient kinesis) =>
        (settings.Api, name) switch
        {
            ("grpc", "put-records") => new GrpcPutRecordsWorkload(grpc, settings),
            ("grpc", "put-record") => new GrpcPutRecordWorkload(grpc, settings),
            ("grpc", "get-records") => new GrpcGetRecordsWorkload(grpc, settings),
            ("kinesis" or "kinesis-h2", "put-records") => new KinesisPutRecordsWorkload(kinesis, settings),
            ("kinesis" or "kinesis-h2", "put-record") => new KinesisPutRecordWorkload(kinesis, settings),
            ("kinesis" or "kinesis-h2", "get-records") => new KinesisGetRecordsWorkload(kinesis, settings),
            _ => throw new ArgumentException($"Workload '{name}' is not available for --api {settings.Api}."),
        };

    private static void Print(RunSummary s)
    {
        Console.WriteLine();
        Console.WriteLine($"== {s.Api} {s.Workload}: {s.Concurrency} callers, batch {s.BatchSize}, {s.RecordSize} B records, {s.Seconds:0.0} s");
        Console.WriteLine($"   {s.RecordsPerSecond,12:N0} records/s   {s.MegabytesPerSecond,8:0.0} MB/s   {s.CallsPerSecond,10:N0} calls/s");
        Console.WriteLine($"   latency p50 {s.P50Ms:0.000} ms   p99 {s.P99Ms:0.000} ms   p99.9 {s.P999Ms:0.000} ms   max {s.MaxMs:0.000} ms");
        Console.WriteLine($"   records {s.Records:N0}   failed records {s.FailedRecords:N0}   failed calls {s.Errors:N0}" +
            (s.GatewayPeakRssBytes is { } rss ? $"   gateway peak RSS {rss / 1048576.0:0} MiB" : string.Empty));
        if (s.GatewayAllocatedBytesPerRecord is { } allocated)
        {
            Console.WriteLine($"   gateway: {allocated:N1} B allocated/record   {s.GatewayCpuMicrosPerRecord:0.00} us CPU/record   GCs gen0/1/2 {string.Join('/', s.GatewayCollections ?? [])}");
        }

        if (s.Note is not null)
        {
            Console.WriteLine($"   note: {s.Note}");
        }

        if (s.LastError is not null)
        {
            Console.WriteLine($"   last error: {s.LastError}");
        }

        Console.WriteLine("BENCH_RESULT " + JsonSerializer.Serialize(s, SummaryJson));
    }
}
