using System.Buffers;
using KafkaKinesisBridge.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// One partition: an ordered list of segments, the last of which (the active segment) takes appends.
/// </summary>
/// <remarks>
/// <para><b>Appends (group commit).</b> Appenders queue a request. If no writer is running, the
/// appender becomes the writer and, on its own thread, takes everything queued (up to
/// <see cref="MaxGroupBytes"/>), encodes it straight into one pooled buffer, writes it with one
/// positional write (one fsync too when <c>FsyncOnAppend</c>), publishes the new high watermark and
/// completes the requests. Concurrent appenders therefore share syscalls, and an uncontended append
/// costs one write and no thread switch. When its own request is done the writer hands any remaining
/// work to a pool thread, so no caller is held up serving others for long.</para>
/// <para><b>Reads</b> take a snapshot of the segment list (replaced, never mutated) and the high
/// watermark, and read with positional reads through leased handles; they never block appends.</para>
/// <para><b>Retention</b> drops whole sealed segments from the front of the list; a reader still using
/// one keeps its handle until done (see <see cref="FileHandleCache"/>).</para>
/// </remarks>
internal sealed class PartitionLog
{
    /// <summary>Shared pool of append requests.</summary>
    internal static readonly RequestPool RequestPool = new(256);

    /// <summary>Most bytes one group write carries (a single larger request is written alone).</summary>
    internal const long MaxGroupBytes = 1024 * 1024;

    /// <summary>Largest total encoded size of one append call (its records are written with one write).</summary>
    internal const long MaxAppendBytes = 256 * 1024 * 1024;

    /// <summary>Largest buffer a read allocates unless its first record needs more.</summary>
    internal const int MaxReadBufferBytes = 32 * 1024 * 1024;

    private const int MaxGroupsPerTurn = 64;
    private const int InitialRecordCapacity = 128;
    private const int MaxSnapshotRetries = 1000;

    private readonly StoreContext _context;
    private readonly Lock _queueLock = new();
    private readonly Queue<AppendRequest> _queue = new();
    private readonly List<AppendRequest> _group = [];
    private readonly List<IndexEntry> _pendingIndex = [];
    private readonly List<Segment> _sealedUnflushed = [];
    private readonly Lock _segmentsLock = new();
    private Segment[] _segments;
    private ActiveSegment _active;
    private bool _writerRunning;
    private volatile bool _closed;
    private StorageStatus _closedStatus;
    private Exception? _closedError;
    private TaskCompletionSource? _writerIdle;
    private Exception? _fault;
    private long _groupWrites;

    private PartitionLog(StoreContext context, string topic, int partition, string directory, Segment[] segments, ActiveSegment active)
    {
        _context = context;
        Topic = topic;
        Partition = partition;
        Directory = directory;
        _segments = segments;
        _active = active;
    }

    public string Topic { get; }

    public int Partition { get; }

    public string Directory { get; }

    /// <summary>Test hook: called by the writer before each group write, with the number of appends in the group.</summary>
    internal Action<int>? BeforeGroupWrite { get; set; }

