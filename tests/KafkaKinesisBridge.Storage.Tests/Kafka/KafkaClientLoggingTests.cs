using System.Collections.Concurrent;
using System.Globalization;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka.Internal;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.Logging;
using static KafkaKinesisBridge.Storage.Tests.Kafka.KafkaMockStore;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>What the store logs while Kafka is down: the first report of each kind and a count, not one line per reconnect.</summary>
public sealed class KafkaClientLoggingTests
{
    [Fact]
    public async Task ClientErrors_BrokerDown_EachKindLoggedOncePerInterval()
    {
        var logs = new RecordingLoggerFactory();
        await using var mock = Start(o => o.DeliveryTimeout = TimeSpan.FromSeconds(2), loggerFactory: logs);
        var topic = await mock.CreateTopicAsync(partitions: 3);
        for (var p = 0; p < 3; p++)
        {
            Assert.Equal(StorageStatus.Ok, (await mock.AppendAsync(topic, p, Records("warm", 0, 2))).Status);
        }

        // Several clients: the producer, the admin client and read consumers.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(p => mock.ReadValuesAsync(topic, p, 0, 2)));
        mock.Cluster.SetBrokerDown();

        // Every client reconnects with backoff (100 ms, doubling to 2 s) while the append waits out its
        // 2 s delivery timeout: about five failed connects per client.
        var (status, _) = await mock.AppendAsync(topic, 0, Records("lost", 0, 1));

        Assert.Equal(StorageStatus.Unavailable, status);
        var lines = logs.Lines.Where(l => l.Level >= LogLevel.Warning).ToList();
        Assert.Contains(lines, l => l.Text.Contains("Local_Transport", StringComparison.Ordinal) || l.Text.Contains("Connect to", StringComparison.Ordinal));
        var repeated = lines.GroupBy(l => l.Kind).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(repeated.Count == 0, "logged more than once within the interval: " + string.Join(", ", repeated));
    }

    [Fact]
    public void TryEnter_WithinInterval_SuppressesAndCountsThenReports()
    {
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var log = new LibrdkafkaLogging(new RecordingLoggerFactory().CreateLogger("test"), clock);

        Assert.True(log.TryEnter("consumer:Local_Transport", out var first));
        Assert.False(log.TryEnter("consumer:Local_Transport", out _));
        Assert.False(log.TryEnter("consumer:Local_Transport", out _));
        Assert.True(log.TryEnter("producer:Local_Transport", out _));
        clock.Advance(LibrdkafkaLogging.Interval);
        Assert.True(log.TryEnter("consumer:Local_Transport", out var later));

        Assert.Equal(0, first);
        Assert.Equal(2, later);
    }

    private sealed record Line(LogLevel Level, string Kind, string Text);

    /// <summary>Keeps every line with its kind: event id plus error code, or librdkafka facility and level.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<Line> _lines = new();

        public IReadOnlyCollection<Line> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            string Value(string name) => Convert.ToString(values.FirstOrDefault(v => v.Key == name).Value, CultureInfo.InvariantCulture) ?? "";
            var kind = $"{eventId.Id}:{Value("Code")}:{Value("Facility")}:{Value("Operation")}:{logLevel}";
            _lines.Enqueue(new Line(logLevel, kind, formatter(state, exception)));
        }

        public void Dispose()
        {
        }
    }
}
