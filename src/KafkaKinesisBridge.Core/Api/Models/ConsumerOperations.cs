using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Core.Api;

// Enhanced fan-out: stream consumers and SubscribeToShard (Kinesis API reference:
// RegisterStreamConsumer, DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
// SubscribeToShard, and the data types Consumer, ConsumerDescription, StartingPosition,
// SubscribeToShardEvent).

/// <summary>Kinesis <c>ConsumerStatus</c>.</summary>
public enum ConsumerStatus
{
    /// <summary>Registered; not yet usable by SubscribeToShard.</summary>
    Creating = 1,

    /// <summary>Being deregistered.</summary>
    Deleting = 2,

    /// <summary>Usable by SubscribeToShard.</summary>
    Active = 3,
}

/// <summary>Wire names of <see cref="ConsumerStatus"/>.</summary>
public static class ConsumerStatusNames
{
    /// <summary>"CREATING", "DELETING" or "ACTIVE".</summary>
    public static string ToWireName(this ConsumerStatus value) => value switch
    {
        ConsumerStatus.Creating => "CREATING",
        ConsumerStatus.Deleting => "DELETING",
        ConsumerStatus.Active => "ACTIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };
}

/// <summary>Kinesis <c>Consumer</c> (RegisterStreamConsumer, ListStreamConsumers).</summary>
public sealed class Consumer
{
    /// <summary>The consumer name, 1 to 128 characters of <c>[a-zA-Z0-9_.-]</c>.</summary>
    public required string ConsumerName { get; init; }

    /// <summary><c>{stream ARN}/consumer/{name}:{creation epoch seconds}</c>.</summary>
    public required string ConsumerARN { get; init; }

    /// <summary>The consumer's state.</summary>
    public required ConsumerStatus ConsumerStatus { get; init; }

    /// <summary>When the consumer was registered.</summary>
    public required DateTimeOffset ConsumerCreationTimestamp { get; init; }
}

/// <summary>Kinesis <c>ConsumerDescription</c> (DescribeStreamConsumer): a consumer and its stream.</summary>
public sealed class ConsumerDescription
{
    /// <summary>The consumer name.</summary>
    public required string ConsumerName { get; init; }

    /// <summary>The consumer ARN.</summary>
    public required string ConsumerARN { get; init; }

    /// <summary>The consumer's state.</summary>
    public required ConsumerStatus ConsumerStatus { get; init; }

    /// <summary>When the consumer was registered.</summary>
    public required DateTimeOffset ConsumerCreationTimestamp { get; init; }

    /// <summary>The ARN of the stream the consumer is registered with.</summary>
    public required string StreamARN { get; init; }
}

/// <summary>RegisterStreamConsumer input.</summary>
public sealed class RegisterStreamConsumerRequest
{
    /// <summary>Required (Kinesis names the stream only by ARN here).</summary>
    public string? StreamARN { get; init; }

    /// <summary>Required: 1 to 128 characters of <c>[a-zA-Z0-9_.-]</c>, unique within the stream.</summary>
    public string? ConsumerName { get; init; }

    /// <summary>Optional tags (accepted and validated; not stored: the gateway tags streams only).</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

/// <summary>RegisterStreamConsumer output: the consumer, in state CREATING.</summary>
/// <param name="Consumer">The new consumer.</param>
public sealed record RegisterStreamConsumerResponse(Consumer Consumer);

/// <summary>
/// DeregisterStreamConsumer and DescribeStreamConsumer input: either <see cref="ConsumerARN"/>, or
/// <see cref="StreamARN"/> and <see cref="ConsumerName"/> (Kinesis API reference).
/// </summary>
public sealed class StreamConsumerRequest
{
    /// <summary>The stream ARN (with <see cref="ConsumerName"/>).</summary>
    public string? StreamARN { get; init; }

    /// <summary>The consumer name (with <see cref="StreamARN"/>).</summary>
    public string? ConsumerName { get; init; }

    /// <summary>The consumer ARN (alone, or matching the other two).</summary>
    public string? ConsumerARN { get; init; }
}

/// <summary>DescribeStreamConsumer output.</summary>
/// <param name="ConsumerDescription">The consumer.</param>
public sealed record DescribeStreamConsumerResponse(ConsumerDescription ConsumerDescription);

/// <summary>ListStreamConsumers input.</summary>
public sealed class ListStreamConsumersRequest
{
    /// <summary>Required unless <see cref="NextToken"/> is given.</summary>
    public string? StreamARN { get; init; }

    /// <summary>A token from a previous page (then StreamCreationTimestamp must be absent, as in Kinesis).</summary>
    public string? NextToken { get; init; }

    /// <summary>1 to 10000; default 100.</summary>
    public int? MaxResults { get; init; }

    /// <summary>Optional: tells streams of the same name apart; must match the stream's creation time.</summary>
    public DateTimeOffset? StreamCreationTimestamp { get; init; }
}

/// <summary>ListStreamConsumers output.</summary>
/// <param name="Consumers">The consumers of this page, in registration order.</param>
/// <param name="NextToken">The token for the next page; null on the last page.</param>
public sealed record ListStreamConsumersResponse(IReadOnlyList<Consumer> Consumers, string? NextToken);

/// <summary>Kinesis <c>StartingPosition</c> (SubscribeToShard).</summary>
public sealed class StartingPosition
{
    /// <summary>Required: the same five types as a shard iterator.</summary>
    public ShardIteratorType? Type { get; init; }

