using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Storage.Embedded;

/// <summary>
/// The embedded log: a single-node, single-process implementation of <see cref="ILogStore"/> on
/// local disk, laid out like Kafka's log (segments named by base offset, sparse indexes, time
/// retention by whole segments). See README.md in this project for the layout and record format.
/// </summary>
/// <remarks>
/// Open with <see cref="Open"/>; the data directory is locked for the life of the store. Appends
/// to one partition are grouped (one write, and one fsync with <see cref="EmbeddedLogOptions.FsyncOnAppend"/>,
/// per group of concurrent appends) and complete when their bytes are in the operating system;
/// reads are positional and never block appends.
/// </remarks>
public sealed class EmbeddedLogStore : ILogStore
{
    /// <summary>The backend name reported by <see cref="Name"/>.</summary>
    public const string BackendName = "embedded";

    /// <summary>Most partitions a topic may have here (each keeps two files open).</summary>
    public const int MaxPartitionsPerTopic = 10_000;

    private const string TopicsFolder = "topics";
    private const string TrashFolder = "trash";

    private readonly StoreContext _context;
    private readonly DirectoryLock _lock;
    private readonly string _topicsDirectory;
    private readonly string _trashDirectory;
    private readonly ConcurrentDictionary<string, TopicState> _topics = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _admin = new(1, 1);
    private readonly ITimer _retentionTimer;
    private readonly Lock _retentionLock = new();
    private Task _retentionPass = Task.CompletedTask;
    private int _retentionPasses;
    private int _disposed;

