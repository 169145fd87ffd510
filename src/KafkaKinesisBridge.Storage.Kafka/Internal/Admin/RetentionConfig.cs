using System.Globalization;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>Kafka's <c>retention.ms</c>: milliseconds, -1 for unlimited.</summary>
internal static class RetentionConfig
{
    public const string Name = "retention.ms";

    /// <summary>Kafka's default retention.ms (7 days), reported where the cluster keeps no configs.</summary>
    public static readonly TimeSpan KafkaDefault = TimeSpan.FromDays(7);

    /// <summary>True for <see cref="Timeout.InfiniteTimeSpan"/> and for positive spans Kafka can store.</summary>
    public static bool IsValid(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan || (retention >= TimeSpan.FromMilliseconds(1) && retention.TotalMilliseconds < long.MaxValue);

    public static string ToConfigValue(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan
            ? "-1"
            : ((long)Math.Ceiling(retention.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>For logs: "unlimited" or the span.</summary>
    public static string Describe(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan ? "unlimited" : retention.ToString("c", CultureInfo.InvariantCulture);

    public static bool TryParse(string? value, out TimeSpan retention)
    {
        retention = default;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return false;
        }

        retention = milliseconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }
}
