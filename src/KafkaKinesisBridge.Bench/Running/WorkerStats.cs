using KafkaKinesisBridge.Bench.Measurement;

namespace KafkaKinesisBridge.Bench.Running;

/// <summary>
/// Counters of one worker. The worker writes them; the progress reporter reads them with volatile
/// reads, so no lock is needed and no cross-core contention is added to the measured path.
/// </summary>
public sealed class WorkerStats
{
    private long _calls;
    private long _records;
    private long _bytes;
    private long _failedRecords;
    private long _errors;

    /// <summary>Latencies of successful calls.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Calls completed (successful or not).</summary>
    public long Calls => Volatile.Read(ref _calls);

    /// <summary>Records moved by successful calls.</summary>
    public long Records => Volatile.Read(ref _records);

    /// <summary>Payload bytes moved by successful calls.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Records the server reported as failed (for example throttled) inside successful calls.</summary>
    public long FailedRecords => Volatile.Read(ref _failedRecords);

    /// <summary>Calls that failed as a whole.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>The last error, for the report.</summary>
    public string? LastError { get; private set; }

    /// <summary>Adds a successful call.</summary>
    public void AddSuccess(in CallResult result, long startTimestamp, long endTimestamp)
    {
        Latency.RecordElapsed(startTimestamp, endTimestamp);
        Volatile.Write(ref _records, _records + result.Records);
        Volatile.Write(ref _bytes, _bytes + result.Bytes);
        Volatile.Write(ref _failedRecords, _failedRecords + result.FailedRecords);
        Volatile.Write(ref _calls, _calls + 1);
    }

    /// <summary>Adds a failed call.</summary>
    public void AddError(Exception error)
    {
        LastError = error.GetType().Name + ": " + error.Message;
        Volatile.Write(ref _errors, _errors + 1);
        Volatile.Write(ref _calls, _calls + 1);
    }
}
