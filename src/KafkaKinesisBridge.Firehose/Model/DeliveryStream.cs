using System.Text.Json.Serialization;

namespace KafkaKinesisBridge.Firehose.Model;

/// <summary>DeliveryStreamStatus (Firehose API reference, DeliveryStreamDescription).</summary>
public enum DeliveryStreamStatus
{
    CREATING,
    ACTIVE,
    DELETING,
}

/// <summary>DeliveryStreamType: where a delivery stream's records come from.</summary>
public enum DeliveryStreamType
{
    /// <summary>Producers put records with PutRecord / PutRecordBatch.</summary>
    DirectPut,

    /// <summary>The records of a Kinesis stream of this gateway; PutRecord is refused.</summary>
    KinesisStreamAsSource,
}

/// <summary>
/// A delivery stream as the catalog keeps it (one JSON document per stream, replicated to every
/// gateway replica): what the API describes and what the sink worker delivers by.
/// </summary>
public sealed class DeliveryStream
{
    /// <summary>DeliveryStreamName: 1-64 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>arn:aws:firehose:&lt;region&gt;:&lt;account&gt;:deliverystream/&lt;name&gt;</c>.</summary>
    public string Arn { get; set; } = string.Empty;

    public DeliveryStreamStatus Status { get; set; }

    public DeliveryStreamType Type { get; set; }

    /// <summary>
    /// VersionId: "1" at creation, incremented by every UpdateDestination (Firehose's optimistic
    /// concurrency token, CurrentDeliveryStreamVersionId).
    /// </summary>
    public long VersionId { get; set; } = 1;

    /// <summary>Random per CreateDeliveryStream: tells a re-created stream of the same name from an earlier one.</summary>
    public ulong Incarnation { get; set; }

    public long CreatedAtMs { get; set; }

    public long UpdatedAtMs { get; set; }

    /// <summary>
    /// DirectPut: the log topic that holds the stream's records (partitions = <see cref="Partitions"/>),
    /// so an acknowledged PutRecordBatch survives a crash. Null for KinesisStreamAsSource.
    /// </summary>
    public string? Topic { get; set; }

    /// <summary>Partitions of <see cref="Topic"/>.</summary>
    public int Partitions { get; set; }

    /// <summary>KinesisStreamAsSource: the source stream's ARN and name.</summary>
    public KinesisStreamSource? Source { get; set; }

    /// <summary>The S3 destination (destinationId-000000000001).</summary>
    public S3Destination Destination { get; set; } = new();

    public Dictionary<string, string> Tags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A deep copy, to change and propose as the next version.</summary>
    public DeliveryStream Clone() => new()
    {
        Name = Name,
        Arn = Arn,
        Status = Status,
        Type = Type,
        VersionId = VersionId,
        Incarnation = Incarnation,
        CreatedAtMs = CreatedAtMs,
        UpdatedAtMs = UpdatedAtMs,
        Topic = Topic,
        Partitions = Partitions,
        Source = Source is null ? null : Source with { },
        Destination = Destination.Clone(),
        Tags = new Dictionary<string, string>(Tags, StringComparer.Ordinal),
    };
}

/// <summary>KinesisStreamSourceConfiguration.</summary>
/// <param name="KinesisStreamARN">The source stream's ARN.</param>
/// <param name="StreamName">The stream name the ARN names.</param>
/// <param name="RoleARN">The role Firehose would assume (kept and described; not enforced).</param>
/// <param name="DeliveryStartTimestampMs">When delivery from the stream started (creation).</param>
public sealed record KinesisStreamSource(string KinesisStreamARN, string StreamName, string RoleARN, long DeliveryStartTimestampMs);

/// <summary>
/// ExtendedS3DestinationConfiguration (and S3DestinationConfiguration, its subset): the members the
/// gateway delivers by. Members Firehose has and the gateway does not act on (encryption, CloudWatch
/// logging, backup, format conversion, dynamic partitioning) are not kept.
/// </summary>
public sealed class S3Destination
{
    /// <summary>Default BufferingHints.SizeInMBs (API reference: 5).</summary>
    public const int DefaultSizeInMBs = 5;

