namespace KafkaKinesisBridge.Bench.Running;

/// <summary>What one call of a workload did: records and payload bytes moved, records that failed.</summary>
public readonly record struct CallResult(int Records, long Bytes, int FailedRecords)
{
    /// <summary>A call that moved nothing (for example a GetRecords at the tip).</summary>
    public static CallResult Empty => default;
}

/// <summary>
/// A benchmark workload: one kind of call against one API. Workers call <see cref="ExecuteAsync"/>
/// in a loop; each call is timed by the runner.
/// </summary>
public interface IWorkload : IAsyncDisposable
{
    /// <summary>Short name for reports, e.g. "put-records".</summary>
    string Name { get; }

    /// <summary>Creates streams or fills data; not measured.</summary>
    ValueTask PrepareAsync(CancellationToken cancellationToken);

    /// <summary>One call by worker <paramref name="worker"/> (0-based).</summary>
    ValueTask<CallResult> ExecuteAsync(int worker, CancellationToken cancellationToken);

    /// <summary>True once the workload has nothing left to do (read-back workloads end when caught up).</summary>
    bool IsFinished { get; }

    /// <summary>False for workloads a warm-up would distort (reading back a fixed data set).</summary>
    bool SupportsWarmup { get; }
}