    private EmbeddedLogStore(StoreContext context, DirectoryLock directoryLock, string dataDirectory)
    {
        _context = context;
        _lock = directoryLock;
        DataDirectory = dataDirectory;
        _topicsDirectory = Path.Combine(dataDirectory, TopicsFolder);
        _trashDirectory = Path.Combine(dataDirectory, TrashFolder);
        _retentionTimer = context.Time.CreateTimer(
            static state => ((EmbeddedLogStore)state!).OnRetentionTimer(),
            this,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc />
    public string Name => BackendName;

    /// <summary>The full path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>How many group commits were fsynced before being acknowledged (0 unless FsyncOnAppend).</summary>
    internal long DataFlushes => _context.DataFlushes;

    /// <summary>Handles of segment files open now (for diagnostics and tests of the handle bound).</summary>
    internal int OpenFileCount => _context.Handles.OpenCount;

    internal StoreContext Context => _context;

    /// <summary>
    /// Opens (or creates) the log in <see cref="EmbeddedLogOptions.DataDirectory"/>: takes the directory
    /// lock, recovers every partition (truncating a torn last write, rebuilding missing indexes) and
    /// starts the retention timer.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="DataDirectoryInUseException">Another process or store has the directory open.</exception>
    /// <exception cref="InvalidDataException">A topic's metadata file is unreadable.</exception>
    public static EmbeddedLogStore Open(EmbeddedLogOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(EmbeddedLogOptions), typeof(EmbeddedLogOptions), errors);
        }

        // A private copy: later changes to the caller's object must not change a running store.
        var settings = Copy(options);
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EmbeddedLogStore>();
        var root = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(root);
        var directoryLock = DirectoryLock.Acquire(root);
        var context = new StoreContext(settings, logger, timeProvider ?? TimeProvider.System);
        var store = new EmbeddedLogStore(context, directoryLock, root);
        try
        {
            store.Load();
        }
        catch
        {
            store.CloseAfterFailedOpen();
            throw;
        }

        store._retentionTimer.Change(settings.RetentionCheckInterval, settings.RetentionCheckInterval);
        return store;
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> CreateTopicAsync(TopicSpec spec, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!TopicNames.IsValid(spec.Name) || spec.Partitions < 1 || spec.Partitions > MaxPartitionsPerTopic || !IsValidRetention(spec.Retention))
        {
            return StorageStatus.InvalidArgument;
        }

        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (_topics.ContainsKey(spec.Name))
            {
                return StorageStatus.TopicAlreadyExists;
            }

            var directory = Path.Combine(_topicsDirectory, spec.Name);
            var partitions = new List<PartitionLog>(spec.Partitions);
            try
            {
                if (Directory.Exists(directory))
                {
                    // Only a folder without topic.json can be here (one with it is a loaded topic): debris.
                    RemoveDirectory(directory);
                }

                Directory.CreateDirectory(directory);
                for (var p = 0; p < spec.Partitions; p++)
                {
                    partitions.Add(PartitionLog.Open(_context, spec.Name, p, TopicState.PartitionDirectory(directory, p)));
                }

                // The commit point: the topic exists once its metadata file does.
                TopicMetadataFile.Write(directory, new TopicMetadata(spec.Name, spec.Partitions, spec.Retention));
                NativeMethods.FsyncDirectory(_topicsDirectory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                foreach (var partition in partitions)
                {
                    await partition.CloseAsync(topicDeleted: true).ConfigureAwait(false);
                }

                RemoveDirectory(directory);
                Log.TopicOperationFailed(_context.Logger, "Creation", spec.Name, e);
                return StorageStatus.Unavailable;
            }

            _topics[spec.Name] = new TopicState(spec.Name, directory, [.. partitions], spec.Retention);
            Log.TopicCreated(_context.Logger, spec.Name, spec.Partitions, spec.Retention == Timeout.InfiniteTimeSpan ? "infinite" : spec.Retention.ToString());
            return StorageStatus.Ok;
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// The topic disappears at once for new operations; queued appends fail with TopicNotFound; reads
    /// already running finish from their open files. The folder is moved to <c>trash</c> (atomic, so a
    /// topic of the same name can be created right away) and then removed.
    /// </remarks>
    public async ValueTask<StorageStatus> DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (topic is null || !_topics.TryRemove(topic, out var state))
            {
                return StorageStatus.TopicNotFound;
            }

            foreach (var partition in state.Partitions)
            {
                await partition.CloseAsync(topicDeleted: true).ConfigureAwait(false);
            }

            RemoveDirectory(state.Directory);
            Log.TopicDeleted(_context.Logger, topic);
            return StorageStatus.Ok;
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask<TopicInfoResult> DescribeTopicAsync(string topic, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return new ValueTask<TopicInfoResult>(topic is not null && _topics.TryGetValue(topic, out var state)
            ? new TopicInfoResult(StorageStatus.Ok, state.Info)
            : new TopicInfoResult(StorageStatus.TopicNotFound, default));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var names = _topics.Keys.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        return new ValueTask<IReadOnlyList<string>>(names);
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (topic is null || !_topics.TryGetValue(topic, out var state))
            {
                return StorageStatus.TopicNotFound;
            }

            var current = state.Partitions;
            if (totalPartitions < current.Count || totalPartitions > MaxPartitionsPerTopic)
            {
                return StorageStatus.InvalidArgument;
            }

            if (totalPartitions == current.Count)
            {
                return StorageStatus.Ok;
            }

            var added = new List<PartitionLog>();
            try
            {
                for (var p = current.Count; p < totalPartitions; p++)
                {
                    added.Add(PartitionLog.Open(_context, topic, p, TopicState.PartitionDirectory(state.Directory, p)));
                }

                // The commit point: folders beyond the recorded count are removed at the next open.
                TopicMetadataFile.Write(state.Directory, new TopicMetadata(topic, totalPartitions, state.Retention));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                foreach (var partition in added)
                {
                    await partition.CloseAsync(topicDeleted: true).ConfigureAwait(false);
                    RemoveDirectory(partition.Directory);
                }

                Log.TopicOperationFailed(_context.Logger, "Adding partitions", topic, e);
                return StorageStatus.Unavailable;
            }

            state.SetPartitions([.. current, .. added]);
            Log.PartitionsAdded(_context.Logger, topic, current.Count, totalPartitions);
            return StorageStatus.Ok;
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<StorageStatus> SetRetentionAsync(string topic, TimeSpan retention, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!IsValidRetention(retention))
        {
            return StorageStatus.InvalidArgument;
        }

        await _admin.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            if (topic is null || !_topics.TryGetValue(topic, out var state))
            {
                return StorageStatus.TopicNotFound;
            }

            try
            {
                TopicMetadataFile.Write(state.Directory, new TopicMetadata(topic, state.Partitions.Count, retention));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.TopicOperationFailed(_context.Logger, "Setting retention", topic, e);
                return StorageStatus.Unavailable;
            }

            state.Retention = retention;
            return StorageStatus.Ok;
        }
        finally
        {
            _admin.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Offsets within one call are consecutive. A record whose encoding exceeds
    /// <see cref="EmbeddedLogOptions.MaxRecordBytes"/> gets <see cref="StorageStatus.RecordTooLarge"/>
    /// (and a header that cannot be encoded <see cref="StorageStatus.InvalidArgument"/>) while the other
    /// records of the call are appended. Cancellation takes effect only while the call is still queued
    /// behind other appends; once its write started, the call completes normally.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="outcomes"/> is not as long as <paramref name="records"/>.</exception>
    public ValueTask<StorageStatus> AppendAsync(
        string topic,
        int partition,
        ReadOnlyMemory<LogRecord> records,
        Memory<AppendOutcome> outcomes,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (outcomes.Length != records.Length)
        {
            throw new ArgumentException("There must be one outcome per record.", nameof(outcomes));
        }

        if (records.IsEmpty)
        {
            return new ValueTask<StorageStatus>(StorageStatus.InvalidArgument);
        }

        if (topic is null || !_topics.TryGetValue(topic, out var state))
        {
            return Fail(outcomes, StorageStatus.TopicNotFound);
        }

        var log = state.GetPartition(partition);
        return log is null
            ? Fail(outcomes, StorageStatus.PartitionNotFound)
            : log.AppendAsync(records, outcomes, cancellationToken);

        static ValueTask<StorageStatus> Fail(Memory<AppendOutcome> outcomes, StorageStatus status)
        {
            outcomes.Span.Fill(new AppendOutcome(status, -1));
            return new ValueTask<StorageStatus>(status);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Reads stay within one segment: at a segment boundary a read returns the records before it, and the
    /// next read continues in the next segment. A negative offset, or limits below 1, are InvalidArgument.
    /// </remarks>
    /// <exception cref="InvalidDataException">A record read fails its checksum or structure checks.</exception>
    public ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (request.MaxRecords < 1 || request.MaxBytes < 1 || request.Offset < 0)
        {
            return new ValueTask<ReadResult>(ReadResult.Empty(StorageStatus.InvalidArgument, request.Offset, default));
        }

        var status = TryGetPartition(request.Topic, request.Partition, out var log);
        return new ValueTask<ReadResult>(log is null
            ? ReadResult.Empty(status, request.Offset, default)
            : log.Read(request.Offset, request.MaxRecords, request.MaxBytes));
    }

    /// <inheritdoc />
    public ValueTask<PartitionOffsetsResult> GetOffsetsAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var status = TryGetPartition(topic, partition, out var log);
        return new ValueTask<PartitionOffsetsResult>(log is null
            ? new PartitionOffsetsResult(status, default)
            : new PartitionOffsetsResult(StorageStatus.Ok, log.GetOffsets()));
    }

    /// <inheritdoc />
    public ValueTask<OffsetLookupResult> GetOffsetForTimestampAsync(string topic, int partition, long timestampMs, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        var status = TryGetPartition(topic, partition, out var log);
        return new ValueTask<OffsetLookupResult>(log is null
            ? new OffsetLookupResult(status, -1)
            : log.FindOffsetForTimestamp(timestampMs));
    }

    /// <summary>
    /// Closes the store: stops retention, fails queued appends with <see cref="ObjectDisposedException"/>,
    /// flushes each partition's active segment to disk, closes files and releases the directory lock.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _retentionTimer.DisposeAsync().ConfigureAwait(false);
        try
        {
            await LastRetentionPass.ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or InvalidDataException)
        {
            // Already logged by the pass.
        }

        await _admin.WaitAsync().ConfigureAwait(false);
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                await partition.CloseAsync(topicDeleted: false).ConfigureAwait(false);
            }
        }

        _context.Handles.Dispose();
        _lock.Dispose();
        Log.StoreClosed(_context.Logger, DataDirectory);
    }

