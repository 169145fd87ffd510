namespace KafkaKinesisBridge.Bench.Running;

/// <summary>How to run: the shape of the load, common to every workload.</summary>
public sealed record BenchSettings
{
    /// <summary>Which front door is measured: "grpc", "kinesis" (AWS JSON 1.1) or "kafka-direct".</summary>
    public required string Api { get; init; }

    /// <summary>Concurrent callers.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Records per PutRecords call.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Bytes of data per record.</summary>
    public int RecordSize { get; init; } = 100;

    /// <summary>Shards of the benchmark stream.</summary>
    public int Shards { get; init; } = 4;

    /// <summary>Measured period (read-back ends earlier when everything is read).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Unmeasured period before measuring.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>GetRecords Limit.</summary>
    public int GetLimit { get; init; } = 10_000;

    /// <summary>Name of the benchmark stream (unique per run unless given).</summary>
    public string StreamName { get; init; } = "bench-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>fan-out: registered consumers, each subscribed to every shard.</summary>
    public int FanOutConsumers { get; init; } = 4;

    /// <summary>fan-out: records per second written to each shard.</summary>
    public int FanOutRate { get; init; } = 1000;
}
