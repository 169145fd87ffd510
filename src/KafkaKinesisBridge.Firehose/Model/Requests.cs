namespace KafkaKinesisBridge.Firehose.Model;

// The requests of the Firehose operations, with the wire's member names (Firehose API reference,
// API version 2015-08-04), so the JSON door can bind them directly and the gRPC door maps onto them.
// Members the gateway does not act on are not bound (unknown members are ignored, as AWS services do).

#pragma warning disable CA2227 // Wire DTOs: collections are bound by the serializer.

/// <summary>CreateDeliveryStream input.</summary>
public sealed class CreateDeliveryStreamRequest
{
    public string? DeliveryStreamName { get; set; }

    public string? DeliveryStreamType { get; set; }

    public KinesisStreamSourceConfiguration? KinesisStreamSourceConfiguration { get; set; }

    public DestinationConfiguration? S3DestinationConfiguration { get; set; }

    public DestinationConfiguration? ExtendedS3DestinationConfiguration { get; set; }

    public List<TagEntry>? Tags { get; set; }
}

/// <summary>KinesisStreamSourceConfiguration.</summary>
public sealed class KinesisStreamSourceConfiguration
{
    public string? KinesisStreamARN { get; set; }

    public string? RoleARN { get; set; }
}

/// <summary>
/// ExtendedS3DestinationConfiguration / S3DestinationConfiguration, and their Update forms (where
/// every member is optional and replaces the current value only when given).
/// </summary>
public sealed class DestinationConfiguration
{
    public string? RoleARN { get; set; }

    public string? BucketARN { get; set; }

    public string? Prefix { get; set; }

    public string? ErrorOutputPrefix { get; set; }

    public BufferingHints? BufferingHints { get; set; }

    public string? CompressionFormat { get; set; }

    public string? FileExtension { get; set; }

    public string? CustomTimeZone { get; set; }

    public ProcessingConfiguration? ProcessingConfiguration { get; set; }
}

/// <summary>BufferingHints.</summary>
public sealed class BufferingHints
{
    public int? SizeInMBs { get; set; }

    public int? IntervalInSeconds { get; set; }
}

/// <summary>ProcessingConfiguration.</summary>
public sealed class ProcessingConfiguration
{
    public bool? Enabled { get; set; }

    public List<ProcessorConfiguration>? Processors { get; set; }
}

/// <summary>Processor.</summary>
public sealed class ProcessorConfiguration
{
    public string? Type { get; set; }

    public List<ProcessorParameter>? Parameters { get; set; }
}

/// <summary>ProcessorParameter.</summary>
public sealed class ProcessorParameter
{
    public string? ParameterName { get; set; }

    public string? ParameterValue { get; set; }
}

/// <summary>Tag.</summary>
public sealed class TagEntry
{
    public string? Key { get; set; }

    public string? Value { get; set; }
}

/// <summary>UpdateDestination input.</summary>
public sealed class UpdateDestinationRequest
{
    public string? DeliveryStreamName { get; set; }

    public string? CurrentDeliveryStreamVersionId { get; set; }

    public string? DestinationId { get; set; }

    public DestinationConfiguration? S3DestinationUpdate { get; set; }

    public DestinationConfiguration? ExtendedS3DestinationUpdate { get; set; }
}

/// <summary>One record's outcome in PutRecordBatch: a RecordId, or an ErrorCode and ErrorMessage.</summary>
/// <param name="RecordId">The record's id (derived from its log position), or null when it failed.</param>
/// <param name="ErrorCode">The error name when it failed.</param>
/// <param name="ErrorMessage">The error message when it failed.</param>
public readonly record struct PutRecordResult(string? RecordId, string? ErrorCode, string? ErrorMessage);

/// <summary>A page of ListDeliveryStreams.</summary>
public sealed record DeliveryStreamNamePage(IReadOnlyList<string> DeliveryStreamNames, bool HasMoreDeliveryStreams);

/// <summary>A page of ListTagsForDeliveryStream.</summary>
public sealed record TagPage(IReadOnlyList<KeyValuePair<string, string>> Tags, bool HasMoreTags);
