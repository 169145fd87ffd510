using System.Collections.Concurrent;
using System.Security.Cryptography;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Iterators;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Streams.FanOut;
using KafkaKinesisBridge.Core.Streams.Reading;
using KafkaKinesisBridge.Core.Streams.Resharding;
using KafkaKinesisBridge.Core.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Core.Streams;

/// <summary>
/// The Kinesis Data Streams implementation over an <see cref="ILogStore"/>: one instance per gateway
/// replica. Call <see cref="StartAsync"/> (the hosted service does) before serving, and
/// <see cref="RunBackgroundAsync"/> to follow other replicas' catalog changes and finish interrupted
/// creates and deletes.
/// </summary>
public sealed partial class StreamsService : IStreamsService, IStreamsReadiness
{
    private const int MaxUpdateAttempts = 8;

    // Updates of one stream through this replica take turns (striped by name): they would only
    // defeat each other's compare-and-set, so the attempts are left to races between replicas.
    private const int UpdateGateCount = 64;

    private readonly ILogStore _store;
    private readonly KinesisStreamsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StreamCatalog _catalog;
    private readonly TokenCodec _tokens = new();
    private readonly ShardReader _reader;
    private readonly Resharder _resharder;
    private readonly AppendSignals _signals = new();
    private readonly SubscriptionRegistry _subscriptions;
    private readonly ConcurrentDictionary<string, StreamRuntime> _streams = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _updateGates = Enumerable.Range(0, UpdateGateCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _account;
    private readonly string _region;
    private readonly StreamsMetrics _metrics;
    private volatile bool _isReady;

    /// <summary>Creates the service. Options are validated here too, for callers outside DI.</summary>
    public StreamsService(ILogStore store, IOptions<KinesisStreamsOptions> options, TimeProvider time, ILogger<StreamsService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        // Appends through the core wake the subscriptions following their partition (enhanced fan-out).
        _store = new NotifyingLogStore(store, _signals);
        _reader = new ShardReader(store);
        _subscriptions = new SubscriptionRegistry(time);
        _options = options.Value;
        var validation = new KinesisStreamsOptionsValidator().Validate(null, _options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(KinesisStreamsOptions), typeof(KinesisStreamsOptions), validation.Failures ?? []);
        }

        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _account = _options.AccountId;
        _region = _options.Region;
        _catalog = new StreamCatalog(store, _options.CatalogTopic, time, _logger, OnStreamChanged);
        _resharder = new Resharder(store, _catalog, n => _streams.GetValueOrDefault(n), _options.Resharding, time, _logger, _account);
        _metrics = StreamsMetrics.Shared;
    }

    /// <inheritdoc />
    public bool IsReady => _isReady;