    /// <summary>Appends waiting for the writer.</summary>
    internal int QueueLength
    {
        get
        {
            lock (_queueLock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Group writes so far (each carries one or more appends).</summary>
    internal long GroupWrites => Volatile.Read(ref _groupWrites);

    /// <summary>The current segments, oldest first (a snapshot).</summary>
    internal IReadOnlyList<Segment> Segments => Volatile.Read(ref _segments);

    /// <summary>
    /// Opens the partition in <paramref name="directory"/> (created if missing), recovering its segments.
    /// </summary>
    public static PartitionLog Open(StoreContext context, string topic, int partition, string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        SegmentRecovery.DeleteTempFiles(directory);
        var bases = new List<long>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + Segment.LogExtension))
        {
            if (Segment.TryParseFileName(Path.GetFileName(path), Segment.LogExtension, out var baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        bases.Sort();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + Segment.IndexExtension))
        {
            if (Segment.TryParseFileName(Path.GetFileName(path), Segment.IndexExtension, out var baseOffset) && bases.BinarySearch(baseOffset) < 0)
            {
                File.Delete(path);
            }
        }

        if (bases.Count == 0)
        {
            var (log, index) = CreateSegmentFiles(new Segment(directory, 0), context.Options.FsyncOnAppend, directory);
            log.Dispose();
            index.Dispose();
            bases.Add(0);
        }

        var segments = new List<Segment>(bases.Count);
        SegmentIndex? activeIndex = null;
        for (var i = 0; i < bases.Count; i++)
        {
            var segment = new Segment(directory, bases[i]);
            var isLast = i == bases.Count - 1;
            if (segments.Count > 0 && segments[^1].NextOffset != segment.BaseOffset)
            {
                // A gap or an overlap in the offsets: the log ends with the previous segment, which
                // becomes the active one and needs its whole index.
                DropFrom(context, directory, bases, i, segments[^1].NextOffset,
                    $"segment {segment.BaseOffset} does not follow offset {segments[^1].NextOffset}");
                activeIndex = SegmentRecovery.Recover(context, segments[^1], loadFullIndex: true).Index;
                break;
            }

            var recovered = SegmentRecovery.Recover(context, segment, loadFullIndex: isLast);
            if (recovered.Truncated && !isLast)
            {
                // A damaged segment ends the log: later segments would leave a gap in the offsets.
                DropFrom(context, directory, bases, i + 1, segment.NextOffset, $"segment {segment.BaseOffset} was truncated");
                recovered = SegmentRecovery.Recover(context, segment, loadFullIndex: true);
                isLast = true;
            }

            if (!isLast && segment.Length == 0)
            {
                // An empty sealed segment (a crash right after a roll, before the next one was used) is noise.
                File.Delete(segment.LogPath);
                File.Delete(segment.IndexPath);
                continue;
            }

            segments.Add(segment);
            if (isLast)
            {
                activeIndex = recovered.Index;
                break;
            }
        }

        var active = OpenActive(context, segments[^1], activeIndex!);
        return new PartitionLog(context, topic, partition, directory, [.. segments], active);
    }

    /// <summary>The offsets of the partition now.</summary>
    public PartitionOffsets GetOffsets()
    {
        var segments = Volatile.Read(ref _segments);
        return new PartitionOffsets(segments[0].BaseOffset, segments[^1].NextOffset);
    }

    // ---------------------------------------------------------------- appends

    /// <summary>
    /// Appends records (validated by the store: at least one, outcomes of the same length).
    /// Records rejected here (too large, header not encodable) get their own outcome; the rest are
    /// appended, with consecutive offsets.
    /// </summary>
    public ValueTask<StorageStatus> AppendAsync(ReadOnlyMemory<LogRecord> records, Memory<AppendOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<StorageStatus>(cancellationToken);
        }

        var recordSpan = records.Span;
        var outcomeSpan = outcomes.Span;
        var maxRecordBytes = _context.Options.MaxRecordBytes;
        long bytes = 0;
        var accepted = 0;
        var preStatus = StorageStatus.Ok;
        for (var i = 0; i < recordSpan.Length; i++)
        {
            var size = RecordFormat.GetEncodedSize(recordSpan[i]);
            var status = size < 0 ? StorageStatus.InvalidArgument : size > maxRecordBytes ? StorageStatus.RecordTooLarge : StorageStatus.Ok;
            outcomeSpan[i] = new AppendOutcome(status, -1);
            if (status == StorageStatus.Ok)
            {
                bytes += size;
                accepted++;
            }
            else if (preStatus == StorageStatus.Ok)
            {
                preStatus = status;
            }
        }

        if (accepted == 0)
        {
            return new ValueTask<StorageStatus>(preStatus);
        }

        if (bytes > MaxAppendBytes)
        {
            outcomeSpan.Fill(new AppendOutcome(StorageStatus.RecordTooLarge, -1));
            return new ValueTask<StorageStatus>(StorageStatus.RecordTooLarge);
        }

        var request = RequestPool.Rent();
        request.InitializeAppend(this, records, outcomes, bytes, preStatus);
        return Enqueue(request, cancellationToken);
    }

    /// <summary>Closes the active segment if it holds records, so retention can remove it later.</summary>
    public ValueTask<StorageStatus> RollAsync(CancellationToken cancellationToken)
    {
        var request = RequestPool.Rent();
        request.InitializeRoll(this);
        return Enqueue(request, cancellationToken);
    }

    /// <summary>Called by a request's cancellation callback: true if it was still queued (and is now dropped).</summary>
    internal bool TryCancelQueued(AppendRequest request)
    {
        lock (_queueLock)
        {
            if (request.Taken || request.IsCompleted)
            {
                return false;
            }

            request.Cancelled = true;
            return true;
        }
    }

    private ValueTask<StorageStatus> Enqueue(AppendRequest request, CancellationToken cancellationToken)
    {
        bool lead;
        lock (_queueLock)
        {
            if (_closed)
            {
                // Not queued: complete it here (it goes back to the pool when awaited).
                CompleteClosedLocked(request);
                return new ValueTask<StorageStatus>(request, request.Version);
            }

            _queue.Enqueue(request);
            lead = !_writerRunning;
            _writerRunning = true;
        }

        if (lead)
        {
            RunWriter(request);
        }

        if (!request.IsCompleted && cancellationToken.CanBeCanceled)
        {
            request.RegisterCancellation(cancellationToken);
        }

        return new ValueTask<StorageStatus>(request, request.Version);
    }

    private void RunWriter(AppendRequest? own)
    {
        var group = _group;
        var turns = 0;
        while (true)
        {
            long bytes = 0;
            bool closed;
            lock (_queueLock)
            {
                while (_queue.TryPeek(out var head) && head.Cancelled)
                {
                    _queue.Dequeue();
                }

                if (_queue.Count == 0)
                {
                    _writerRunning = false;
                    if (_writerIdle is { } idle)
                    {
                        _writerIdle = null;
                        idle.TrySetResult();
                    }

                    return;
                }

                if (own is { IsCompleted: true } || turns >= MaxGroupsPerTurn)
                {
                    // Hand the rest to a pool thread: the caller that led gets its result now, and a
                    // pool thread that has been writing for a while lets other work run.
                    ThreadPool.UnsafeQueueUserWorkItem(static self => self.RunWriter(null), this, preferLocal: false);
                    return;
                }

                while (_queue.TryPeek(out var next))
                {
                    if (next.Cancelled)
                    {
                        _queue.Dequeue();
                        continue;
                    }

                    if (group.Count > 0 && (next.IsRoll || group[0].IsRoll || bytes + next.Bytes > MaxGroupBytes))
                    {
                        break;
                    }

                    _queue.Dequeue();
                    next.Taken = true;
                    group.Add(next);
                    bytes += next.Bytes;
                }

                closed = _closed;
            }

            if (group.Count > 0)
            {
                ProcessGroup(group, bytes, closed);
                group.Clear();
            }

            turns++;
        }
    }

    private void ProcessGroup(List<AppendRequest> group, long bytes, bool closed)
    {
        if (closed)
        {
            lock (_queueLock)
            {
                foreach (var request in group)
                {
                    CompleteClosedLocked(request);
                }
            }

            return;
        }

        StorageStatus status;
        try
        {
            status = _fault is not null ? StorageStatus.Failed
                : group[0].IsRoll ? RollIfNotEmpty()
                : WriteGroup(group, bytes);
        }
        catch (Exception e)
        {
            // A bug, not an I/O failure (those become statuses): fail the group, keep the writer alive.
            foreach (var request in group)
            {
                request.Fail(e);
            }

            return;
        }

        foreach (var request in group)
        {
            if (status != StorageStatus.Ok && !request.IsRoll)
            {
                var outcomes = request.Outcomes.Span;
                for (var i = 0; i < outcomes.Length; i++)
                {
                    if (outcomes[i].Status == StorageStatus.Ok)
                    {
                        outcomes[i] = new AppendOutcome(status, -1);
                    }
                }
            }

            request.Complete(status != StorageStatus.Ok ? status : request.PreStatus);
        }
    }

    private StorageStatus WriteGroup(List<AppendRequest> group, long bytes)
    {
        var options = _context.Options;
        var active = _active;
        if (active.Length > 0 && (active.Length + bytes > options.SegmentBytes || IsTooOld(active.Segment)))
        {
            try
            {
                Roll();
            }
            catch (IOException e)
            {
                Log.AppendFailed(_context.Logger, Topic, Partition, e);
                return StorageStatus.Unavailable;
            }

            active = _active;
        }

        BeforeGroupWrite?.Invoke(group.Count);
        var segment = active.Segment;
        var buffer = ArrayPool<byte>.Shared.Rent((int)bytes);
        var pendingIndex = _pendingIndex;
        pendingIndex.Clear();
        var fileStart = active.Length;
        var position = 0;
        var offset = active.NextOffset;
        var maxTimestamp = active.MaxTimestamp;
        var lastIndexed = active.LastIndexedPosition;
        try
        {
            foreach (var request in group)
            {
                var records = request.Records.Span;
                var outcomes = request.Outcomes.Span;
                for (var i = 0; i < records.Length; i++)
                {
                    if (outcomes[i].Status != StorageStatus.Ok)
                    {
                        continue;
                    }

                    ref readonly var record = ref records[i];
                    var size = (int)RecordFormat.GetEncodedSize(record);
                    var filePosition = fileStart + position;
                    if (filePosition - lastIndexed >= options.IndexIntervalBytes)
                    {
                        pendingIndex.Add(new IndexEntry((uint)(offset - segment.BaseOffset), (uint)filePosition, maxTimestamp));
                        lastIndexed = filePosition;
                    }

                    RecordFormat.Write(buffer.AsSpan(position), record, offset, size);
                    outcomes[i] = new AppendOutcome(StorageStatus.Ok, offset);
                    maxTimestamp = Math.Max(maxTimestamp, record.TimestampMs);
                    offset++;
                    position += size;
                }
            }

            // The whole group in one positional write; appends complete only after it returned, so the
            // bytes are in the operating system (and on the device after the flush, when asked).
            RandomAccess.Write(active.Log, buffer.AsSpan(0, position), fileStart);
            if (pendingIndex.Count > 0)
            {
                WriteIndexEntries(active, pendingIndex);
            }

            if (options.FsyncOnAppend)
            {
                _context.FlushData(active.Log);
            }
        }
        catch (IOException e)
        {
            return RollBack(active, fileStart, e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        foreach (var entry in pendingIndex)
        {
            active.Entries.Append(entry);
        }

        active.IndexFileLength += pendingIndex.Count * IndexEntry.Size;
        active.Length = fileStart + position;
        active.NextOffset = offset;
        active.MaxTimestamp = maxTimestamp;
        active.LastIndexedPosition = lastIndexed;
        if (fileStart == 0)
        {
            segment.FirstAppendMs = _context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        segment.Publish(active.Length, offset, maxTimestamp);
        Volatile.Write(ref _groupWrites, _groupWrites + 1);
        return StorageStatus.Ok;
    }

    private static void WriteIndexEntries(ActiveSegment active, List<IndexEntry> entries)
    {
        var size = entries.Count * IndexEntry.Size;
        byte[]? rented = null;
        var bytes = size <= 1024 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size)).AsSpan(0, size);
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                entries[i].Write(bytes[(i * IndexEntry.Size)..]);
            }

            RandomAccess.Write(active.Index, bytes, active.IndexFileLength);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Undoes a partial group write so the files end at a record boundary again.</summary>
    private StorageStatus RollBack(ActiveSegment active, long fileStart, IOException error)
    {
        try
        {
            RandomAccess.SetLength(active.Log, fileStart);
            RandomAccess.SetLength(active.Index, active.IndexFileLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Bytes of unacknowledged records may sit after the last record; appending after them
            // would put garbage inside the log. Refuse appends until a restart recovers the tail.
            _fault = e;
            Log.PartitionFaulted(_context.Logger, Topic, Partition, e);
            return StorageStatus.Failed;
        }

        Log.AppendFailed(_context.Logger, Topic, Partition, error);
        return StorageStatus.Unavailable;
    }

    private bool IsTooOld(Segment segment)
    {
        var maxAge = _context.Options.SegmentMaxAge;
        return maxAge != Timeout.InfiniteTimeSpan &&
            segment.FirstAppendMs != long.MinValue &&
            _context.Time.GetUtcNow().ToUnixTimeMilliseconds() - segment.FirstAppendMs >= (long)maxAge.TotalMilliseconds;
    }

    private StorageStatus RollIfNotEmpty()
    {
        if (_active.Length == 0)
        {
            return StorageStatus.Ok;
        }

        try
        {
            Roll();
            return StorageStatus.Ok;
        }
        catch (IOException e)
        {
            Log.AppendFailed(_context.Logger, Topic, Partition, e);
            return StorageStatus.Unavailable;
        }
    }

    /// <summary>Seals the active segment and starts a new one at the high watermark. Writer only.</summary>
    private void Roll()
    {
        var old = _active;
        if (_context.Options.FsyncOnAppend)
        {
            RandomAccess.FlushToDisk(old.Index);
        }

        var segment = new Segment(Directory, old.NextOffset);
        var files = CreateSegmentFiles(segment, _context.Options.FsyncOnAppend, Directory);
        if (!_context.Options.FsyncOnAppend)
        {
            // Flushed when the store closes, so a clean shutdown leaves everything on disk.
            lock (_sealedUnflushed)
            {
                _sealedUnflushed.Add(old.Segment);
            }
        }

        var entries = new SegmentIndex();
        segment.ActiveIndex = entries;
        _context.Handles.AdoptLeased(segment.LogFile, files.Log);
        lock (_segmentsLock)
        {
            Volatile.Write(ref _segments, [.. _segments, segment]);
        }

        // The sealed index moves to the cache before the segment stops holding it, so readers always find one.
        _context.Indexes.Add(old.Segment, old.Entries.Trimmed());
        Volatile.Write(ref old.Segment.ActiveIndex, null);
        old.Index.Dispose();
        _context.Handles.Release(old.Segment.LogFile);
        _active = new ActiveSegment(segment, files.Log, files.Index, entries) { NextOffset = segment.BaseOffset };
        Log.SegmentRolled(_context.Logger, Topic, Partition, segment.BaseOffset);
    }

    // ---------------------------------------------------------------- reads

    /// <summary>Reads from <paramref name="offset"/> (see <see cref="ILogStore.ReadAsync"/> for the rules).</summary>
    public ReadResult Read(long offset, int maxRecords, int maxBytes)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_closed)
            {
                return ClosedReadResult(offset);
            }

            var segments = Volatile.Read(ref _segments);
            var hw = segments[^1].NextOffset;
            var offsets = new PartitionOffsets(segments[0].BaseOffset, hw);
            if (offset > hw)
            {
                return ReadResult.Empty(StorageStatus.OffsetOutOfRange, offset, offsets);
            }

            var start = Math.Max(offset, offsets.LogStartOffset);
            if (start == hw)
            {
                return ReadResult.Empty(StorageStatus.Ok, start, offsets);
            }

            var segment = segments[FindSegment(segments, start)];
            var handle = _context.Handles.TryAcquire(segment.LogFile);
            if (handle is not null)
            {
                try
                {
                    if (ReadSegment(segment, handle, start, hw, maxRecords, maxBytes, offsets) is { } result)
                    {
                        return result;
                    }
                }
                finally
                {
                    _context.Handles.Release(segment.LogFile);
                }
            }

            // Retention removed the segment after the snapshot was taken: take a new one.
            CheckRetries(attempt);
        }
    }

