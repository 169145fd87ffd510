using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using KafkaKinesisBridge.Storage.Kafka.Internal;
using KafkaKinesisBridge.Storage.Kafka.Internal.Admin;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>
/// The retry policy of admin and metadata calls (Polly): retriable statuses (timeout, unavailable)
/// are retried with backoff up to AdminRetries times; other outcomes return at once.
/// </summary>
public sealed class AdminRetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AdminRetry Create(int retries) =>
        new(new KafkaStorageOptions { AdminRetries = retries, AdminRetryBackoff = TimeSpan.FromMilliseconds(1) }, TimeProvider.System, new LibrdkafkaLogging(NullLogger.Instance, TimeProvider.System));

    [Fact]
    public async Task RunAsync_RetriableTwiceThenOk_ReturnsOkAfterThreeAttempts()
    {
        var outcomes = new Queue<StorageStatus>([StorageStatus.Unavailable, StorageStatus.Timeout, StorageStatus.Ok]);
        var attempts = 0;

        var status = await Create(retries: 3).RunAsync("Test", _ =>
        {
            attempts++;
            return ValueTask.FromResult(outcomes.Dequeue());
        }, Ct);

        Assert.Equal(StorageStatus.Ok, status);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task RunAsync_AlwaysRetriable_GivesUpAfterTheConfiguredRetries()
    {
        var attempts = 0;

        var status = await Create(retries: 2).RunAsync("Test", _ =>
        {
            attempts++;
            return ValueTask.FromResult(StorageStatus.Unavailable);
        }, Ct);

        Assert.Equal(StorageStatus.Unavailable, status);
        Assert.Equal(3, attempts);
    }

    [Theory]
    [InlineData(StorageStatus.TopicNotFound)]
    [InlineData(StorageStatus.InvalidArgument)]
    [InlineData(StorageStatus.Failed)]
    public async Task RunAsync_NotRetriable_ReturnsAfterOneAttempt(StorageStatus outcome)
    {
        var attempts = 0;

        var status = await Create(retries: 3).RunAsync("Test", _ =>
        {
            attempts++;
            return ValueTask.FromResult(outcome);
        }, Ct);

        Assert.Equal(outcome, status);
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task RunAsync_NoRetriesConfigured_SingleAttempt()
    {
        var attempts = 0;

        var result = await Create(retries: 0).RunAsync("Test", _ =>
        {
            attempts++;
            return ValueTask.FromResult(new OffsetQueryResult(StorageStatus.Timeout, -1));
        }, Ct);

        Assert.Equal(StorageStatus.Timeout, result.Status);
        Assert.Equal(1, attempts);
    }
}