    /// <inheritdoc />
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    /// <summary>
    /// Makes the service ready: creates the catalog topic if needed, replays the whole catalog, and
    /// establishes the shared token signing key (configured, or created once in the catalog).
    /// Retries retriable storage failures until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RetryAsync(async ct =>
            {
                var status = await _catalog.EnsureTopicAsync(ct);
                if (status != StorageStatus.Ok)
                {
                    throw new KinesisException(
                        status.IsRetriable() ? KinesisErrorCode.ServiceUnavailable : KinesisErrorCode.InternalFailure,
                        $"The catalog topic could not be created ({status}).");
                }
            }, cancellationToken);
            await RetryAsync(ct => _catalog.RefreshAsync(ct).AsTask(), cancellationToken);

            var key = _options.GetSigningKeyBytes();
            if (key is null)
            {
                if (_catalog.SigningKey is null)
                {
                    var command = new CatalogCommand
                    {
                        Kind = CatalogCommandKind.SetSigningKey,
                        SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                    };

                    // First replica to start wins; the others adopt its key.
                    await RetryAsync(ct => _catalog.ProposeAsync(command, ct).AsTask(), cancellationToken);
                }

                key = _catalog.SigningKey ?? throw new InvalidOperationException("No token signing key in the catalog.");
            }

            _tokens.SetKey(key);
            _isReady = true;
            _ready.TrySetResult();
            Log.CatalogReady(_logger, _streams.Count, _catalog.AppliedOffset, _catalog.Topic);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _ready.TrySetException(exception);
            throw;
        }
    }

    /// <summary>
    /// Runs the background loops until cancelled: tails the catalog every
    /// <see cref="KinesisStreamsOptions.CatalogPollInterval"/> and reconciles unfinished creates and
    /// deletes every <see cref="KinesisStreamsOptions.ReconcileInterval"/>.
    /// </summary>
    public async Task RunBackgroundAsync(CancellationToken cancellationToken)
    {
        await WaitUntilReadyAsync(cancellationToken);
        var tail = TailCatalogAsync(cancellationToken);
        var reconcile = ReconcileLoopAsync(cancellationToken);
        await Task.WhenAll(tail, reconcile);
    }

    /// <summary>The shard-reading rules every reader in the core shares (GetRecords, fan-out, sinks).</summary>
    internal ShardReader Reader => _reader;

    /// <summary>Streams in this replica's local view (tests: what the catalog tail has applied).</summary>
    internal int KnownStreamCount => _streams.Count;

    /// <summary>Reads other replicas' catalog changes now (the background loop does this periodically).</summary>
    public ValueTask RefreshCatalogAsync(CancellationToken cancellationToken) => _catalog.RefreshAsync(cancellationToken);

    private async Task TailCatalogAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CatalogPollInterval, _time);
        // While storage is down this fails on every tick: say so once, and once more when it recovers,
        // rather than a warning with a stack trace every poll interval.
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await _catalog.RefreshAsync(cancellationToken);
                    if (failures > 0)
                    {
                        Log.CatalogRefreshRecovered(_logger, failures);
                        failures = 0;
                    }
                }
                catch (KinesisException exception)
                {
                    if (failures++ == 0)
                    {
                        Log.CatalogRefreshFailing(_logger, exception.ErrorName, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReconcileLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ReconcileInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await ReconcileOnceAsync(cancellationToken);
                }
                catch (KinesisException exception)
                {
                    Log.ReconcileFailed(_logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RetryAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await action(cancellationToken);
                return;
            }
            catch (KinesisException exception) when (exception.Code.IsRetriable())
            {
                Log.CatalogRefreshFailed(_logger, exception);
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>Catalog callback, in log order: rebuilds the data-plane view of one stream.</summary>
    private void OnStreamChanged(string name, CatalogStream? stream, long previousConfirmedUntil)
    {
        _streams.TryGetValue(name, out var previous);
        if (stream is null)
        {
            previous?.Supersede(previousConfirmedUntil);
            _streams.TryRemove(name, out _);
            return;
        }

        StreamRuntime next;
        try
        {
            next = new StreamRuntime(stream, StreamArns.Format(_region, _account, name), previous, _options.Quotas, _time);
        }
        catch (ArgumentException exception)
        {
            // The catalog validates layouts before accepting them; should one still fail here, keep
            // serving the previous version rather than stopping the catalog (trap: a wedged apply loop).
            Log.StreamVersionUnusable(_logger, name, stream.Version, exception);
            return;
        }

        // The write fence reads this before trusting a version (StreamsService.WriteFence.cs).
        previous?.Supersede(previousConfirmedUntil);
        _streams[name] = next;
    }

    private void EnsureReady()
    {
        if (!_isReady)
        {
            Errors.NotReady();
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Shape checks of StreamName / StreamARN (both optional here; presence is checked by <see cref="ResolveStreamName"/>).</summary>
    private static void ValidateStreamIdentity(ref ValidationErrors? errors, string? streamName, string? streamArn)
    {
        Constraints.Name(ref errors, streamName, "streamName", required: false);
        Constraints.StreamArn(ref errors, streamArn);
    }

    /// <summary>
    /// The stream a request names by StreamName and/or StreamARN. An ARN of another account or region
    /// names a stream this gateway does not have: ResourceNotFoundException. Both given and naming
    /// different streams: InvalidArgumentException.
    /// </summary>
    private string ResolveStreamName(string? streamName, string? streamArn)
    {
        if (streamArn is null)
        {
            if (streamName is null)
            {
                Errors.InvalidArgument("Either StreamName or StreamARN must be provided.");
            }

            return streamName;
        }

        if (!StreamArns.TryParse(streamArn, out var region, out var account, out var arnName))
        {
            Errors.InvalidArgument($"StreamARN {streamArn} is not a valid stream ARN.");
        }

        if (!string.Equals(account, _account, StringComparison.Ordinal) || !string.Equals(region, _region, StringComparison.Ordinal)
            || !Constraints.IsName(arnName) || arnName.Length > Constraints.MaxStreamNameLength)
        {
            Errors.StreamNotFound(arnName, account);
        }

        if (streamName is not null && !string.Equals(streamName, arnName, StringComparison.Ordinal))
        {
            Errors.InvalidArgument($"StreamName {streamName} and StreamARN {streamArn} do not name the same stream.");
        }

        return arnName;
    }

    /// <summary>The stream in any state, from the local view.</summary>
    private StreamRuntime GetStream(string name)
    {
        if (!_streams.TryGetValue(name, out var stream))
        {
            Errors.StreamNotFound(name, _account);
        }

        return stream;
    }

    /// <summary>
    /// A stream for reads and writes: ACTIVE or UPDATING. A stream another replica just created may be
    /// missing from the local view, so a miss refreshes the catalog once. CREATING and DELETING streams
    /// are not found, as Kinesis answers data-plane calls on them.
    /// </summary>
    private async ValueTask<StreamRuntime> GetDataStreamAsync(string name, CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(name, out var stream) || stream.Router is null)
        {
            await _catalog.RefreshAsync(cancellationToken);
            if (!_streams.TryGetValue(name, out stream) || stream.Router is null)
            {
                Errors.StreamNotFound(name, _account);
            }
        }

        return stream;
    }

    /// <summary>The stream after reading the latest catalog (control-plane reads see other replicas' changes).</summary>
    private async ValueTask<StreamRuntime> GetFreshStreamAsync(string name, CancellationToken cancellationToken)
    {
        await _catalog.RefreshAsync(cancellationToken);
        return GetStream(name);
    }

    /// <summary>
    /// Compare-and-set update of a stream: reads the latest catalog, applies <paramref name="mutate"/> to a
    /// copy of the current version and proposes it based on that version; retries when another change won
    /// the race. <paramref name="mutate"/> throws the Kinesis error for a forbidden change, or returns
    /// false when nothing needs to change.
    /// </summary>
    private ValueTask<StreamRuntime> UpdateStreamAsync(
        string name,
        Func<StreamRuntime, StreamEntry, bool> mutate,
        CancellationToken cancellationToken) =>
        UpdateStreamAsync(name, mutate, beforePropose: null, cancellationToken);

    /// <summary>
    /// <see cref="UpdateStreamAsync(string, Func{StreamRuntime, StreamEntry, bool}, CancellationToken)"/> with a
    /// storage step run after validation and before the catalog change (idempotent: it may run again on retry).
    /// </summary>
    private async ValueTask<StreamRuntime> UpdateStreamAsync(
        string name,
        Func<StreamRuntime, StreamEntry, bool> mutate,
        Func<StreamRuntime, CancellationToken, Task>? beforePropose,
        CancellationToken cancellationToken)
    {
        var gate = _updateGates[(uint)StringComparer.Ordinal.GetHashCode(name) % UpdateGateCount];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await ProposeUpdateAsync(name, mutate, beforePropose, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask<StreamRuntime> ProposeUpdateAsync(
        string name,
        Func<StreamRuntime, StreamEntry, bool> mutate,
        Func<StreamRuntime, CancellationToken, Task>? beforePropose,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await GetFreshStreamAsync(name, cancellationToken);
            var updated = current.Entry.Clone();
            if (!mutate(current, updated))
            {
                return current;
            }

            if (beforePropose is not null)
            {
                await beforePropose(current, cancellationToken);
            }

            updated.UpdatedAtMs = NowMs;
            var (accepted, _) = await _catalog.ProposeAsync(
                new CatalogCommand
                {
                    Kind = CatalogCommandKind.PutStream,
                    StreamName = name,
                    BasedOnVersion = current.Version,
                    Stream = updated,
                },
                cancellationToken);
            if (accepted)
            {
                return GetStream(name);
            }
        }

        throw new KinesisException(
            KinesisErrorCode.LimitExceeded,
            $"Stream {name} under account {_account} is being changed concurrently; retry the request.");
    }

    private static void RequireActive(StreamRuntime stream, string account)
    {
        if (stream.Status != StreamStatus.Active)
        {
            Errors.StreamNotActive(stream.Name, account, stream.Status);
        }
    }
}
