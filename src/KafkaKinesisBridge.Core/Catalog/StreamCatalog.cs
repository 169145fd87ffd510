using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Core.Catalog;

/// <summary>
/// The stream catalog shared by all gateway replicas: a replicated state machine over one partition of
/// an <see cref="ILogStore"/> topic (see README.md, "Stream catalog"). Proposers append a command and
/// then read the log up to their command to learn whether it was accepted; every replica tails the log.
/// </summary>
internal sealed class StreamCatalog
{
    private const int ReadBatchRecords = 500;
    private const int ReadBatchBytes = 8 * 1024 * 1024;

    private readonly ILogStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _readGate = new(1, 1);
    private readonly CatalogState _state = new();
    private readonly ConcurrentDictionary<string, Proposal> _pending = new(StringComparer.Ordinal);
    private readonly Action<string, CatalogStream?, long> _onStreamChanged;
    private readonly object _refreshLock = new();
    private Task? _sharedRefresh;
    private long _nextOffset;
    private long _freshAt = long.MinValue;

    /// <param name="store">The storage holding the catalog topic.</param>
    /// <param name="topic">The catalog topic.</param>
    /// <param name="time">The clock (record timestamps).</param>
    /// <param name="logger">Logger.</param>
    /// <param name="onStreamChanged">
    /// Called in log order, one at a time, for each accepted change (null value: removed), with the
    /// <see cref="Stopwatch"/> time up to which the version it replaces is known to have been current.
    /// </param>
    public StreamCatalog(ILogStore store, string topic, TimeProvider time, ILogger logger, Action<string, CatalogStream?, long> onStreamChanged)
    {
        _store = store;
        Topic = topic;
        _time = time;
        _logger = logger;
        _onStreamChanged = onStreamChanged;
    }

    public string Topic { get; }

    /// <summary>The next log offset to apply: everything before it is applied.</summary>
    public long AppliedOffset => Volatile.Read(ref _nextOffset);

    /// <summary>
    /// <see cref="Stopwatch"/> time of the latest confirmed read: every command appended to the catalog
    /// before that moment is applied. The write fence of resharding measures from it.
    /// </summary>
    public long FreshAt => Volatile.Read(ref _freshAt);

    /// <summary>The shared signing key once one was accepted.</summary>
    public byte[]? SigningKey { get; private set; }

    /// <summary>
    /// A snapshot of the documents of <paramref name="collection"/> as applied so far (call
    /// <see cref="RefreshAsync"/> first to see other replicas' changes).
    /// </summary>
    public async ValueTask<IReadOnlyList<CatalogDocument>> GetDocumentsAsync(string collection, CancellationToken cancellationToken)
    {
        // The state is mutated under the read gate; a snapshot under it is consistent.
        await _readGate.WaitAsync(cancellationToken);
        try
        {
            return [.. _state.Documents.Values.Where(d => string.Equals(d.Collection, collection, StringComparison.Ordinal))];
        }
        finally
        {
            _readGate.Release();
        }
    }

    /// <summary>Creates the catalog topic (one partition, kept for ever) unless it exists.</summary>
    public async ValueTask<StorageStatus> EnsureTopicAsync(CancellationToken cancellationToken)
    {
        var status = await _store.CreateTopicAsync(new TopicSpec(Topic, 1, Timeout.InfiniteTimeSpan), cancellationToken);
        return status == StorageStatus.TopicAlreadyExists ? StorageStatus.Ok : status;
    }

    /// <summary>Reads and applies the log up to its current end (other replicas' changes).</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        // Taken before the high watermark is read: whatever was appended before this moment is below it.
        var started = Stopwatch.GetTimestamp();
        var offsets = await _store.GetOffsetsAsync(Topic, 0, cancellationToken);
        if (offsets.Status != StorageStatus.Ok)
        {
            throw Failure(offsets.Status);
        }

