using System.Text.RegularExpressions;

namespace KafkaKinesisBridge.Firehose.Model;

/// <summary>
/// The constraints of the Firehose service model (botocore firehose/2015-08-04 service-2.json:
/// lengths, patterns, ranges, enums) answered as ValidationException, and Firehose's rules across
/// members answered as InvalidArgumentException.
/// </summary>
internal static partial class DeliveryStreamValidation
{
    public const int MaxTagsPerStream = 50;
    public const int MaxRecordBytes = 1_024_000;
    public const int MaxBatchRecords = 500;
    public const int MaxBatchBytes = 4 * 1024 * 1024;

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:.*:s3:::[\w\.\-]{1,255}$")]
    private static partial Regex BucketArnPattern();

    [GeneratedRegex(@"^arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+$")]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/([a-zA-Z0-9_.-]+)$")]
    private static partial Regex KinesisStreamArnPattern();

    [GeneratedRegex(@"^$|^\.[0-9a-z!\-_.*'()]+$")]
    private static partial Regex FileExtensionPattern();

    [GeneratedRegex("^$|^[a-zA-Z/_]+$")]
    private static partial Regex TimeZonePattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$")]
    private static partial Regex TagPattern();

    /// <summary>DeliveryStreamName: required, 1-64 of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public static string Name(string? name, string member = "deliveryStreamName")
    {
        if (name is null)
        {
            throw FirehoseErrors.Missing(member);
        }

        if (name.Length is < 1 or > 64)
        {
            throw FirehoseErrors.Constraint(member, name, "have length less than or equal to 64");
        }

        if (!NamePattern().IsMatch(name))
        {
            throw FirehoseErrors.Constraint(member, name, "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }

        return name;
    }

    /// <summary>KinesisStreamARN: the stream name it names.</summary>
    public static string KinesisStreamName(string? arn)
    {
        if (arn is null)
        {
            throw FirehoseErrors.Missing("kinesisStreamSourceConfiguration.kinesisStreamARN");
        }

        var match = KinesisStreamArnPattern().Match(arn);
        return match.Success
            ? match.Groups[1].Value
            : throw FirehoseErrors.Constraint("kinesisStreamSourceConfiguration.kinesisStreamARN", arn, @"satisfy regular expression pattern: arn:.*:kinesis:[a-zA-Z0-9\-]+:\d{12}:stream/[a-zA-Z0-9_.-]+");
    }

    public static string RoleArn(string? arn, string member)
    {
        if (arn is null)
        {
            throw FirehoseErrors.Missing(member);
        }

        return RoleArnPattern().IsMatch(arn) && arn.Length <= 512
            ? arn
            : throw FirehoseErrors.Constraint(member, arn, @"satisfy regular expression pattern: arn:.*:iam::\d{12}:role/[a-zA-Z_0-9+=,.@\-_/]+");
    }

    /// <summary>Builds a destination from a configuration (create) or applies an update onto <paramref name="current"/>.</summary>
    public static S3Destination Destination(DestinationConfiguration config, string member, bool extended, S3Destination? current)
    {
        var destination = current?.Clone() ?? new S3Destination();
        destination.Extended = current?.Extended ?? extended;
        if (config.RoleARN is not null || current is null)
        {
            destination.RoleARN = RoleArn(config.RoleARN, member + ".roleARN");
        }

        if (config.BucketARN is not null || current is null)
        {
            if (config.BucketARN is null)
            {
                throw FirehoseErrors.Missing(member + ".bucketARN");
            }

            if (config.BucketARN.Length > 2048 || !BucketArnPattern().IsMatch(config.BucketARN))
            {
                throw FirehoseErrors.Constraint(member + ".bucketARN", config.BucketARN, @"satisfy regular expression pattern: arn:.*:s3:::[\w\.\-]{1,255}");
            }

            destination.BucketARN = config.BucketARN;
        }

        if (config.Prefix is not null)
        {
            destination.Prefix = MaxLength(config.Prefix, 1024, member + ".prefix");
        }

        if (config.ErrorOutputPrefix is not null)
        {
            destination.ErrorOutputPrefix = MaxLength(config.ErrorOutputPrefix, 1024, member + ".errorOutputPrefix");
        }

        if (config.BufferingHints is { } hints)
        {
            if (hints.SizeInMBs is { } size)
            {
                destination.SizeInMBs = size is >= 1 and <= 128 ? size
                    : throw FirehoseErrors.Constraint(member + ".bufferingHints.sizeInMBs", size, size < 1 ? "have value greater than or equal to 1" : "have value less than or equal to 128");
            }

            if (hints.IntervalInSeconds is { } interval)
            {
                destination.IntervalInSeconds = interval is >= 0 and <= 900 ? interval
                    : throw FirehoseErrors.Constraint(member + ".bufferingHints.intervalInSeconds", interval, interval < 0 ? "have value greater than or equal to 0" : "have value less than or equal to 900");
            }
        }

        if (config.CompressionFormat is { } compression)
        {
            destination.CompressionFormat = CompressionFormats.All.Contains(compression)
                ? compression
                : throw FirehoseErrors.Constraint(member + ".compressionFormat", compression, "satisfy enum value set: [" + string.Join(", ", CompressionFormats.All) + "]");
        }

        if (config.FileExtension is { } extension)
        {
            destination.FileExtension = extension.Length <= 128 && FileExtensionPattern().IsMatch(extension)
                ? (extension.Length == 0 ? null : extension)
                : throw FirehoseErrors.Constraint(member + ".fileExtension", extension, @"satisfy regular expression pattern: ^$|\.[0-9a-z!\-_.*'()]+");
        }

        if (config.CustomTimeZone is { } zone)
        {
            if (zone.Length > 50 || !TimeZonePattern().IsMatch(zone))
            {
                throw FirehoseErrors.Constraint(member + ".customTimeZone", zone, "satisfy regular expression pattern: ^$|[a-zA-Z/_]+");
            }

            if (zone.Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                throw new FirehoseException(FirehoseErrors.InvalidArgument, $"CustomTimeZone '{zone}' is not a valid time zone.");
            }

            destination.CustomTimeZone = zone.Length == 0 ? null : zone;
        }

        if (config.ProcessingConfiguration is { } processing)
        {
            destination.ProcessingEnabled = processing.Enabled ?? false;
            destination.Processors = [.. (processing.Processors ?? []).Select(p => Processor(p, member))];
        }

        // Firehose: a prefix with expressions needs an error output prefix, where records that cannot
        // be delivered under the evaluated prefix go (Developer Guide, "Custom Prefixes for Amazon S3 Objects").
        if (destination.Prefix?.Contains("!{", StringComparison.Ordinal) == true && string.IsNullOrEmpty(destination.ErrorOutputPrefix))
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.");
        }

        return destination;
    }

    private static Processor Processor(ProcessorConfiguration processor, string member)
    {
        if (processor.Type is null)
        {
            throw FirehoseErrors.Missing(member + ".processingConfiguration.processors.member.type");
        }

        if (processor.Type != Model.Processor.AppendDelimiterToRecordType)
        {
            // Lambda transformation, record de-aggregation, decompression and metadata extraction
            // come with the transformation work of a later issue.
            throw new FirehoseException(FirehoseErrors.InvalidArgument, $"Processor type {processor.Type} is not supported by this gateway; AppendDelimiterToRecord is.");
        }

        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var parameter in processor.Parameters ?? [])
        {
            if (parameter.ParameterName is null || parameter.ParameterValue is null)
            {
                throw FirehoseErrors.Missing(member + ".processingConfiguration.processors.member.parameters.member.parameterName");
            }

            parameters.Add(KeyValuePair.Create(parameter.ParameterName, parameter.ParameterValue));
        }

        return new Processor(processor.Type, parameters);
    }

