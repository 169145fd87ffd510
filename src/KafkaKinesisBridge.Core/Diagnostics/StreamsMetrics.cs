using System.Diagnostics;
using System.Diagnostics.Metrics;
using KafkaKinesisBridge.Core.Streams;

namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>
/// The Kinesis CloudWatch metrics of the data plane ("Monitoring the Amazon Kinesis Data Streams
/// Service with Amazon CloudWatch": stream-level and, under enhanced monitoring, shard-level metrics),
/// as System.Diagnostics.Metrics instruments tagged <c>stream</c> (and <c>shard</c>).
/// </summary>
/// <remarks>
/// Recorded once per call (per shard group for PutRecords), never per record, with the tag arrays
/// each stream and shard runtime precomputes: nothing is allocated. Without a listener (metrics off)
/// every method returns at its first test. Counters count what CloudWatch sums; latency is a
/// histogram in milliseconds; iterator age is a gauge of the last GetRecords call.
/// </remarks>
internal sealed class StreamsMetrics
{
    private static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    };

    /// <summary>
    /// One meter for the process, never disposed: OpenTelemetry identifies a metric by meter and
    /// instrument name, so a second service's meter of the same name would share the metric and,
    /// when disposed, end it for both (several gateways in one test process). Streams tell the
    /// instances' series apart.
    /// </summary>
    private static readonly Meter SharedMeter = new(KinesisTelemetry.MeterName);

    /// <summary>The process's instruments, shared by every <see cref="Streams.StreamsService"/>.</summary>
    public static readonly StreamsMetrics Shared = new();

    private readonly Counter<long> _incomingBytes;
    private readonly Counter<long> _incomingRecords;
    private readonly Counter<long> _putRecordSuccess;
    private readonly Counter<long> _putRecordBytes;
    private readonly Histogram<double> _putRecordLatency;
    private readonly Counter<long> _putRecordsSuccess;
    private readonly Counter<long> _putRecordsBytes;
    private readonly Histogram<double> _putRecordsLatency;
    private readonly Counter<long> _putRecordsTotal;
    private readonly Counter<long> _putRecordsSuccessful;
    private readonly Counter<long> _putRecordsFailed;
    private readonly Counter<long> _putRecordsThrottled;
    private readonly Counter<long> _getRecordsSuccess;
    private readonly Counter<long> _getRecordsBytes;
    private readonly Counter<long> _getRecordsRecords;
    private readonly Histogram<double> _getRecordsLatency;
    private readonly Gauge<long> _getRecordsIteratorAge;
    private readonly Counter<long> _readExceeded;
    private readonly Counter<long> _writeExceeded;
    private readonly Counter<long> _shardIncomingBytes;
    private readonly Counter<long> _shardIncomingRecords;
    private readonly Counter<long> _shardOutgoingBytes;
    private readonly Counter<long> _shardOutgoingRecords;
    private readonly Counter<long> _shardReadExceeded;
    private readonly Counter<long> _shardWriteExceeded;
    private readonly Gauge<long> _shardIteratorAge;
    private readonly Counter<long> _onDemandScaling;

    private StreamsMetrics()
    {
        _incomingBytes = Counter("kinesis.incoming_bytes", "By", "IncomingBytes: bytes successfully put (PutRecord and PutRecords).");
        _incomingRecords = Counter("kinesis.incoming_records", "{record}", "IncomingRecords: records successfully put.");
        _putRecordSuccess = Counter("kinesis.put_record.success", "{call}", "PutRecord.Success: successful PutRecord calls.");
        _putRecordBytes = Counter("kinesis.put_record.bytes", "By", "PutRecord.Bytes: bytes put with PutRecord.");
        _putRecordLatency = Latency("kinesis.put_record.latency", "PutRecord.Latency");
        _putRecordsSuccess = Counter("kinesis.put_records.success", "{call}", "PutRecords.Success: PutRecords calls with at least one record put.");
        _putRecordsBytes = Counter("kinesis.put_records.bytes", "By", "PutRecords.Bytes: bytes put with PutRecords.");
        _putRecordsLatency = Latency("kinesis.put_records.latency", "PutRecords.Latency");
        _putRecordsTotal = Counter("kinesis.put_records.total_records", "{record}", "PutRecords.TotalRecords: records sent in PutRecords calls.");
        _putRecordsSuccessful = Counter("kinesis.put_records.successful_records", "{record}", "PutRecords.SuccessfulRecords.");
        _putRecordsFailed = Counter("kinesis.put_records.failed_records", "{record}", "PutRecords.FailedRecords: records rejected by internal failures.");
        _putRecordsThrottled = Counter("kinesis.put_records.throttled_records", "{record}", "PutRecords.ThrottledRecords: records rejected by throttling.");
        _getRecordsSuccess = Counter("kinesis.get_records.success", "{call}", "GetRecords.Success: successful GetRecords calls.");
        _getRecordsBytes = Counter("kinesis.get_records.bytes", "By", "GetRecords.Bytes: bytes returned by GetRecords.");
        _getRecordsRecords = Counter("kinesis.get_records.records", "{record}", "GetRecords.Records: records returned by GetRecords.");
        _getRecordsLatency = Latency("kinesis.get_records.latency", "GetRecords.Latency");
        _getRecordsIteratorAge = SharedMeter.CreateGauge<long>("kinesis.get_records.iterator_age_milliseconds", "ms", "GetRecords.IteratorAgeMilliseconds: age of the last record returned by the last GetRecords call (0 at the tip).");
        _readExceeded = Counter("kinesis.read_provisioned_throughput_exceeded", "{call}", "ReadProvisionedThroughputExceeded: GetRecords calls throttled.");
        _writeExceeded = Counter("kinesis.write_provisioned_throughput_exceeded", "{record}", "WriteProvisionedThroughputExceeded: records rejected by throttling.");
        _shardIncomingBytes = Counter("kinesis.shard.incoming_bytes", "By", "Shard-level IncomingBytes (enhanced monitoring).");
        _shardIncomingRecords = Counter("kinesis.shard.incoming_records", "{record}", "Shard-level IncomingRecords (enhanced monitoring).");
        _shardOutgoingBytes = Counter("kinesis.shard.outgoing_bytes", "By", "Shard-level OutgoingBytes: bytes returned by GetRecords (enhanced monitoring).");
        _shardOutgoingRecords = Counter("kinesis.shard.outgoing_records", "{record}", "Shard-level OutgoingRecords (enhanced monitoring).");
        _shardReadExceeded = Counter("kinesis.shard.read_provisioned_throughput_exceeded", "{call}", "Shard-level ReadProvisionedThroughputExceeded (enhanced monitoring).");
        _shardWriteExceeded = Counter("kinesis.shard.write_provisioned_throughput_exceeded", "{record}", "Shard-level WriteProvisionedThroughputExceeded (enhanced monitoring).");
        _shardIteratorAge = SharedMeter.CreateGauge<long>("kinesis.shard.iterator_age_milliseconds", "ms", "Shard-level IteratorAgeMilliseconds (enhanced monitoring).");
        _onDemandScaling = Counter("kinesis.on_demand.scaling_actions", "{action}", "Splits and merges the on-demand scaler decided, by action (split, merge) and outcome (done, refused, failed).");
    }

    /// <summary>False when nobody listens (metrics off): callers may skip work done only for metrics.</summary>
    public bool Enabled => _incomingRecords.Enabled;

    /// <summary>One on-demand scaling action (rare: the tags are built per call).</summary>
    public void OnDemandScaling(string stream, string action, string outcome) =>
        _onDemandScaling.Add(1, [new("stream", stream), new("action", action), new("outcome", outcome)]);

    /// <summary>A start time for latency (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    /// <summary>A successful PutRecord of <paramref name="bytes"/> (data and partition key).</summary>
    public void PutRecord(StreamRuntime stream, ShardRuntime shard, int bytes, long started)
    {
        if (!Enabled)
        {
            return;
        }

        var tags = stream.MetricTags;
        _incomingBytes.Add(bytes, tags);
        _incomingRecords.Add(1, tags);
        _putRecordBytes.Add(bytes, tags);
        _putRecordSuccess.Add(1, tags);
        _putRecordLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
        var shardLevel = stream.ShardLevel;
        if ((shardLevel & ShardLevelMetric.IncomingBytes) != 0)
        {
            _shardIncomingBytes.Add(bytes, shard.MetricTags);
        }

        if ((shardLevel & ShardLevelMetric.IncomingRecords) != 0)
        {
            _shardIncomingRecords.Add(1, shard.MetricTags);
        }
    }

    /// <summary>
    /// A completed PutRecords: <paramref name="throttled"/> records were refused by the quota before
    /// the append; the batch's outcomes tell which of the others were stored.
    /// </summary>
    public void PutRecords(StreamRuntime stream, PutRecordsBatch batch, int throttled, long started)
    {
        if (!Enabled)
        {
            return;
        }

        long bytes = 0;
        var successful = 0;
        var shardLevel = stream.ShardLevel;
        var perShard = (shardLevel & (ShardLevelMetric.IncomingBytes | ShardLevelMetric.IncomingRecords)) != 0;
        for (var s = 0; s < batch.ShardCount; s++)
        {
            var start = batch.AppendStart[s];
            var end = start + batch.AppendCount[s];
            long shardBytes = 0;
            var shardRecords = 0;
            for (var w = start; w < end; w++)
            {
                if (batch.Outcomes[w].Status == Storage.StorageStatus.Ok)
                {
                    ref readonly var record = ref batch.Records[w];
                    shardBytes += record.Key.Length + record.Value.Length;
                    shardRecords++;
                }
            }

            bytes += shardBytes;
            successful += shardRecords;
            if (perShard && shardRecords > 0)
            {
                var shardTags = stream.Shards[s].MetricTags;
                if ((shardLevel & ShardLevelMetric.IncomingBytes) != 0)
                {
                    _shardIncomingBytes.Add(shardBytes, shardTags);
                }

                if ((shardLevel & ShardLevelMetric.IncomingRecords) != 0)
                {
                    _shardIncomingRecords.Add(shardRecords, shardTags);
                }
            }
        }

        var tags = stream.MetricTags;
        _putRecordsTotal.Add(batch.Count, tags);
        _putRecordsSuccessful.Add(successful, tags);
        _putRecordsFailed.Add(batch.Count - successful - throttled, tags);
        _putRecordsThrottled.Add(throttled, tags);
        _putRecordsLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
        if (successful > 0)
        {
            _incomingBytes.Add(bytes, tags);
            _incomingRecords.Add(successful, tags);
            _putRecordsBytes.Add(bytes, tags);
            _putRecordsSuccess.Add(1, tags);
        }

        if (throttled > 0)
        {
            _writeExceeded.Add(throttled, tags);
            if ((shardLevel & ShardLevelMetric.WriteProvisionedThroughputExceeded) != 0)
            {
                WriteThrottledPerShard(stream, batch);
            }
        }
    }

    /// <summary>A PutRecord refused by the shard's write quota.</summary>
    public void PutRecordThrottled(StreamRuntime stream, ShardRuntime shard)
    {
        if (!Enabled)
        {
            return;
        }

        _writeExceeded.Add(1, stream.MetricTags);
        if ((stream.ShardLevel & ShardLevelMetric.WriteProvisionedThroughputExceeded) != 0)
        {
            _shardWriteExceeded.Add(1, shard.MetricTags);
        }
    }

    /// <summary>A GetRecords refused by the shard's read quota.</summary>
    public void GetRecordsThrottled(StreamRuntime stream, ShardRuntime shard)
    {
        if (!Enabled)
        {
            return;
        }

        _readExceeded.Add(1, stream.MetricTags);
        if ((stream.ShardLevel & ShardLevelMetric.ReadProvisionedThroughputExceeded) != 0)
        {
            _shardReadExceeded.Add(1, shard.MetricTags);
        }
    }

    /// <summary>A successful GetRecords returning <paramref name="records"/> records of <paramref name="bytes"/> bytes.</summary>
    public void GetRecords(StreamRuntime stream, ShardRuntime shard, int records, long bytes, long iteratorAgeMs, long started)
    {
        if (!Enabled)
        {
            return;
        }

        var tags = stream.MetricTags;
        _getRecordsSuccess.Add(1, tags);
        _getRecordsRecords.Add(records, tags);
        _getRecordsBytes.Add(bytes, tags);
        _getRecordsIteratorAge.Record(iteratorAgeMs, tags);
        _getRecordsLatency.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
        var shardLevel = stream.ShardLevel;
        if (shardLevel == ShardLevelMetric.None)
        {
            return;
        }

        var shardTags = shard.MetricTags;
        if ((shardLevel & ShardLevelMetric.OutgoingBytes) != 0)
        {
            _shardOutgoingBytes.Add(bytes, shardTags);
        }

        if ((shardLevel & ShardLevelMetric.OutgoingRecords) != 0)
        {
            _shardOutgoingRecords.Add(records, shardTags);
        }

        if ((shardLevel & ShardLevelMetric.IteratorAgeMilliseconds) != 0)
        {
            _shardIteratorAge.Record(iteratorAgeMs, shardTags);
        }
    }

    private void WriteThrottledPerShard(StreamRuntime stream, PutRecordsBatch batch)
    {
        for (var s = 0; s < batch.ShardCount; s++)
        {
            var refused = 0;
            for (var position = batch.GroupStart[s]; position < batch.GroupStart[s + 1]; position++)
            {
                if (!batch.Admitted[position])
                {
                    refused++;
                }
            }

            if (refused > 0)
            {
                _shardWriteExceeded.Add(refused, stream.Shards[s].MetricTags);
            }
        }
    }

    private static Counter<long> Counter(string name, string unit, string description) => SharedMeter.CreateCounter<long>(name, unit, description);

    private static Histogram<double> Latency(string name, string metric) =>
        SharedMeter.CreateHistogram(name, "ms", metric + ": call latency in milliseconds.", tags: null, advice: LatencyBuckets);
}
