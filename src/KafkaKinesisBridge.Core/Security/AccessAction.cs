using System.Collections.Frozen;

namespace KafkaKinesisBridge.Core.Security;

/// <summary>What a permission allows on the streams it names.</summary>
[Flags]
public enum AccessActions
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Read records and metadata: GetRecords, GetShardIterator, Describe*, List*, DescribeLimits.</summary>
    Read = 1,

    /// <summary>Write records: PutRecord, PutRecords.</summary>
    Write = 2,

    /// <summary>Change streams: create, delete, retention, tags, record size, shards, monitoring, encryption.</summary>
    Admin = 4,

    /// <summary>Everything.</summary>
    All = Read | Write | Admin,
}

/// <summary>The action each Kinesis operation needs, and parsing of action lists from configuration.</summary>
/// <remarks>
/// Kinesis itself authorizes with IAM actions named after the operations (<c>kinesis:PutRecords</c>,
/// Service Authorization Reference, "Actions defined by Amazon Kinesis"); the gateway groups them in
/// three levels, as the IAM console does (Read, Write, Permissions management / Tagging), with
/// records written split from stream management so a producer key cannot delete the stream it
/// writes to.
/// </remarks>
public static class KinesisOperationAccess
{
    private static readonly FrozenDictionary<string, AccessActions> ByOperation = new Dictionary<string, AccessActions>(StringComparer.Ordinal)
    {
        ["DescribeAccountSettings"] = AccessActions.Read,
        ["DescribeLimits"] = AccessActions.Read,
        ["DescribeStream"] = AccessActions.Read,
        ["DescribeStreamConsumer"] = AccessActions.Read,
        ["DescribeStreamSummary"] = AccessActions.Read,
        ["GetRecords"] = AccessActions.Read,
        ["GetResourcePolicy"] = AccessActions.Read,
        ["GetShardIterator"] = AccessActions.Read,
        ["ListShards"] = AccessActions.Read,
        ["ListStreamConsumers"] = AccessActions.Read,
        ["ListStreams"] = AccessActions.Read,
        ["ListTagsForResource"] = AccessActions.Read,
        ["ListTagsForStream"] = AccessActions.Read,
        ["SubscribeToShard"] = AccessActions.Read,
        ["PutRecord"] = AccessActions.Write,
        ["PutRecords"] = AccessActions.Write,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The action <paramref name="operation"/> (a Kinesis operation name such as <c>PutRecords</c>,
    /// the same on both front doors) needs; every operation not listed as a read or a write (create,
    /// delete, retention, tags, UpdateMaxRecordSize, enhanced monitoring, shard changes, encryption,
    /// consumers, resource policies, and any name not known) needs <see cref="AccessActions.Admin"/>.
    /// </summary>
    public static AccessActions ForOperation(string operation) =>
        ByOperation.TryGetValue(operation, out var action) ? action : AccessActions.Admin;

    /// <summary>
    /// Parses an action list such as <c>read,write</c> (names <c>read</c>, <c>write</c>, <c>admin</c>,
    /// or <c>*</c> / <c>all</c>; case-insensitive; separated by commas or spaces).
    /// </summary>
    public static bool TryParseActions(string? text, out AccessActions actions)
    {
        actions = AccessActions.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var part in text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part == "*" || part.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                actions |= AccessActions.All;
            }
            else if (part.Equals("read", StringComparison.OrdinalIgnoreCase))
            {
                actions |= AccessActions.Read;
            }
            else if (part.Equals("write", StringComparison.OrdinalIgnoreCase))
            {
                actions |= AccessActions.Write;
            }
            else if (part.Equals("admin", StringComparison.OrdinalIgnoreCase))
            {
                actions |= AccessActions.Admin;
            }
            else
            {
                actions = AccessActions.None;
                return false;
            }
        }

        return actions != AccessActions.None;
    }
}