    /// <summary>Default BufferingHints.IntervalInSeconds (API reference: 300).</summary>
    public const int DefaultIntervalInSeconds = 300;

    /// <summary>True when created with ExtendedS3DestinationConfiguration (described as ExtendedS3DestinationDescription too).</summary>
    public bool Extended { get; set; } = true;

    public string RoleARN { get; set; } = string.Empty;

    /// <summary><c>arn:aws:s3:::&lt;bucket&gt;</c>.</summary>
    public string BucketARN { get; set; } = string.Empty;

    /// <summary>The bucket named by <see cref="BucketARN"/>.</summary>
    [JsonIgnore]
    public string Bucket => BucketARN.StartsWith("arn:", StringComparison.Ordinal) && BucketARN.LastIndexOf(':') is var colon and >= 0
        ? BucketARN[(colon + 1)..]
        : BucketARN;

    public string? Prefix { get; set; }

    public string? ErrorOutputPrefix { get; set; }

    public int SizeInMBs { get; set; } = DefaultSizeInMBs;

    public int IntervalInSeconds { get; set; } = DefaultIntervalInSeconds;

    /// <summary>UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY.</summary>
    public string CompressionFormat { get; set; } = CompressionFormats.Uncompressed;

    /// <summary>FileExtension; null: Firehose's default for the compression (".gz", ".zip", ".snappy").</summary>
    public string? FileExtension { get; set; }

    /// <summary>CustomTimeZone for the prefix's timestamps; null: UTC.</summary>
    public string? CustomTimeZone { get; set; }

    /// <summary>ProcessingConfiguration.Enabled.</summary>
    public bool ProcessingEnabled { get; set; }

    /// <summary>ProcessingConfiguration.Processors, as given (type and parameters), kept to describe them back.</summary>
    public List<Processor> Processors { get; set; } = [];

    /// <summary>
    /// True when the AppendDelimiterToRecord processor is on: a newline after every record (Firehose
    /// concatenates records without a delimiter otherwise).
    /// </summary>
    [JsonIgnore]
    public bool AppendDelimiterToRecord => ProcessingEnabled && Processors.Exists(p => p.Type == Processor.AppendDelimiterToRecordType);

    public S3Destination Clone() => new()
    {
        Extended = Extended,
        RoleARN = RoleARN,
        BucketARN = BucketARN,
        Prefix = Prefix,
        ErrorOutputPrefix = ErrorOutputPrefix,
        SizeInMBs = SizeInMBs,
        IntervalInSeconds = IntervalInSeconds,
        CompressionFormat = CompressionFormat,
        FileExtension = FileExtension,
        CustomTimeZone = CustomTimeZone,
        ProcessingEnabled = ProcessingEnabled,
        Processors = [.. Processors.Select(p => p with { Parameters = [.. p.Parameters] })],
    };
}

/// <summary>A processor of ProcessingConfiguration.</summary>
/// <param name="Type">ProcessorType.</param>
/// <param name="Parameters">Its parameters (name, value).</param>
public sealed record Processor(string Type, List<KeyValuePair<string, string>> Parameters)
{
    /// <summary>The processor that appends a newline after each record.</summary>
    public const string AppendDelimiterToRecordType = "AppendDelimiterToRecord";
}

/// <summary>CompressionFormat values.</summary>
public static class CompressionFormats
{
    public const string Uncompressed = "UNCOMPRESSED";
    public const string Gzip = "GZIP";
    public const string Zip = "ZIP";
    public const string Snappy = "Snappy";
    public const string HadoopSnappy = "HADOOP_SNAPPY";

    /// <summary>Every value Firehose accepts.</summary>
    public static readonly IReadOnlyList<string> All = [Uncompressed, Gzip, Zip, Snappy, HadoopSnappy];
}

/// <summary>System.Text.Json source generation for the catalog documents (no reflection).</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DeliveryStream))]
internal sealed partial class DeliveryStreamJsonContext : JsonSerializerContext;
