using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>Routes librdkafka's log lines (SetLogHandler) to an <see cref="ILogger"/>.</summary>
internal static class LibrdkafkaLogging
{
    public static void Forward(ILogger logger, LogMessage message)
    {
        // librdkafka logs connection churn at notice and info; keep info out of the default level.
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(level))
        {
            Log.Librdkafka(logger, level, message.Name, message.Facility, message.Message);
        }
    }
}
