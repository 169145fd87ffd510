using System.Globalization;

namespace KafkaKinesisBridge.Core.Validation;

/// <summary>
/// Consumer ARNs: <c>{stream ARN}/consumer/{consumer name}:{creation time, epoch seconds}</c>
/// (Kinesis API reference, RegisterStreamConsumer: "ConsumerARN ... pattern
/// <c>^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+</c>").
/// </summary>
internal static class ConsumerArns
{
    public const string Pattern = "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

    private const string Marker = "/consumer/";

    public static string Format(string streamArn, string consumerName, long createdAtMs) =>
        streamArn + Marker + consumerName + ":" + (createdAtMs / 1000).ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits a consumer ARN into its stream ARN, consumer name and creation epoch seconds.</summary>
    public static bool TryParse(string? arn, out string streamArn, out string consumerName, out long createdEpochSeconds)
    {
        streamArn = consumerName = string.Empty;
        createdEpochSeconds = 0;
        if (arn is null)
        {
            return false;
        }

        var marker = arn.LastIndexOf(Marker, StringComparison.Ordinal);
        var colon = arn.LastIndexOf(':');
        if (marker <= 0 || colon < marker + Marker.Length + 1 || colon == arn.Length - 1)
        {
            return false;
        }

        if (!long.TryParse(arn.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out createdEpochSeconds))
        {
            return false;
        }

        streamArn = arn[..marker];
        consumerName = arn[(marker + Marker.Length)..colon];
        return StreamArns.TryParse(streamArn, out _, out _, out _);
    }

    /// <summary>The stream a consumer ARN names, or null when it is not a consumer ARN.</summary>
    public static string? StreamNameOf(string? arn) =>
        TryParse(arn, out var streamArn, out _, out _) && StreamArns.TryParse(streamArn, out _, out _, out var name) ? name : null;
}