    private PooledReadResult? ReadSegment(Segment segment, SafeFileHandle handle, long start, long hw, int maxRecords, int maxBytes, PartitionOffsets offsets)
    {
        var index = _context.Indexes.Get(segment);
        if (index is null)
        {
            return null;
        }

        var options = _context.Options;
        var endOffset = Math.Min(segment.NextOffset, hw);
        var endPosition = segment.Length;
        var (entryRelative, position) = index.FindForOffset(start - segment.BaseOffset);
        long filePosition = position;

        // Size the read from the segment's average record: the run from the index entry to the start,
        // plus the records wanted, with a quarter to spare. Never more than the limits allow (payload up
        // to MaxBytes plus framing). If records turn out larger, the next chunk is read on demand.
        var average = Math.Max(RecordFormat.FixedSize, endPosition / Math.Max(1, endOffset - segment.BaseOffset));
        var wanted = Math.Min(maxRecords, endOffset - start);
        var skip = (start - segment.BaseOffset - entryRelative) * average;
        var limit = (long)maxBytes + (wanted * RecordFormat.FixedSize);
        var size = ChunkSize(skip + Math.Min(limit, (wanted * average) + (wanted * average / 4)), RecordFormat.FixedSize, endPosition - filePosition);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        var filled = FileIo.ReadAtLeast(handle, buffer.AsSpan(0, size), filePosition, size);
        List<byte[]>? earlier = null;
        var records = ArrayPool<StoredRecord>.Shared.Rent((int)Math.Min(wanted, InitialRecordCapacity));
        var count = 0;
        var bufferRecords = 0;
        long totalBytes = 0;
        var next = start;
        var p = 0;
        try
        {
            while (count < maxRecords && next < endOffset)
            {
                var status = RecordFormat.TryDecode(buffer.AsSpan(p, filled - p), options.VerifyChecksumsOnRead, out var info);
                if (status == DecodeStatus.Incomplete)
                {
                    // The chunk ends inside a record: read the next chunk from that record on.
                    var needed = RecordFormat.TryReadTotalLength(buffer.AsSpan(p, filled - p), out var total) == DecodeStatus.Ok ? total : RecordFormat.FixedSize;
                    filePosition += p;
                    var remaining = Math.Min((long)maxBytes - totalBytes, (maxRecords - count) * average) + ((maxRecords - count) * RecordFormat.FixedSize);
                    var nextSize = ChunkSize(remaining, needed, endPosition - filePosition);
                    if (nextSize < needed)
                    {
                        throw Corrupt(segment, filePosition, "record extends past the end of the segment");
                    }

                    if (bufferRecords > 0)
                    {
                        (earlier ??= []).Add(buffer);
                    }
                    else
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(nextSize);
                    filled = FileIo.ReadAtLeast(handle, buffer.AsSpan(0, nextSize), filePosition, nextSize);
                    bufferRecords = 0;
                    p = 0;
                    continue;
                }

                if (status == DecodeStatus.Corrupt)
                {
                    throw Corrupt(segment, filePosition + p, "invalid record (bad length, structure or CRC32C)");
                }

                if (info.Offset < next)
                {
                    p += info.TotalLength;
                    continue;
                }

                if (info.Offset != next)
                {
                    throw Corrupt(segment, filePosition + p, $"offset {info.Offset} where {next} was expected");
                }

                var headers = RecordFormat.ReadHeaders(buffer, p, info, out var headersSize);
                long recordSize = info.KeyLength + info.ValueLength + headersSize;
                if (count > 0 && totalBytes + recordSize > maxBytes)
                {
                    break;
                }

                if (count == records.Length)
                {
                    var grown = ArrayPool<StoredRecord>.Shared.Rent((int)Math.Min(wanted, (long)records.Length * 2));
                    Array.Copy(records, grown, count);
                    ArrayPool<StoredRecord>.Shared.Return(records, clearArray: true);
                    records = grown;
                }

                records[count++] = new StoredRecord(
                    info.Offset,
                    info.TimestampMs,
                    new ReadOnlyMemory<byte>(buffer, p + info.KeyStart, info.KeyLength),
                    new ReadOnlyMemory<byte>(buffer, p + info.ValueStart, info.ValueLength),
                    headers);
                bufferRecords++;
                totalBytes += recordSize;
                next++;
                p += info.TotalLength;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var old in earlier ?? [])
            {
                ArrayPool<byte>.Shared.Return(old);
            }

            ArrayPool<StoredRecord>.Shared.Return(records, clearArray: true);
            throw;
        }

        return new PooledReadResult(buffer, earlier, records, count, next, offsets);
    }

