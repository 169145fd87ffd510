using System.CommandLine;
using System.Text.Json;
using KafkaKinesisBridge.Bench.Hosting;
using KafkaKinesisBridge.Bench.Running;
using KafkaKinesisBridge.Bench.Workloads;
using KafkaKinesisBridge.Grpc.Client;

namespace KafkaKinesisBridge.Bench;

/// <summary>The command line of the benchmark tool.</summary>
public static class BenchCommand
{
    private static readonly JsonSerializerOptions SummaryJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Builds the root command.</summary>
    public static RootCommand Create()
    {
        var api = new Option<string>("--api") { Description = "Front door to measure: grpc, kinesis (AWS JSON 1.1 over HTTP/1.1), kinesis-h2 (AWS JSON over h2c), or kafka-direct (a bare Confluent.Kafka producer, for comparison).", DefaultValueFactory = _ => "grpc" };
        var workloads = new Option<string>("--workload") { Description = "Comma-separated: put-records, get-records (reads back what was written), put-record. Default: all three in that order.", DefaultValueFactory = _ => "put-records,get-records,put-record" };
        var target = new Option<Uri?>("--target") { Description = "A running gateway (e.g. http://127.0.0.1:4567). Without it the tool starts its own gateway (quotas off) and measures its memory." };
        var storage = new Option<string>("--storage") { Description = "Storage backend of the gateway the tool starts: embedded, kafka-mock or kafka.", DefaultValueFactory = _ => "embedded" };
        var kafka = new Option<string?>("--kafka-bootstrap-servers") { Description = "Brokers for --storage kafka and for --api kafka-direct (default: KAFKA_BOOTSTRAP_SERVERS)." };
        var gatewayDll = new Option<string?>("--gateway-dll") { Description = "Path of KafkaKinesisBridge.Gateway.dll (default: next to this tool's build output)." };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Concurrent callers.", DefaultValueFactory = _ => 8 };
        var batch = new Option<int>("--batch-size", "-b") { Description = "Records per PutRecords call.", DefaultValueFactory = _ => 500 };
        var recordSize = new Option<int>("--record-size", "-s") { Description = "Bytes of data per record.", DefaultValueFactory = _ => 100 };
        var shards = new Option<int>("--shards") { Description = "Shards of the benchmark stream.", DefaultValueFactory = _ => 4 };
        var duration = new Option<double>("--duration", "-d") { Description = "Seconds measured per workload.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured warm-up per workload.", DefaultValueFactory = _ => 3 };
        var getLimit = new Option<int>("--get-limit") { Description = "GetRecords Limit.", DefaultValueFactory = _ => 10_000 };
        var stream = new Option<string?>("--stream") { Description = "Stream name (default: a new unique name)." };

        var command = new RootCommand("KafkaKinesisBridge benchmark: records/s, MB/s and latency percentiles of PutRecords, GetRecords and PutRecord.")
        {
            api, workloads, target, storage, kafka, gatewayDll, concurrency, batch, recordSize, shards, duration, warmup, getLimit, stream,
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
            };
            if (parse.GetValue(stream) is { } name)
            {
                settings = settings with { StreamName = name };
            }

            var kafkaServers = parse.GetValue(kafka) ?? Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
            return await RunAsync(
                settings,
                parse.GetValue(workloads)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(target),
                parse.GetValue(storage)!,
                kafkaServers,
                parse.GetValue(gatewayDll),
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
        string? gatewayDll,
        CancellationToken cancellationToken)
    {
        var progress = Console.Error;
        progress.WriteLine(
            $"kkb-bench: api={settings.Api} concurrency={settings.Concurrency} batch={settings.BatchSize} record={settings.RecordSize} B " +
            $"shards={settings.Shards} duration={settings.Duration.TotalSeconds} s warmup={settings.Warmup.TotalSeconds} s stream={settings.StreamName}");

        GatewayProcess? gateway = null;
        if (target is null && settings.Api != "kafka-direct")
        {
            var arguments = new List<string> { "--storage", storage, "--quotas", "false" };
            if (storage == "kafka")
            {
                arguments.AddRange(["--kafka-bootstrap-servers", kafkaServers ?? throw new InvalidOperationException("--storage kafka needs --kafka-bootstrap-servers or KAFKA_BOOTSTRAP_SERVERS.")]);
            }

            gateway = await GatewayProcess.StartAsync(gatewayDll, arguments, progress, cancellationToken);
            target = gateway.Address;
            progress.WriteLine($"gateway listening on {target} (pid-sampled memory)");
        }

        var summaries = new List<RunSummary>();
        try
        {
            using var grpc = new GrpcClient(target ?? new Uri("http://127.0.0.1:4567"));
            var runner = new BenchRunner(progress);
            foreach (var name in workloadNames)
            {
                await using var workload = CreateWorkload(name, settings, grpc, target, kafkaServers);
                var summary = await runner.RunAsync(workload, settings, gateway, cancellationToken);
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

    private static IWorkload CreateWorkload(string name, BenchSettings settings, GrpcClient grpc, Uri? target, string? kafkaServers) =>
        (settings.Api, name) switch
        {
            ("grpc", "put-records") => new GrpcPutRecordsWorkload(grpc, settings),
            ("grpc", "put-record") => new GrpcPutRecordWorkload(grpc, settings),
            ("grpc", "get-records") => new GrpcGetRecordsWorkload(grpc, settings),
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
        if (s.LastError is not null)
        {
            Console.WriteLine($"   last error: {s.LastError}");
        }

        Console.WriteLine("BENCH_RESULT " + JsonSerializer.Serialize(s, SummaryJson));
    }
}
