namespace KafkaKinesisBridge.Firehose;

/// <summary>Options of the Firehose delivery streams (configuration section <c>Firehose</c>).</summary>
public sealed class FirehoseOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Firehose";

    /// <summary>Default <see cref="TopicPrefix"/>.</summary>
    public const string DefaultTopicPrefix = "firehose.";

    /// <summary>
    /// Default <see cref="MaxDeliveryStreams"/>: Firehose's default quota, 5,000 delivery streams per
    /// account and region (Developer Guide, "Amazon Data Firehose Quota").
    /// </summary>
    public const int DefaultMaxDeliveryStreams = 5000;

    /// <summary>Default <see cref="DirectPutPartitions"/>.</summary>
    public const int DefaultDirectPutPartitions = 4;

    /// <summary>Prefix of the DirectPut log topics: topic = prefix + escaped name + "." + incarnation.</summary>
    public string TopicPrefix { get; set; } = DefaultTopicPrefix;

    /// <summary>Delivery streams a gateway holds at most (LimitExceededException beyond).</summary>
    public int MaxDeliveryStreams { get; set; } = DefaultMaxDeliveryStreams;

    /// <summary>
    /// Partitions of a DirectPut log topic: how many sink workers (consumer-group members) can share
    /// one delivery stream.
    /// </summary>
    public int DirectPutPartitions { get; set; } = DefaultDirectPutPartitions;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is invalid.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(TopicPrefix) || TopicPrefix.Length > 100 || !TopicPrefix.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw new ArgumentException($"Firehose:TopicPrefix '{TopicPrefix}' must be 1 to 100 of [a-zA-Z0-9._-].", nameof(TopicPrefix));
        }

        if (MaxDeliveryStreams < 1)
        {
            throw new ArgumentException($"Firehose:MaxDeliveryStreams must be positive, not {MaxDeliveryStreams}.", nameof(MaxDeliveryStreams));
        }

        if (DirectPutPartitions is < 1 or > 1024)
        {
            throw new ArgumentException($"Firehose:DirectPutPartitions must be 1 to 1024, not {DirectPutPartitions}.", nameof(DirectPutPartitions));
        }
    }
}