        await CatchUpAsync(offsets.Offsets.HighWatermark, cancellationToken);
        var fresh = Volatile.Read(ref _freshAt);
        while (fresh < started)
        {
            var seen = Interlocked.CompareExchange(ref _freshAt, started, fresh);
            if (seen == fresh)
            {
                break;
            }

            fresh = seen;
        }
    }

    /// <summary>
    /// Makes sure the view is confirmed at or after <paramref name="timestamp"/> (a <see cref="Stopwatch"/>
    /// time), refreshing if needed. Concurrent callers share one refresh at a time.
    /// </summary>
    public async ValueTask EnsureFreshSinceAsync(long timestamp, CancellationToken cancellationToken)
    {
        while (FreshAt < timestamp)
        {
            Task refresh;
            lock (_refreshLock)
            {
                if (_sharedRefresh is null || _sharedRefresh.IsCompleted)
                {
                    _sharedRefresh = RefreshAsync(CancellationToken.None).AsTask();
                }

                refresh = _sharedRefresh;
            }

            await refresh.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Appends a command and reads the log up to it. Returns whether it was accepted (it was based on the
    /// current version when its turn came) and its offset, which is the new version when accepted.
    /// </summary>
    public async ValueTask<(bool Accepted, long Offset)> ProposeAsync(CatalogCommand command, CancellationToken cancellationToken)
    {
        command.ProposalId = Guid.NewGuid().ToString("N");
        var outcome = new Proposal();
        _pending[command.ProposalId] = outcome;
        try
        {
            var value = JsonSerializer.SerializeToUtf8Bytes(command, CatalogJsonContext.Default.CatalogCommand);
            var key = Encoding.UTF8.GetBytes(command.StreamName ?? (command.DocumentKey is { } document ? command.Collection + "/" + document : "__signing-key"));
            var records = new[] { new LogRecord(key, value, _time.GetUtcNow().ToUnixTimeMilliseconds()) };
            var outcomes = new AppendOutcome[1];

            // If accepted, the version it replaces was current up to this moment (nothing else for the
            // stream can come between: the command is based on that version).
            outcome.StartedAt = Stopwatch.GetTimestamp();
            var status = await _store.AppendAsync(Topic, 0, records, outcomes, cancellationToken);
            if (status != StorageStatus.Ok)
            {
                throw Failure(status);
            }

            var offset = outcomes[0].Offset;
            await CatchUpAsync(offset + 1, cancellationToken);
            return (outcome.Accepted ?? false, offset);
        }
        finally
        {
            _pending.TryRemove(command.ProposalId, out _);
        }
    }

    private async ValueTask CatchUpAsync(long target, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _nextOffset) >= target)
        {
            return;
        }

        await _readGate.WaitAsync(cancellationToken);
        try
        {
            while (_nextOffset < target)
            {
                using var result = await _store.ReadAsync(
                    new ReadRequest(Topic, 0, _nextOffset, ReadBatchRecords, ReadBatchBytes),
                    cancellationToken);
                if (result.Status != StorageStatus.Ok)
                {
                    throw Failure(result.Status);
                }

                foreach (ref readonly var record in result.Records.Span)
                {
                    Apply(record);
                }

                if (result.NextOffset <= _nextOffset)
                {
                    // Nothing new yet (a Kafka fetch may come back empty while data is in flight).
                    await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken);
                    continue;
                }

                Volatile.Write(ref _nextOffset, result.NextOffset);
            }
        }
        finally
        {
            _readGate.Release();
        }
    }

    private void Apply(in StoredRecord record)
    {
        CatalogCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(record.Value.Span, CatalogJsonContext.Default.CatalogCommand);
        }
        catch (JsonException exception)
        {
            Log.CatalogRecordUnreadable(_logger, record.Offset, exception);
            return;
        }

        if (command is null)
        {
            return;
        }

        bool accepted;
        string? changed;
        try
        {
            accepted = _state.Apply(command, record.Offset, out changed);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            // Never let one bad record wedge the catalog: it is rejected like any invalid command.
            Log.CatalogRecordUnreadable(_logger, record.Offset, exception);
            accepted = false;
            changed = null;
        }

        var confirmedAt = FreshAt;
        if (_pending.TryGetValue(command.ProposalId, out var outcome))
        {
            outcome.Accepted = accepted;
            confirmedAt = Math.Max(confirmedAt, outcome.StartedAt);
        }

        Log.CatalogApplied(_logger, command.Kind.ToString(), command.StreamName, record.Offset, accepted ? "accepted" : "rejected");
        if (!accepted)
        {
            return;
        }

        if (command.Kind == CatalogCommandKind.SetSigningKey)
        {
            SigningKey = _state.SigningKey;
        }
        else if (changed is not null)
        {
            _onStreamChanged(changed, _state.Streams.GetValueOrDefault(changed), confirmedAt);
        }
    }

    private sealed class Proposal
    {
        public bool? Accepted;
        public long StartedAt = long.MinValue;
    }

    // A timeout is as retriable as an unreachable broker: the write fence re-reads the catalog on the
    // write path, so a broker outage must answer 503 ServiceUnavailable there, which clients retry.
    private static KinesisException Failure(StorageStatus status) => status.IsRetriable()
        ? new KinesisException(KinesisErrorCode.ServiceUnavailable, "The stream catalog is unavailable.")
        : new KinesisException(KinesisErrorCode.InternalFailure, $"The stream catalog could not be read or written ({status}).");
}
