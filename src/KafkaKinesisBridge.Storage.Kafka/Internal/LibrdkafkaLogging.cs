using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>
/// What the store's Kafka clients report (error events, librdkafka log lines, admin retries), logged
/// through one <see cref="ILogger"/> without flooding it: each kind of report (client and error code,
/// or librdkafka facility and level) is written at most once per <see cref="Interval"/>, with the
/// number of like reports left out since.
/// </summary>
/// <remarks>
/// While the brokers are down, librdkafka reports every failed connection attempt of every client:
/// the producer, the admin client and each pooled read consumer, each reconnecting every
/// <c>reconnect.backoff.max.ms</c> (2 s). Unthrottled that was about 20 warning lines a second for a
/// gateway with a few consumers; an operator needs the first line and a count, not the stream.
/// </remarks>
internal sealed class LibrdkafkaLogging(ILogger logger, TimeProvider timeProvider)
{
    /// <summary>At most one line per kind of report in this time.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public ILogger Logger => logger;

    /// <summary>A non-fatal error event of a client (rd_kafka_conf_set_error_cb); all are transient in librdkafka.</summary>
    public void ClientError(string client, Error error)
    {
        if (logger.IsEnabled(LogLevel.Warning) && TryEnter(client + ":" + error.Code, out var suppressed))
        {
            if (client == "producer")
            {
                Log.ProducerError(logger, error.Code.ToString(), error.Reason, suppressed);
            }
            else
            {
                Log.ConsumerError(logger, error.Code.ToString(), error.Reason, suppressed);
            }
        }
    }

    /// <summary>A retry of an admin or offset operation.</summary>
    public void AdminRetry(string operation, string status, int attempt, TimeSpan delay)
    {
        if (logger.IsEnabled(LogLevel.Warning) && TryEnter("retry:" + operation + ":" + status, out var suppressed))
        {
            Log.AdminRetry(logger, operation, status, attempt, delay, suppressed);
        }
    }

    /// <summary>Routes a librdkafka log line (SetLogHandler).</summary>
    public void Forward(LogMessage message)
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
        if (!logger.IsEnabled(level))
        {
            return;
        }

        // Debug lines are asked for explicitly (debug contexts); the rest repeat per connection attempt.
        var suppressed = 0;
        if (level >= LogLevel.Information && !TryEnter("log:" + message.Facility + ":" + message.Level, out suppressed))
        {
            return;
        }

        Log.Librdkafka(logger, level, message.Name, message.Facility, message.Message, suppressed);
    }

    /// <summary>True when a line of this kind may be written now; <paramref name="suppressed"/>: like lines left out since the last.</summary>
    internal bool TryEnter(string kind, out int suppressed)
    {
        var window = _windows.GetOrAdd(kind, static _ => new Window());
        lock (window)
        {
            var now = timeProvider.GetTimestamp();
            if (window.Written && timeProvider.GetElapsedTime(window.Start, now) < Interval)
            {
                window.Suppressed++;
                suppressed = 0;
                return false;
            }

            window.Written = true;
            window.Start = now;
            suppressed = window.Suppressed;
            window.Suppressed = 0;
            return true;
        }
    }

    private sealed class Window
    {
        public bool Written;
        public long Start;
        public int Suppressed;
    }
}
