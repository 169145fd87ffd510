using System.Security.Cryptography;
using System.Text;

namespace KafkaKinesisBridge.Core.Topics;

/// <summary>
/// Maps stream names to Kafka topic names: <c>prefix + escape(name)</c>.
/// </summary>
/// <remarks>
/// <para>Stream names are <c>[a-zA-Z0-9_.-]{1,128}</c>; Kafka topic names are <c>[a-zA-Z0-9._-]{1,249}</c>,
/// but Kafka treats '.' and '_' as colliding (metrics names replace '.' with '_'), so two streams
/// "a.b" and "a_b" must not map to topics that differ only there. The escape never emits '_':</para>
/// <list type="bullet">
/// <item>letters, digits and '.' are kept;</item>
/// <item>'-' becomes "--";</item>
/// <item>'_' becomes "-u".</item>
/// </list>
/// <para>Read left to right, every '-' in the output starts a two-character pair, so the escape is
/// injective (prefix-free code) and distinct names give distinct topics.</para>
/// <para>If prefix + escape exceeds Kafka's 249-character limit (a 128-character name of '-' and '_'
/// escapes to 256), the escape is cut at a pair boundary and "-h" plus 16 hex digits of the name's
/// SHA-256 is appended. "-h" never occurs in an uncut escape, so a cut name cannot equal an uncut one;
/// two cut names collide only if their hashes do, and the catalog still refuses to give a topic name
/// that is in use to another stream.</para>
/// </remarks>
internal static class TopicNames
{
    /// <summary>Kafka's limit on topic name length.</summary>
    public const int MaxTopicLength = 249;

    private const int HashSuffixLength = 2 + 16;

    public static string ForStream(string prefix, string streamName)
    {
        var builder = new StringBuilder(prefix.Length + (streamName.Length * 2));
        builder.Append(prefix);
        var cutAt = MaxTopicLength - HashSuffixLength;
        var lastBoundaryBeforeCut = -1;
        foreach (var c in streamName)
        {
            if (builder.Length <= cutAt)
            {
                lastBoundaryBeforeCut = builder.Length;
            }

            switch (c)
            {
                case '-':
                    builder.Append("--");
                    break;
                case '_':
                    builder.Append("-u");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        if (builder.Length <= MaxTopicLength)
        {
            return builder.ToString();
        }

        // Cut at the last pair boundary that leaves room for the suffix.
        builder.Length = Math.Max(lastBoundaryBeforeCut, prefix.Length);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(streamName), hash);
        builder.Append("-h");
        builder.Append(Convert.ToHexStringLower(hash[..8]));
        return builder.ToString();
    }
}