    /// <summary>Required for AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER; not allowed otherwise.</summary>
    public string? SequenceNumber { get; init; }

    /// <summary>Required for AT_TIMESTAMP; not allowed otherwise.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>SubscribeToShard input.</summary>
public sealed class SubscribeToShardRequest
{
    /// <summary>Required: an ACTIVE consumer's ARN.</summary>
    public string? ConsumerARN { get; init; }

    /// <summary>Required: the shard id.</summary>
    public string? ShardId { get; init; }

    /// <summary>Required: where the subscription starts.</summary>
    public StartingPosition? StartingPosition { get; init; }
}

/// <summary>
/// One Kinesis <c>SubscribeToShardEvent</c>. Its records point into storage memory (the same views
/// GetRecords returns): serialize the event, then dispose it.
/// </summary>
/// <remarks>
/// <para><see cref="ContinuationSequenceNumber"/> is a position, not a record: resubscribing with
/// AFTER_SEQUENCE_NUMBER and it continues exactly after the last record delivered (also when no
/// record was delivered yet). <see cref="ChildShards"/> is set, and the enumeration then ends,
/// when the subscription reached the end of a closed shard.</para>
/// </remarks>
public sealed class SubscribeToShardEvent : IDisposable
{
    private ReadResult? _read;

    internal SubscribeToShardEvent(
        ReadResult? read,
        StreamRecordList records,
        SequenceNumber? continuationSequenceNumber,
        long millisBehindLatest,
        IReadOnlyList<ChildShard>? childShards)
    {
        _read = read;
        Records = records;
        ContinuationSequenceNumber = continuationSequenceNumber;
        MillisBehindLatest = millisBehindLatest;
        ChildShards = childShards;
    }

    /// <summary>The records, in sequence order (may be empty). Invalid after <see cref="Dispose"/>.</summary>
    public StreamRecordList Records { get; }

    /// <summary>
    /// Resume here with AFTER_SEQUENCE_NUMBER to continue without skipping or repeating; null at the
    /// end of a closed shard (the event that carries <see cref="ChildShards"/>), as Kinesis sends it:
    /// the KCL takes a null continuation as "shard end".
    /// </summary>
    public SequenceNumber? ContinuationSequenceNumber { get; }

    /// <summary>How far behind the tip of the shard this event is, in milliseconds; 0 when caught up.</summary>
    public long MillisBehindLatest { get; }

    /// <summary>The shard's children at the end of a closed shard; otherwise null.</summary>
    public IReadOnlyList<ChildShard>? ChildShards { get; }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _read, null)?.Dispose();
}

/// <summary>
/// An open SubscribeToShard subscription: enumerate <see cref="Events"/> once, serializing and
/// disposing each event; dispose the subscription when the client goes away.
/// </summary>
/// <remarks>
/// <para>The enumeration ends normally when the subscription's lifetime (5 minutes, as Kinesis) is
/// over or the end of a closed shard was delivered (with ChildShards); it ends with a
/// <see cref="KinesisException"/> when something fails later (ResourceInUseException when another
/// SubscribeToShard for the same consumer and shard took over, ResourceNotFoundException when the
/// consumer or stream went away, InternalFailure for storage). Errors found before the first event
/// are thrown by <see cref="IStreamsService.SubscribeToShardAsync"/> itself.</para>
/// <para>Memory is bounded: events wait in a small bounded queue; a subscriber that reads slowly
/// makes the engine read slowly, never buffer more.</para>
/// </remarks>
public sealed class ShardSubscription : IAsyncDisposable
{
    private readonly ChannelReader<SubscribeToShardEvent> _events;
    private readonly Func<ValueTask> _dispose;
    private int _disposed;

    internal ShardSubscription(string consumerARN, string shardId, ChannelReader<SubscribeToShardEvent> events, Func<ValueTask> dispose)
    {
        ConsumerARN = consumerARN;
        ShardId = shardId;
        _events = events;
        _dispose = dispose;
    }

    /// <summary>The consumer subscribed.</summary>
    public string ConsumerARN { get; }

    /// <summary>The shard subscribed to.</summary>
    public string ShardId { get; }

    /// <summary>The events, as they are read. Throws <see cref="KinesisException"/> for a later failure.</summary>
    public IAsyncEnumerable<SubscribeToShardEvent> Events => ReadAllAsync(CancellationToken.None);

    /// <summary>Events read ahead and waiting for the client (tests: never more than the queue capacity).</summary>
    internal int BufferedEvents => _events.CanCount ? _events.Count : 0;

    /// <summary>The events, ending early when <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<SubscribeToShardEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _events.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException closed) when (closed.InnerException is KinesisException error)
            {
                // The engine completes the queue with the Kinesis error the client must see.
                ExceptionDispatchInfo.Throw(error);
                throw;
            }

            if (!more)
            {
                yield break;
            }

            while (_events.TryRead(out var item))
            {
                yield return item;
            }
        }
    }

    /// <summary>Stops the subscription and releases the events not yet read.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _dispose().ConfigureAwait(false);
        while (_events.TryRead(out var pending))
        {
            pending.Dispose();
        }
    }
}