    /// <summary>Tags: 1-50 per call, keys 1-128 not starting with <c>aws:</c>, values up to 256.</summary>
    public static List<KeyValuePair<string, string>> Tags(List<TagEntry>? tags, string member)
    {
        if (tags is null)
        {
            throw FirehoseErrors.Missing(member);
        }

        if (tags.Count is < 1 or > MaxTagsPerStream)
        {
            throw FirehoseErrors.Constraint(member, "[...]", tags.Count < 1 ? "have length greater than or equal to 1" : "have length less than or equal to 50");
        }

        var result = new List<KeyValuePair<string, string>>(tags.Count);
        foreach (var tag in tags)
        {
            result.Add(KeyValuePair.Create(TagKey(tag.Key, member + ".member.key"), TagValue(tag.Value ?? string.Empty, member + ".member.value")));
        }

        return result;
    }

    public static string TagKey(string? key, string member)
    {
        if (key is null)
        {
            throw FirehoseErrors.Missing(member);
        }

        return key.Length is >= 1 and <= 128 && !key.StartsWith("aws:", StringComparison.Ordinal) && TagPattern().IsMatch(key)
            ? key
            : throw FirehoseErrors.Constraint(member, key, @"satisfy regular expression pattern: ^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$ and have length between 1 and 128");
    }

    private static string TagValue(string value, string member) =>
        value.Length <= 256 && TagPattern().IsMatch(value)
            ? value
            : throw FirehoseErrors.Constraint(member, value, @"satisfy regular expression pattern: ^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$ and have length less than or equal to 256");

    private static string MaxLength(string value, int max, string member) =>
        value.Length <= max ? value : throw FirehoseErrors.Constraint(member, value, $"have length less than or equal to {max}");
}
