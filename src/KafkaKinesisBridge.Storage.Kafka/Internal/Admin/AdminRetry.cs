using KafkaKinesisBridge.Core.Storage;
using Polly;
using Polly.Retry;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Admin;

/// <summary>
/// Retries admin and offset operations whose result is retriable (Timeout, Unavailable: leader
/// elections, a controller moving, brokers restarting), with exponential backoff and jitter.
/// </summary>
internal sealed class AdminRetry(KafkaStorageOptions options, TimeProvider timeProvider, LibrdkafkaLogging logger)
{
    private readonly ResiliencePipeline<StorageStatus> _status = Build<StorageStatus>(options, timeProvider, logger, static s => s);
    private readonly ResiliencePipeline<PartitionCountResult> _partitions = Build<PartitionCountResult>(options, timeProvider, logger, static r => r.Status);
    private readonly ResiliencePipeline<RetentionResult> _retention = Build<RetentionResult>(options, timeProvider, logger, static r => r.Status);
    private readonly ResiliencePipeline<TopicListResult> _topics = Build<TopicListResult>(options, timeProvider, logger, static r => r.Status);
    private readonly ResiliencePipeline<OffsetQueryResult> _offset = Build<OffsetQueryResult>(options, timeProvider, logger, static r => r.Status);

    public ValueTask<StorageStatus> RunAsync(string operation, Func<CancellationToken, ValueTask<StorageStatus>> action, CancellationToken cancellationToken) =>
        Run(_status, operation, action, cancellationToken);

    public ValueTask<PartitionCountResult> RunAsync(string operation, Func<CancellationToken, ValueTask<PartitionCountResult>> action, CancellationToken cancellationToken) =>
        Run(_partitions, operation, action, cancellationToken);

    public ValueTask<RetentionResult> RunAsync(string operation, Func<CancellationToken, ValueTask<RetentionResult>> action, CancellationToken cancellationToken) =>
        Run(_retention, operation, action, cancellationToken);

    public ValueTask<TopicListResult> RunAsync(string operation, Func<CancellationToken, ValueTask<TopicListResult>> action, CancellationToken cancellationToken) =>
        Run(_topics, operation, action, cancellationToken);

    public ValueTask<OffsetQueryResult> RunAsync(string operation, Func<CancellationToken, ValueTask<OffsetQueryResult>> action, CancellationToken cancellationToken) =>
        Run(_offset, operation, action, cancellationToken);

    private static ValueTask<T> Run<T>(ResiliencePipeline<T> pipeline, string operation, Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        return RunAsync(pipeline, context, action);

        static async ValueTask<T> RunAsync(ResiliencePipeline<T> pipeline, ResilienceContext context, Func<CancellationToken, ValueTask<T>> action)
        {
            try
            {
                return await pipeline.ExecuteAsync(static (context, action) => action(context.CancellationToken), context, action);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private static ResiliencePipeline<T> Build<T>(KafkaStorageOptions options, TimeProvider timeProvider, LibrdkafkaLogging logger, Func<T, StorageStatus> statusOf)
    {
        var builder = new ResiliencePipelineBuilder<T> { TimeProvider = timeProvider };
        if (options.AdminRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<T>
            {
                MaxRetryAttempts = options.AdminRetries,
                Delay = options.AdminRetryBackoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is null && statusOf(args.Outcome.Result!).IsRetriable()),
                OnRetry = args =>
                {
                    logger.AdminRetry(
                        args.Context.OperationKey ?? "operation",
                        statusOf(args.Outcome.Result!).ToString(),
                        args.AttemptNumber + 1,
                        args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.Build();
    }
}