    /// <summary>A read size: <paramref name="wanted"/>, at least <paramref name="needed"/>, at most what is left and the read cap.</summary>
    private static int ChunkSize(long wanted, long needed, long available) =>
        (int)Math.Min(available, Math.Max(needed, Math.Min(wanted + 64, MaxReadBufferBytes)));

    /// <summary>The first offset whose record has a timestamp at or after <paramref name="timestampMs"/>, or the high watermark.</summary>
    public OffsetLookupResult FindOffsetForTimestamp(long timestampMs)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (_closed)
            {
                return new OffsetLookupResult(ClosedStatus(), -1);
            }

            var segments = Volatile.Read(ref _segments);
            var hw = segments[^1].NextOffset;
            var complete = true;
            foreach (var segment in segments)
            {
                // Read after the high watermark, so it covers every record below it.
                if (segment.MaxTimestamp < timestampMs)
                {
                    continue;
                }

                if (segment.BaseOffset >= hw)
                {
                    break;
                }

                var found = FindInSegment(segment, timestampMs, hw);
                if (found == -2)
                {
                    complete = false;
                    break;
                }

                if (found >= 0)
                {
                    return new OffsetLookupResult(StorageStatus.Ok, found);
                }
            }

            if (complete)
            {
                return new OffsetLookupResult(StorageStatus.Ok, hw);
            }

