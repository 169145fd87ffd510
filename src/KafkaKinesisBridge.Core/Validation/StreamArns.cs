using System.Text.RegularExpressions;

namespace KafkaKinesisBridge.Core.Validation;

/// <summary>Stream ARNs: <c>arn:aws:kinesis:{region}:{account}:stream/{name}</c> (Kinesis API reference, StreamARN).</summary>
internal static partial class StreamArns
{
    public static string Format(string region, string accountId, string streamName) =>
        "arn:aws:kinesis:" + region + ":" + accountId + ":stream/" + streamName;

    /// <summary>The service model's pattern for StreamARN.</summary>
    public static bool MatchesPattern(string value) => ArnPattern().IsMatch(value);

    /// <summary>Splits a stream ARN into region, account and stream name.</summary>
    public static bool TryParse(string arn, out string region, out string accountId, out string streamName)
    {
        region = accountId = streamName = string.Empty;
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || !parts[1].StartsWith("aws", StringComparison.Ordinal) || parts[2] != "kinesis")
        {
            return false;
        }

        const string resourcePrefix = "stream/";
        if (!parts[5].StartsWith(resourcePrefix, StringComparison.Ordinal) || parts[5].Length == resourcePrefix.Length)
        {
            return false;
        }

        region = parts[3];
        accountId = parts[4];
        streamName = parts[5][resourcePrefix.Length..];
        return true;
    }

    [GeneratedRegex(@"^arn:aws.*:kinesis:.*:[0-9]{12}:stream/.+$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex ArnPattern();
}
