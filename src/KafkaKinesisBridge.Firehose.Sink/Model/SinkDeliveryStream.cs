namespace KafkaKinesisBridge.Firehose.Sink.Model;

/// <summary>
/// A delivery stream as the sink worker needs it: its name and configuration version (both part of
/// every object key), where its records are read from, and where they go. The Firehose API builds it
/// from its catalog (CreateDeliveryStream, UpdateDestination) and hands the active ones to the
/// worker through <see cref="Hosting.ISinkDeliveryStreamProvider"/>.
/// </summary>
/// <param name="Name">DeliveryStreamName: 1-64 characters of <c>[a-zA-Z0-9_.-]</c> (Firehose API reference).</param>
/// <param name="VersionId">DeliveryStreamVersionId: starts at 1, one more per UpdateDestination; it appears
/// in object keys, so a new version writes new keys (Firehose "Amazon S3 object name format").</param>
/// <param name="Source">The log the records are read from.</param>
/// <param name="Destination">The S3 destination (ExtendedS3DestinationConfiguration).</param>
public sealed record SinkDeliveryStream(
    string Name,
    long VersionId,
    SinkSourceSpec Source,
    SinkDestination Destination);

/// <summary>Kinds of delivery stream source (Firehose DeliveryStreamType).</summary>
public enum SinkSourceKind
{
    /// <summary>DirectPut: PutRecord/PutRecordBatch write to a log topic of the delivery stream.</summary>
    DirectPut,

    /// <summary>KinesisStreamAsSource: the records of a Kinesis stream of this gateway (its topic).</summary>
    KinesisStream,
}

/// <summary>Where a delivery stream's records are: a topic of the log (<c>ILogStore</c>).</summary>
/// <param name="Kind">DirectPut or KinesisStreamAsSource.</param>
/// <param name="Topic">The log topic: the delivery stream's own topic (DirectPut), or the Kinesis stream's
/// topic. Checkpoints are kept per delivery stream and topic: a recreated delivery stream should use a
/// topic name of its own (or call <see cref="Checkpoints.ISinkCheckpointStore.DeleteAsync"/>), else it
/// would resume at the old stream's positions.</param>
public sealed record SinkSourceSpec(SinkSourceKind Kind, string Topic);

/// <summary>Firehose CompressionFormat of an S3 destination.</summary>
public enum SinkCompressionFormat
{
    /// <summary>UNCOMPRESSED.</summary>
    Uncompressed,

    /// <summary>GZIP (RFC 1952), extension <c>.gz</c>.</summary>
    Gzip,

    /// <summary>ZIP: one archive with one entry, extension <c>.zip</c>.</summary>
    Zip,

    /// <summary>Snappy in the framing format (framing_format.txt of google/snappy), extension <c>.snappy</c>.</summary>
    Snappy,

    /// <summary>HADOOP_SNAPPY: Hadoop's BlockCompressorStream framing of raw Snappy blocks, extension <c>.snappy</c>.</summary>
    HadoopSnappy,
}

/// <summary>
/// ExtendedS3DestinationConfiguration, the part the sink uses (Firehose API reference). Values are
/// checked by <see cref="SinkDestinationValidator"/>.
/// </summary>
public sealed record SinkDestination
{
    /// <summary>
    /// How long the sink retries an unreachable store before the error output: 5 minutes. Firehose
    /// retries S3 for up to 24 hours; the gateway's default is shorter because on Kafka the consumer
    /// group's max.poll.interval (retry duration + 1 min) may not exceed librdkafka's 24-hour maximum.
    /// </summary>
    public static readonly TimeSpan DefaultRetryDuration = TimeSpan.FromSeconds(300);

    /// <summary>The bucket (from BucketARN <c>arn:aws:s3:::name</c>).</summary>
    public required string Bucket { get; init; }

    /// <summary>Prefix: literal text and <c>!{timestamp:...}</c> / <c>!{firehose:random-string}</c>
    /// expressions; null or empty for the default <c>YYYY/MM/dd/HH/</c>.</summary>
    public string? Prefix { get; init; }

    /// <summary>ErrorOutputPrefix, with <c>!{firehose:error-output-type}</c>; required when Prefix has expressions.</summary>
    public string? ErrorOutputPrefix { get; init; }

    /// <summary>BufferingHints.SizeInMBs: 1 to 128, default 5.</summary>
    public int BufferSizeInMBs { get; init; } = 5;

    /// <summary>BufferingHints.IntervalInSeconds: 0 to 900, default 300.</summary>
    public int BufferIntervalInSeconds { get; init; } = 300;

    /// <summary>CompressionFormat, default UNCOMPRESSED.</summary>
    public SinkCompressionFormat Compression { get; init; } = SinkCompressionFormat.Uncompressed;

    /// <summary>FileExtension: replaces the compression's extension; empty or <c>.</c> followed by
    /// <c>[0-9a-z!\-_.*'()]+</c>.</summary>
    public string? FileExtension { get; init; }

    /// <summary>CustomTimeZone (an IANA name such as <c>Asia/Tokyo</c>) for prefixes and the key's time; UTC when null.</summary>
    public string? CustomTimeZone { get; init; }

    /// <summary>ProcessingConfiguration AppendDelimiterToRecord: a newline after every record.</summary>
    public bool AppendDelimiterToRecord { get; init; }

    /// <summary>How long a failed write is retried before the records go to the error output prefix.</summary>
    public TimeSpan RetryDuration { get; init; } = DefaultRetryDuration;
}
