using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace KafkaKinesisBridge.Firehose.Sink.Diagnostics;

/// <summary>
/// The Firehose CloudWatch metrics of S3 delivery ("Monitoring Amazon Data Firehose with CloudWatch
/// metrics": DeliveryToS3.Records, .Bytes, .Success, .DataFreshness), tagged <c>delivery_stream</c>,
/// plus the sink's own: delivery latency, retries, records sent to the error output, records dropped
/// on a consumer-group revoke (delivered by the partition's new owner).
/// </summary>
internal sealed class SinkMetrics
{
    /// <summary>The meter name, for hosts that export it.</summary>
    public const string MeterName = "KafkaKinesisBridge.Firehose";

    // One meter per process, never disposed (see StreamsMetrics: several hosts in one test process).
    private static readonly Meter SharedMeter = new(MeterName);

    public static readonly SinkMetrics Shared = new();

    private readonly Counter<long> _records;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _objectBytes;
    private readonly Counter<long> _success;
    private readonly Histogram<double> _latency;
    private readonly Gauge<long> _freshness;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _failedRecords;
    private readonly Counter<long> _dropped;

    private SinkMetrics()
    {
        _records = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.records", "{record}", "DeliveryToS3.Records: records delivered.");
        _bytes = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.bytes", "By", "DeliveryToS3.Bytes: record bytes delivered (before compression).");
        _objectBytes = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.object_bytes", "By", "Bytes written to the store (after compression).");
        _success = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.success", "{object}", "DeliveryToS3.Success: objects written.");
        _latency = SharedMeter.CreateHistogram<double>(
            "firehose.delivery_to_s3.latency",
            "ms",
            "Time from a record's arrival to its object being durable, for the oldest record of each object.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10, 50, 100, 250, 500, 1000, 1500, 2000, 5000, 10000, 60000, 300000, 900000] });
        _freshness = SharedMeter.CreateGauge<long>("firehose.delivery_to_s3.data_freshness", "ms", "DeliveryToS3.DataFreshness: age of the oldest record not yet delivered.");
        _retries = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.retries", "{attempt}", "Failed object writes retried.");
        _failedRecords = SharedMeter.CreateCounter<long>("firehose.delivery_to_s3.failed_records", "{record}", "Records written to the error output prefix after the retry duration.");
        _dropped = SharedMeter.CreateCounter<long>("firehose.sink.revoked_records", "{record}", "Buffered records dropped on a partition revoke (delivered by the new owner).");
    }

    /// <summary>The tag set of one delivery stream, made once per pipeline.</summary>
    public static TagList Tags(string deliveryStream) => new() { { "delivery_stream", deliveryStream } };

    public void Delivered(in TagList tags, int records, long bytes, long objectBytes, double latencyMs)
    {
        _records.Add(records, tags);
        _bytes.Add(bytes, tags);
        _objectBytes.Add(objectBytes, tags);
        _success.Add(1, tags);
        _latency.Record(latencyMs, tags);
    }

    public void Freshness(in TagList tags, long ageMs)
    {
        if (_freshness.Enabled)
        {
            _freshness.Record(ageMs, tags);
        }
    }

    public void Retried(in TagList tags) => _retries.Add(1, tags);

    public void FailedRecords(in TagList tags, int records) => _failedRecords.Add(records, tags);

    public void Dropped(in TagList tags, int records) => _dropped.Add(records, tags);
}
