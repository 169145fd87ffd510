using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Validation;

/// <summary>
/// The Kinesis errors the core raises, with Kinesis' messages (as observed from the service and
/// recorded by kinesalite's conformance tests). Throw helpers are <see cref="DoesNotReturnAttribute"/>
/// so callers stay small and the JIT keeps the throw off the hot path.
/// </summary>
internal static class Errors
{
    [DoesNotReturn]
    public static void Throw(KinesisErrorCode code, string message) => throw new KinesisException(code, message);

    [DoesNotReturn]
    public static void InvalidArgument(string message) => throw new KinesisException(KinesisErrorCode.InvalidArgument, message);

    [DoesNotReturn]
    public static void StreamNotFound(string streamName, string accountId) =>
        throw new KinesisException(KinesisErrorCode.ResourceNotFound, $"Stream {streamName} under account {accountId} not found.");

    [DoesNotReturn]
    public static void StreamExists(string streamName, string accountId) =>
        throw new KinesisException(KinesisErrorCode.ResourceInUse, $"Stream {streamName} under account {accountId} already exists.");

    [DoesNotReturn]
    public static void StreamNotActive(string streamName, string accountId, StreamStatus status) =>
        throw new KinesisException(
            KinesisErrorCode.ResourceInUse,
            $"Stream {streamName} under account {accountId} not ACTIVE, instead in state {status.ToWireName()}");

    [DoesNotReturn]
    public static void ShardNotFound(int shardIndex, string streamName, string accountId) =>
        throw new KinesisException(
            KinesisErrorCode.ResourceNotFound,
            $"Shard {ShardIds.Format(shardIndex)} in stream {streamName} under account {accountId} does not exist");

    [DoesNotReturn]
    public static void CouldNotFindShard(string shardId, string streamName, string accountId) =>
        throw new KinesisException(
            KinesisErrorCode.ResourceNotFound,
            $"Could not find shard {shardId} in stream {streamName} under account {accountId}.");

    public static string RateExceededMessage(int shardIndex, string streamName, string accountId) =>
        $"Rate exceeded for shard {ShardIds.Format(shardIndex)} in stream {streamName} under account {accountId}.";

    [DoesNotReturn]
    public static void RateExceeded(int shardIndex, string streamName, string accountId) =>
        throw new KinesisException(KinesisErrorCode.ProvisionedThroughputExceeded, RateExceededMessage(shardIndex, streamName, accountId));

    [DoesNotReturn]
    public static void InvalidShardIterator() =>
        throw new KinesisException(KinesisErrorCode.InvalidArgument, "Invalid ShardIterator.");

    [DoesNotReturn]
    public static void ExpiredIterator(DateTimeOffset issuedAt, DateTimeOffset now, TimeSpan ttl) =>
        throw new KinesisException(
            KinesisErrorCode.ExpiredIterator,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Iterator expired. The iterator was created at time {JavaDate(issuedAt)} while right now it is {JavaDate(now)} which is further in the future than the tolerated delay of {(long)ttl.TotalMilliseconds} milliseconds."));

    [DoesNotReturn]
    public static void NotReady() =>
        throw new KinesisException(KinesisErrorCode.ServiceUnavailable, "The service is starting; try again shortly.");

    /// <summary>
    /// Maps a storage failure to the Kinesis error a client sees. A missing topic or partition means the
    /// stream or shard is gone (deleted by another replica): ResourceNotFoundException. Unavailable
    /// storage is ServiceUnavailableException (HTTP 503, retried by every AWS SDK); a timeout, whose
    /// outcome is unknown, and any other failure are InternalFailureException (HTTP 500, also retried).
    /// A record over the backend's size limit, or an operation the backend cannot do, fails the same way
    /// every time: InvalidArgumentException (HTTP 400, not retried), so SDKs do not retry it in vain.
    /// </summary>
    [DoesNotReturn]
    public static void Storage(StorageStatus status, string streamName, string accountId, string operation) =>
        throw FromStorage(status, streamName, accountId, operation);

    public static KinesisException FromStorage(StorageStatus status, string streamName, string accountId, string operation) => status switch
    {
        StorageStatus.TopicNotFound or StorageStatus.PartitionNotFound =>
            new KinesisException(KinesisErrorCode.ResourceNotFound, $"Stream {streamName} under account {accountId} not found."),
        StorageStatus.Unavailable =>
            new KinesisException(KinesisErrorCode.ServiceUnavailable, $"{operation} failed: storage is unavailable."),
        StorageStatus.Timeout =>
            new KinesisException(KinesisErrorCode.InternalFailure, $"{operation} timed out in storage; it may or may not have taken effect."),
        StorageStatus.RecordTooLarge =>
            new KinesisException(KinesisErrorCode.InvalidArgument, $"{operation} failed: the record exceeds the size the storage accepts."),
        StorageStatus.NotSupported =>
            new KinesisException(KinesisErrorCode.InvalidArgument, $"{operation} is not supported by this gateway's storage backend."),
        _ => new KinesisException(KinesisErrorCode.InternalFailure, $"{operation} failed in storage ({status})."),
    };

    /// <summary>Formats a time like java.util.Date#toString in UTC: "Thu Jan 22 01:22:02 UTC 2015".</summary>
    public static string JavaDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd MMM dd HH:mm:ss 'UTC' yyyy", CultureInfo.InvariantCulture);
}
