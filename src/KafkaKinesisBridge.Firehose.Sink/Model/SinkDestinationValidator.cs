using System.Text.RegularExpressions;
using KafkaKinesisBridge.Firehose.Sink.Naming;

namespace KafkaKinesisBridge.Firehose.Sink.Model;

/// <summary>
/// Checks a delivery stream's name and destination as the Firehose API does (API reference:
/// BufferingHints, ExtendedS3DestinationConfiguration; "Custom Prefixes for Amazon S3 Objects").
/// The API calls it before storing a configuration; the worker calls it before running one.
/// </summary>
public static partial class SinkDestinationValidator
{
    /// <summary>Returns null when valid, else the reason (an InvalidArgumentException message).</summary>
    public static string? Validate(SinkDeliveryStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!StreamName().IsMatch(stream.Name))
        {
            return "DeliveryStreamName must match [a-zA-Z0-9_.-]+ and be 1 to 64 characters.";
        }

        if (stream.VersionId < 1)
        {
            return "DeliveryStreamVersionId must be at least 1.";
        }

        return Validate(stream.Destination);
    }

    /// <summary>Returns null when valid, else the reason.</summary>
    public static string? Validate(SinkDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!BucketName().IsMatch(destination.Bucket) || destination.Bucket.Contains("..", StringComparison.Ordinal))
        {
            return "Bucket names are 3 to 63 characters of lowercase letters, digits, '.' and '-'.";
        }

        if (destination.BufferSizeInMBs is < 1 or > 128)
        {
            return "BufferingHints.SizeInMBs must be between 1 and 128.";
        }

        if (destination.BufferIntervalInSeconds is < 0 or > 900)
        {
            return "BufferingHints.IntervalInSeconds must be between 0 and 900.";
        }

        if (destination.FileExtension is { Length: > 0 } extension && !FileExtension().IsMatch(extension))
        {
            return "FileExtension must start with '.' followed by [0-9a-z!-_.*'()] characters.";
        }

        if (destination.CustomTimeZone is { Length: > 0 } zone && !PrefixEvaluator.TryFindTimeZone(zone, out _))
        {
            return $"CustomTimeZone '{zone}' is not a known time zone.";
        }

        if (destination.RetryDuration < TimeSpan.Zero || destination.RetryDuration > TimeSpan.FromSeconds(7200))
        {
            return "RetryOptions.DurationInSeconds must be between 0 and 7200.";
        }

        return PrefixEvaluator.ValidatePrefixes(destination.Prefix, destination.ErrorOutputPrefix);
    }

    [GeneratedRegex("^[a-zA-Z0-9_.-]{1,64}$")]
    private static partial Regex StreamName();

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    // ExtendedS3DestinationConfiguration.FileExtension pattern in the API reference.
    [GeneratedRegex(@"^\.[0-9a-z!\-_.*'()]+$")]
    private static partial Regex FileExtension();
}
