using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;

/// <summary>One captured log event.</summary>
public sealed record LogEvent(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every log event so tests can assert on what the server logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    /// <summary>Events so far, oldest first.</summary>
    public IReadOnlyList<LogEvent> Events => [.. _events];

    /// <summary>Events with the given event id.</summary>
    public IReadOnlyList<LogEvent> WithId(int eventId) => [.. _events.Where(e => e.EventId.Id == eventId)];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._events.Enqueue(new LogEvent(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