    // ---------------------------------------------------------------- internal hooks (tests, tools)

    /// <summary>The partition, or null.</summary>
    internal PartitionLog? FindPartition(string topic, int partition) =>
        _topics.TryGetValue(topic, out var state) ? state.GetPartition(partition) : null;

    /// <summary>Seals the partition's active segment now (if it holds records).</summary>
    internal ValueTask<StorageStatus> RollSegmentAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var status = TryGetPartition(topic, partition, out var log);
        return log is null ? new ValueTask<StorageStatus>(status) : log.RollAsync(cancellationToken);
    }

    /// <summary>Retention passes started so far.</summary>
    internal int RetentionPasses
    {
        get
        {
            lock (_retentionLock)
            {
                return _retentionPasses;
            }
        }
    }

    /// <summary>The retention pass started last (completed when none ran yet).</summary>
    internal Task LastRetentionPass
    {
        get
        {
            lock (_retentionLock)
            {
                return _retentionPass;
            }
        }
    }

    /// <summary>Runs a retention pass now, or waits for the one running, and returns when it is done.</summary>
    internal Task RunRetentionAsync()
    {
        ThrowIfDisposed();
        OnRetentionTimer();
        return LastRetentionPass;
    }

    // ---------------------------------------------------------------- private

    private void OnRetentionTimer()
    {
        lock (_retentionLock)
        {
            if (!_retentionPass.IsCompleted || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            // With a manual clock the pass runs to completion right here; with the system clock it runs
            // on the timer's pool thread (and continues on the pool if a roll has to wait for a writer).
            _retentionPasses++;
            _retentionPass = RetentionPassAsync();
        }
    }

    private async Task RetentionPassAsync()
    {
        try
        {
            var now = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var topic in _topics.Values)
            {
                var retention = topic.Retention;
                if (retention == Timeout.InfiniteTimeSpan)
                {
                    continue;
                }

                var cutoff = now - (long)retention.TotalMilliseconds;
                foreach (var partition in topic.Partitions)
                {
                    if (partition.ActiveSegmentExpired(cutoff))
                    {
                        // An idle partition's active segment would otherwise keep expired records for
                        // ever: seal it so the deletion below can take it.
                        await partition.RollAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    partition.DeleteSegmentsOlderThan(cutoff);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // The store closed during the pass.
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Log.RetentionFailed(_context.Logger, e);
        }
    }

    private void Load()
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(_topicsDirectory);
        Directory.CreateDirectory(_trashDirectory);
        foreach (var leftover in Directory.EnumerateDirectories(_trashDirectory))
        {
            TryDeleteRecursive(leftover);
        }

        var partitions = 0;
        var segments = 0;
        foreach (var directory in Directory.EnumerateDirectories(_topicsDirectory))
        {
            var name = Path.GetFileName(directory);
            if (!File.Exists(TopicMetadataFile.PathIn(directory)))
            {
                // A crash during CreateTopicAsync, before its commit point.
                Log.RemovedLeftover(_context.Logger, directory, "topic folder without " + TopicMetadataFile.FileName);
                RemoveDirectory(directory);
                continue;
            }

            if (!TopicMetadataFile.TryRead(directory, out var metadata, out var error) || metadata.Name != name)
            {
                throw new InvalidDataException($"Cannot load topic folder '{directory}': {(error.Length > 0 ? error : "name mismatch")}.");
            }

            TopicMetadataFile.DeleteLeftoverTemp(directory);
            var logs = new PartitionLog[metadata.Partitions];
            for (var p = 0; p < logs.Length; p++)
            {
                logs[p] = PartitionLog.Open(_context, name, p, TopicState.PartitionDirectory(directory, p));
                segments += logs[p].Segments.Count;
            }

            // Folders beyond the recorded count: a crash during AddPartitionsAsync before its commit point.
            foreach (var partitionDirectory in Directory.EnumerateDirectories(directory))
            {
                if (int.TryParse(Path.GetFileName(partitionDirectory), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) &&
                    p >= metadata.Partitions)
                {
                    Log.RemovedLeftover(_context.Logger, partitionDirectory, "partition beyond the topic's partition count");
                    TryDeleteRecursive(partitionDirectory);
                }
            }

            partitions += logs.Length;
            _topics[name] = new TopicState(name, directory, logs, metadata.Retention);
        }

        Log.StoreOpened(_context.Logger, DataDirectory, _topics.Count, partitions, segments, watch.ElapsedMilliseconds);
    }

    private void CloseAfterFailedOpen()
    {
        _disposed = 1;
        _retentionTimer.Dispose();
        foreach (var topic in _topics.Values)
        {
            foreach (var partition in topic.Partitions)
            {
                // No writer runs yet, so this completes synchronously.
                partition.CloseAsync(topicDeleted: false).GetAwaiter().GetResult();
            }
        }

        _context.Handles.Dispose();
        _lock.Dispose();
    }

    /// <summary>Moves a folder to the trash (atomically) and deletes it from there.</summary>
    private void RemoveDirectory(string directory)
    {
        var trash = Path.Combine(_trashDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(directory, trash);
            NativeMethods.FsyncDirectory(Path.GetDirectoryName(directory)!);
        }
        catch (IOException e)
        {
            Log.RemoveFailed(_context.Logger, directory, e);
            TryDeleteRecursive(directory);
            return;
        }

        TryDeleteRecursive(trash);
    }

    private void TryDeleteRecursive(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.RemoveFailed(_context.Logger, directory, e);
        }
    }

    private StorageStatus TryGetPartition(string topic, int partition, out PartitionLog? log)
    {
        log = null;
        if (topic is null || !_topics.TryGetValue(topic, out var state))
        {
            return StorageStatus.TopicNotFound;
        }

        log = state.GetPartition(partition);
        return log is null ? StorageStatus.PartitionNotFound : StorageStatus.Ok;
    }

    private static bool IsValidRetention(TimeSpan retention) =>
        retention == Timeout.InfiniteTimeSpan || retention >= TimeSpan.FromMilliseconds(1);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static EmbeddedLogOptions Copy(EmbeddedLogOptions options) => new()
    {
        DataDirectory = options.DataDirectory,
        SegmentBytes = options.SegmentBytes,
        SegmentMaxAge = options.SegmentMaxAge,
        FsyncOnAppend = options.FsyncOnAppend,
        RetentionCheckInterval = options.RetentionCheckInterval,
        MaxOpenFiles = options.MaxOpenFiles,
        IndexIntervalBytes = options.IndexIntervalBytes,
        IndexCacheBytes = options.IndexCacheBytes,
        MaxRecordBytes = options.MaxRecordBytes,
        VerifyChecksumsOnRead = options.VerifyChecksumsOnRead,
    };
}
