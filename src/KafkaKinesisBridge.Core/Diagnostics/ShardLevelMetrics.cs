namespace KafkaKinesisBridge.Core.Diagnostics;

/// <summary>
/// The shard-level metrics of Kinesis enhanced monitoring (API reference, EnableEnhancedMonitoring:
/// ShardLevelMetrics), as flags so the data plane tests one bit per call.
/// </summary>
[Flags]
internal enum ShardLevelMetric
{
    None = 0,
    IncomingBytes = 1,
    IncomingRecords = 2,
    OutgoingBytes = 4,
    OutgoingRecords = 8,
    WriteProvisionedThroughputExceeded = 16,
    ReadProvisionedThroughputExceeded = 32,
    IteratorAgeMilliseconds = 64,
    All = 127,
}

/// <summary>Names of <see cref="ShardLevelMetric"/> on the wire and in the catalog.</summary>
internal static class ShardLevelMetrics
{
    /// <summary>"ALL" enables (or disables) every metric.</summary>
    public const string AllName = "ALL";

    /// <summary>At most 7 names per request (API reference: Array Members, maximum 7 items).</summary>
    public const int MaxNames = 7;

    /// <summary>The metric names in the order the API reference lists them (responses use this order).</summary>
    public static readonly string[] Names =
    [
        "IncomingBytes",
        "IncomingRecords",
        "OutgoingBytes",
        "OutgoingRecords",
        "WriteProvisionedThroughputExceeded",
        "ReadProvisionedThroughputExceeded",
        "IteratorAgeMilliseconds",
    ];

    /// <summary>The enum value set a ValidationException quotes.</summary>
    public const string EnumValueSet = "[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]";

    /// <summary>Parses one name (case-sensitive, as Kinesis enums are).</summary>
    public static bool TryParse(string? name, out ShardLevelMetric metric)
    {
        if (name == AllName)
        {
            metric = ShardLevelMetric.All;
            return true;
        }

        var index = Array.IndexOf(Names, name);
        metric = index < 0 ? ShardLevelMetric.None : (ShardLevelMetric)(1 << index);
        return index >= 0;
    }

    /// <summary>The flags of a stored list (unknown names, from a newer replica, are ignored).</summary>
    public static ShardLevelMetric FromNames(IEnumerable<string>? names)
    {
        var flags = ShardLevelMetric.None;
        foreach (var name in names ?? [])
        {
            if (TryParse(name, out var metric))
            {
                flags |= metric;
            }
        }

        return flags;
    }

    /// <summary>The names of <paramref name="flags"/>, in canonical order.</summary>
    public static List<string> ToNames(ShardLevelMetric flags)
    {
        var names = new List<string>(Names.Length);
        for (var i = 0; i < Names.Length; i++)
        {
            if ((flags & (ShardLevelMetric)(1 << i)) != 0)
            {
                names.Add(Names[i]);
            }
        }

        return names;
    }
}
