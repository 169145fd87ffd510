using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>What recovering one segment found.</summary>
/// <param name="Truncated">Bytes at the end were not whole, valid records and were cut off.</param>
/// <param name="Index">The full index (when it was asked for: the active segment).</param>
internal readonly record struct RecoveredSegment(bool Truncated, SegmentIndex? Index);

/// <summary>
/// Checks segments when a store opens and loads or rebuilds their indexes.
/// </summary>
/// <remarks>
/// <para>Recovery of a segment trusts its index up to the last entry that still points at a valid
/// record with the expected offset, then scans from there to the end of the file checking every
/// record (length, structure, CRC32C, consecutive offsets). The first bad or incomplete record marks
/// the end of the log: the file is truncated there. After a process crash this only ever cuts a
/// write that was not acknowledged, because an append completes after its write returned; a torn
/// write is one that the crash interrupted. Scanning from the last index entry keeps opening fast
/// (at most one index interval per segment when the previous shutdown was clean).</para>
/// <para>A missing or unusable index is rebuilt by scanning the whole segment.</para>
/// </remarks>
internal static class SegmentRecovery
{
    private const string TempSuffix = ".tmp";

    /// <summary>
    /// Recovers <paramref name="segment"/>: validates its tail, truncates a torn end, completes its
    /// index file, and publishes its length, next offset and maximum timestamp.
    /// </summary>
    /// <param name="context">The store.</param>
    /// <param name="segment">The segment; its files exist.</param>
    /// <param name="loadFullIndex">Return the whole index (for the active segment, which keeps it in memory).</param>
    public static RecoveredSegment Recover(StoreContext context, Segment segment, bool loadFullIndex)
    {
        var options = context.Options;
        using var log = File.OpenHandle(segment.LogPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        using var indexFile = File.OpenHandle(segment.IndexPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var fileLength = RandomAccess.GetLength(log);
        var indexLength = RandomAccess.GetLength(indexFile);
        var fileEntries = (int)Math.Min(indexLength / IndexEntry.Size, int.MaxValue);

        // The in-memory index: all entries for the active segment, only the last one otherwise
        // (sealed indexes are loaded lazily through the index cache).
        string? rebuildReason = null;
        SegmentIndex index;
        if (loadFullIndex)
        {
            var bytes = new byte[fileEntries * IndexEntry.Size];
            FileIo.ReadAtLeast(indexFile, bytes, 0, bytes.Length);
            if (!SegmentIndex.TryParse(bytes, out index))
            {
                rebuildReason = "entries out of order";
                index = new SegmentIndex();
                fileEntries = 0;
            }
        }
        else
        {
            index = new SegmentIndex(1);
            if (fileEntries > 0)
            {
                Span<byte> last = stackalloc byte[IndexEntry.Size];
                FileIo.ReadAtLeast(indexFile, last, (long)(fileEntries - 1) * IndexEntry.Size, IndexEntry.Size);
                index.Append(IndexEntry.Read(last));
            }
        }

        if (fileEntries == 0 && fileLength > options.IndexIntervalBytes && rebuildReason is null)
        {
            rebuildReason = indexLength == 0 ? "index missing or empty" : "index shorter than one entry";
        }

        // Drop entries that do not point at a valid record with the expected offset (written ahead of
        // a log write that did not reach the disk, or pointing into a tail that is cut below).
        while (index.Count > 0 && !PointsAtRecord(log, segment, index.Last!.Value, fileLength))
        {
            if (!loadFullIndex)
            {
                // Earlier entries are not in memory to fall back on: rebuild the whole index.
                rebuildReason = "last entry does not match the log";
                index = new SegmentIndex();
                fileEntries = 0;
                break;
            }

            index.Truncate(index.Count - 1);
            fileEntries = index.Count;
        }

        // Scan from the last trusted entry to the end of the file.
        var start = index.Last ?? new IndexEntry(0, 0, long.MinValue);
        var expected = segment.BaseOffset + start.RelativeOffset;
        var maxTimestamp = start.MaxTimestampBefore;
        long lastIndexed = start.Position;
        var newEntries = new List<IndexEntry>();
        long validEnd;
        string? damage = null;
        using (var scanner = new RecordScanner(log, start.Position, fileLength, verifyChecksums: true))
        {
            while (true)
            {
                var status = scanner.Next();
                if (status == ScanStatus.End)
                {
                    validEnd = scanner.Position;
                    break;
                }

                if (status != ScanStatus.Record || scanner.Current.Offset != expected)
                {
                    validEnd = scanner.Position;
                    damage = status switch
                    {
                        ScanStatus.Incomplete => "incomplete record (torn write)",
                        ScanStatus.Corrupt => "invalid record (bad length, structure or CRC32C)",
                        _ => $"offset {scanner.Current.Offset} where {expected} was expected",
                    };
                    break;
                }

                var position = scanner.CurrentPosition;
                if (position - lastIndexed >= options.IndexIntervalBytes)
                {
                    var entry = new IndexEntry((uint)(expected - segment.BaseOffset), (uint)position, maxTimestamp);
                    newEntries.Add(entry);
                    index.Append(entry);
                    lastIndexed = position;
                }

                maxTimestamp = Math.Max(maxTimestamp, scanner.Current.TimestampMs);
                expected++;
            }
        }

        if (damage is not null)
        {
            Log.TruncatedSegment(context.Logger, segment.LogPath, validEnd, fileLength - validEnd, damage);
            RandomAccess.SetLength(log, validEnd);
            RandomAccess.FlushToDisk(log);
        }

        // Bring the index file in line: keep the trusted prefix, append what the scan added.
        if (rebuildReason is not null)
        {
            Log.IndexRebuilt(context.Logger, segment.IndexPath, rebuildReason);
        }

        if (fileEntries * (long)IndexEntry.Size != indexLength || newEntries.Count > 0)
        {
            RandomAccess.SetLength(indexFile, fileEntries * (long)IndexEntry.Size);
            if (newEntries.Count > 0)
            {
                var bytes = new byte[newEntries.Count * IndexEntry.Size];
                for (var i = 0; i < newEntries.Count; i++)
                {
                    newEntries[i].Write(bytes.AsSpan(i * IndexEntry.Size));
                }

                RandomAccess.Write(indexFile, bytes, fileEntries * (long)IndexEntry.Size);
            }
        }

        segment.Publish(validEnd, expected, maxTimestamp);
        if (loadFullIndex && validEnd > 0)
        {
            using var first = new RecordScanner(log, 0, validEnd, verifyChecksums: false, bufferSize: 4096);
            if (first.Next() == ScanStatus.Record)
            {
                segment.FirstAppendMs = Math.Min(first.Current.TimestampMs, context.Time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }

        return new RecoveredSegment(damage is not null, loadFullIndex ? index : null);
    }

    /// <summary>
    /// Loads a sealed segment's index for the index cache, rebuilding it from the log when the file is
    /// missing or invalid. Null when the segment was removed meanwhile.
    /// </summary>
    public static SegmentIndex? LoadIndex(StoreContext context, Segment segment)
    {
        if (segment.IsRetired)
        {
            return null;
        }

        string reason;
        try
        {
            var bytes = File.ReadAllBytes(segment.IndexPath);
            if (SegmentIndex.TryParse(bytes, out var index) && (index.Last is not { } last || last.Position < segment.Length))
            {
                return index;
            }

            reason = "invalid entries";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            if (segment.IsRetired)
            {
                return null;
            }

            reason = "index missing";
        }

        var handle = context.Handles.TryAcquire(segment.LogFile);
        if (handle is null)
        {
            return null;
        }

        try
        {
            var rebuilt = Rebuild(context, segment, handle);
            Log.IndexRebuilt(context.Logger, segment.IndexPath, reason);
            return rebuilt;
        }
        finally
        {
            context.Handles.Release(segment.LogFile);
        }
    }

    /// <summary>Removes temporary index files left by a crash during a rebuild.</summary>
    public static void DeleteTempFiles(string directory)
    {
        foreach (var temp in Directory.EnumerateFiles(directory, "*" + TempSuffix))
        {
            File.Delete(temp);
        }
    }

    private static SegmentIndex Rebuild(StoreContext context, Segment segment, SafeFileHandle log)
    {
        var index = new SegmentIndex();
        var expected = segment.BaseOffset;
        var maxTimestamp = long.MinValue;
        long lastIndexed = 0;
        using (var scanner = new RecordScanner(log, 0, segment.Length, verifyChecksums: true))
        {
            ScanStatus status;
            while ((status = scanner.Next()) == ScanStatus.Record)
            {
                if (scanner.Current.Offset != expected)
                {
                    throw new InvalidDataException($"Segment {segment.LogPath} holds offset {scanner.Current.Offset} at byte {scanner.CurrentPosition} where {expected} was expected.");
                }

                var position = scanner.CurrentPosition;
                if (position - lastIndexed >= context.Options.IndexIntervalBytes)
                {
                    index.Append(new IndexEntry((uint)(expected - segment.BaseOffset), (uint)position, maxTimestamp));
                    lastIndexed = position;
                }

                maxTimestamp = Math.Max(maxTimestamp, scanner.Current.TimestampMs);
                expected++;
            }

            if (status != ScanStatus.End)
            {
                throw new InvalidDataException($"Segment {segment.LogPath} is corrupt at byte {scanner.Position} ({status}).");
            }
        }

        // Written beside and renamed over, so a reader never sees a half-written index.
        var temp = segment.IndexPath + "." + Guid.NewGuid().ToString("N") + TempSuffix;
        File.WriteAllBytes(temp, index.ToBytes());
        File.Move(temp, segment.IndexPath, overwrite: true);
        return index.Trimmed();
    }

    private static bool PointsAtRecord(SafeFileHandle log, Segment segment, IndexEntry entry, long fileLength)
    {
        if (entry.Position >= fileLength)
        {
            return false;
        }

        using var scanner = new RecordScanner(log, entry.Position, fileLength, verifyChecksums: true, bufferSize: 4096);
        return scanner.Next() == ScanStatus.Record && scanner.Current.Offset == segment.BaseOffset + entry.RelativeOffset;
    }
}
