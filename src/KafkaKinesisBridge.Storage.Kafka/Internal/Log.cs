using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>Log messages of the Kafka backend, with fixed event ids (2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Kafka producer error {Code}: {Reason} ({Suppressed} like it not logged since the last)")]
    public static partial void ProducerError(ILogger logger, string code, string reason, int suppressed);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Critical, Message = "Kafka producer fatal error {Code}: {Reason}; the producer is replaced")]
    public static partial void ProducerFatal(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Kafka consumer error {Code}: {Reason} ({Suppressed} like it not logged since the last)")]
    public static partial void ConsumerError(ILogger logger, string code, string reason, int suppressed);

    [LoggerMessage(EventId = 2003, Message = "librdkafka {Client} [{Facility}] {Text} ({Suppressed} like it not logged since the last)")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string client, string facility, string text, int suppressed);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Kafka {Operation} failed with {Status}; retry {Attempt} in {Delay} ({Suppressed} like it not logged since the last)")]
    public static partial void AdminRetry(ILogger logger, string operation, string status, int attempt, TimeSpan delay, int suppressed);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions, retention {Retention}")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions, string retention);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "Deleted topic {Topic}")]
    public static partial void TopicDeleted(ILogger logger, string topic);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Topic {Topic} grown to {Partitions} partitions")]
    public static partial void PartitionsAdded(ILogger logger, string topic, int partitions);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Topic {Topic} retention set to {Retention}")]
    public static partial void RetentionSet(ILogger logger, string topic, string retention);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "{Count} records were not acknowledged within {Timeout} when the Kafka store closed")]
    public static partial void FlushIncomplete(ILogger logger, int count, TimeSpan timeout);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Read of {Topic}[{Partition}] at {Expected} received offset {Actual}; the consumer is repositioned")]
    public static partial void ReadOffsetMovedBack(ILogger logger, string topic, int partition, long expected, long actual);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Kafka {Operation} on {Topic} failed: {Code} {Reason}")]
    public static partial void OperationFailed(ILogger logger, string operation, string topic, string code, string reason);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Debug, Message = "Closed {Count} idle read consumers")]
    public static partial void IdleConsumersClosed(ILogger logger, int count);

    [LoggerMessage(EventId = 2013, Message = "Mock cluster [{Facility}] {Text}")]
    public static partial void MockClusterLog(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Read of {Topic}[{Partition}] failed: {Code} {Reason}")]
    public static partial void ReadFailed(ILogger logger, string topic, int partition, string code, string reason);
}
