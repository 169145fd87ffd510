namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>Kafka's topic name rules (org.apache.kafka.common.internals.Topic.validate).</summary>
internal static class TopicNameRules
{
    public const int MaxLength = 249;

    /// <summary>1 to 249 characters of <c>[a-zA-Z0-9._-]</c>, and neither "." nor "..".</summary>
    public static bool IsValid(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Length > MaxLength || topic is "." or "..")
        {
            return false;
        }

        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