            CheckRetries(attempt);
        }
    }

    /// <returns>The offset found, -1 when none in the segment, -2 when the segment was removed meanwhile.</returns>
    private long FindInSegment(Segment segment, long timestampMs, long hw)
    {
        var handle = _context.Handles.TryAcquire(segment.LogFile);
        if (handle is null)
        {
            return -2;
        }

        try
        {
            var index = _context.Indexes.Get(segment);
            if (index is null)
            {
                return -2;
            }

            var endOffset = Math.Min(segment.NextOffset, hw);
            var (_, position) = index.FindForTimestamp(timestampMs);
            using var scanner = new RecordScanner(handle, position, segment.Length, _context.Options.VerifyChecksumsOnRead);
            ScanStatus status;
            while ((status = scanner.Next()) == ScanStatus.Record && scanner.Current.Offset < endOffset)
            {
                if (scanner.Current.TimestampMs >= timestampMs)
                {
                    return scanner.Current.Offset;
                }
            }

            if (status is ScanStatus.Corrupt or ScanStatus.Incomplete)
            {
                throw Corrupt(segment, scanner.Position, status.ToString());
            }

            return -1;
        }
        finally
        {
            _context.Handles.Release(segment.LogFile);
        }
    }

    // ---------------------------------------------------------------- retention and life cycle

    /// <summary>True when the active segment holds records, all older than <paramref name="cutoffMs"/>.</summary>
    public bool ActiveSegmentExpired(long cutoffMs)
    {
        var active = Volatile.Read(ref _segments)[^1];
        return active.Length > 0 && active.MaxTimestamp < cutoffMs;
    }

    /// <summary>
    /// Deletes sealed segments from the front whose newest record is older than <paramref name="cutoffMs"/>
    /// (Kafka's time retention); never the active segment. Returns how many were deleted.
    /// </summary>
    public int DeleteSegmentsOlderThan(long cutoffMs)
    {
        Segment[] removed;
        long logStart;
        lock (_segmentsLock)
        {
            if (_closed)
            {
                return 0;
            }

            var segments = _segments;
            var count = 0;
            while (count < segments.Length - 1 && segments[count].MaxTimestamp < cutoffMs)
            {
                count++;
            }

            if (count == 0)
            {
                return 0;
            }

            removed = segments[..count];
            Volatile.Write(ref _segments, segments[count..]);
            logStart = segments[count].BaseOffset;
        }

        foreach (var segment in removed)
        {
            _context.Handles.Retire(segment.LogFile, deleteFile: true);
            _context.Indexes.Remove(segment);
            TryDelete(segment.IndexPath);
        }

        Log.RetentionDeleted(_context.Logger, Topic, Partition, removed.Length, logStart);
        return removed.Length;
    }

    /// <summary>
    /// Stops appends (queued and later ones fail with TopicNotFound when <paramref name="topicDeleted"/>,
    /// else with <see cref="ObjectDisposedException"/>), waits for the writer, and releases files. On a
    /// clean close the active segment is flushed to disk.
    /// </summary>
    public async Task CloseAsync(bool topicDeleted)
    {
        Task? writerIdle = null;
        lock (_queueLock)
        {
            if (_closed)
            {
                return;
            }

            _closedStatus = topicDeleted ? StorageStatus.TopicNotFound : StorageStatus.Failed;
            _closedError = topicDeleted ? null : new ObjectDisposedException(nameof(EmbeddedLogStore));
            _closed = true;
            if (_writerRunning)
            {
                _writerIdle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                writerIdle = _writerIdle.Task;
            }
        }

        if (writerIdle is not null)
        {
            await writerIdle.ConfigureAwait(false);
        }

        // The writer is idle and none can start: the active segment's state is ours.
        var active = _active;
        Segment[] segments;
        lock (_segmentsLock)
        {
            segments = _segments;
        }

        if (!topicDeleted)
        {
            try
            {
                FlushSealedSegments();
                RandomAccess.FlushToDisk(active.Log);
                RandomAccess.FlushToDisk(active.Index);
            }
            catch (IOException e)
            {
                Log.AppendFailed(_context.Logger, Topic, Partition, e);
            }
        }
        else
        {
            foreach (var segment in segments)
            {
                _context.Handles.Retire(segment.LogFile, deleteFile: false);
                _context.Indexes.Remove(segment);
            }
        }

        active.Index.Dispose();
        _context.Handles.Release(active.Segment.LogFile);
    }

    /// <summary>Flushes the segments sealed since the last flush (those retention removed meanwhile are skipped).</summary>
    private void FlushSealedSegments()
    {
        Segment[] sealedSegments;
        lock (_sealedUnflushed)
        {
            sealedSegments = [.. _sealedUnflushed];
            _sealedUnflushed.Clear();
        }

        foreach (var segment in sealedSegments)
        {
            if (_context.Handles.TryAcquire(segment.LogFile) is { } handle)
            {
                try
                {
                    RandomAccess.FlushToDisk(handle);
                }
                finally
                {
                    _context.Handles.Release(segment.LogFile);
                }
            }
        }
    }

    private void CompleteClosedLocked(AppendRequest request)
    {
        if (_closedError is { } error)
        {
            request.Fail(error);
            return;
        }

        if (!request.IsRoll)
        {
            request.Outcomes.Span.Fill(new AppendOutcome(_closedStatus, -1));
        }

        request.Complete(_closedStatus);
    }

    private ReadResult ClosedReadResult(long offset)
    {
        var status = ClosedStatus();
        return ReadResult.Empty(status, offset, default);
    }

    private StorageStatus ClosedStatus()
    {
        lock (_queueLock)
        {
            if (_closedError is { } error)
            {
                throw error;
            }

            return _closedStatus;
        }
    }

    private void CheckRetries(int attempt)
    {
        if (_closed)
        {
            return;
        }

        if (attempt >= MaxSnapshotRetries)
        {
            throw new InvalidOperationException($"Partition {Topic}/{Partition}: segments kept disappearing under a read.");
        }
    }

    private static int FindSegment(Segment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1;
        while (low < high)
        {
            var mid = (int)((uint)(low + high + 1) >> 1);
            if (segments[mid].BaseOffset <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return low;
    }

    private static InvalidDataException Corrupt(Segment segment, long position, string what) =>
        new($"Corrupt data in {segment.LogPath} at byte {position}: {what}.");

    private static ActiveSegment OpenActive(StoreContext context, Segment segment, SegmentIndex entries)
    {
        var log = File.OpenHandle(segment.LogPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        SafeFileHandle index;
        try
        {
            index = File.OpenHandle(segment.IndexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch
        {
            log.Dispose();
            throw;
        }

        segment.ActiveIndex = entries;
        context.Handles.AdoptLeased(segment.LogFile, log);
        return new ActiveSegment(segment, log, index, entries)
        {
            Length = segment.Length,
            NextOffset = segment.NextOffset,
            MaxTimestamp = segment.MaxTimestamp,
            LastIndexedPosition = entries.Last?.Position ?? 0,
            IndexFileLength = (long)entries.Count * IndexEntry.Size,
        };
    }

    private static (SafeFileHandle Log, SafeFileHandle Index) CreateSegmentFiles(Segment segment, bool fsync, string directory)
    {
        SafeFileHandle? log = null;
        SafeFileHandle? index = null;
        try
        {
            log = File.OpenHandle(segment.LogPath, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            index = File.OpenHandle(segment.IndexPath, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (fsync)
            {
                // The new files' directory entries must be durable before records in them are acknowledged.
                NativeMethods.FsyncDirectory(directory);
            }

            return (log, index);
        }
        catch
        {
            log?.Dispose();
            index?.Dispose();
            TryDelete(segment.LogPath);
            TryDelete(segment.IndexPath);
            throw;
        }
    }

    private static void DropFrom(StoreContext context, string directory, List<long> bases, int from, long offset, string reason)
    {
        if (from >= bases.Count)
        {
            return;
        }

        for (var i = from; i < bases.Count; i++)
        {
            File.Delete(Path.Combine(directory, Segment.FileName(bases[i], Segment.LogExtension)));
            File.Delete(Path.Combine(directory, Segment.FileName(bases[i], Segment.IndexExtension)));
        }

        Log.DroppedSegments(context.Logger, directory, bases.Count - from, offset, reason);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Found again (and retried) at the next open.
        }
    }

    /// <summary>The writer's view of the active segment. Touched only by the current writer.</summary>
    private sealed class ActiveSegment(Segment segment, SafeFileHandle log, SafeFileHandle index, SegmentIndex entries)
    {
        public Segment Segment { get; } = segment;

        public SafeFileHandle Log { get; } = log;

        public SafeFileHandle Index { get; } = index;

        public SegmentIndex Entries { get; } = entries;

        public long Length { get; set; }

        public long NextOffset { get; set; }

        public long MaxTimestamp { get; set; } = long.MinValue;

        public long LastIndexedPosition { get; set; }

        public long IndexFileLength { get; set; }
    }
}
