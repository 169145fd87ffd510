using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// Writes the gateway's log lines (the levels the configuration lets through: warnings and errors in
/// tests) to the output of the test that is running, so a failure shows what the server said.
/// </summary>
internal sealed class TestOutputLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class OutputLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var output = TestContext.Current.TestOutputHelper;
            if (output is null)
            {
                return;
            }

            try
            {
                output.WriteLine($"[gateway {logLevel} {category}] {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a background loop logging during shutdown).
            }
        }
    }
}
