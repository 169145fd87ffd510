using System.Globalization;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// One segment of a partition: a log file holding the records from <see cref="BaseOffset"/> on, and
/// its sparse index. Files are named by base offset, zero-padded to 20 digits, as in Kafka
/// (<c>00000000000000000000.log</c>, <c>.index</c>), so a folder listing sorts them in offset order.
/// </summary>
/// <remarks>
/// The append path is the only writer. It publishes a write with <see cref="Publish"/>: maximum
/// timestamp, then length, then next offset, each a volatile write. Readers read
/// <see cref="NextOffset"/> first, so the length and maximum timestamp they read next cover at least
/// the records below that offset; records beyond it are ignored, so a read never sees a partial write.
/// </remarks>
internal sealed class Segment
{
    public const string LogExtension = ".log";
    public const string IndexExtension = ".index";

    private long _nextOffset;
    private long _length;
    private long _maxTimestamp = long.MinValue;

    // Index state: the active segment keeps its index here; sealed segments go through IndexCache,
    // whose lock guards the two fields after it.
    internal SegmentIndex? ActiveIndex;
    internal SegmentIndex? CachedIndex;
    internal LinkedListNode<Segment>? CacheNode;

    public Segment(string directory, long baseOffset)
    {
        BaseOffset = baseOffset;
        _nextOffset = baseOffset;
        LogFile = new CachedFile(Path.Combine(directory, FileName(baseOffset, LogExtension)));
        IndexPath = Path.Combine(directory, FileName(baseOffset, IndexExtension));
    }

    public long BaseOffset { get; }

    public CachedFile LogFile { get; }

    public string LogPath => LogFile.Path;

    public string IndexPath { get; }

    /// <summary>One past the last record's offset (the base offset when empty).</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Bytes of whole records in the log file.</summary>
    public long Length => Volatile.Read(ref _length);

    /// <summary>Largest record timestamp in the segment; <see cref="long.MinValue"/> when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>
    /// When the segment took its first record, in Unix milliseconds of the store's clock (for rolling by
    /// age; the wall clock rather than record timestamps, which clients set). For a segment recovered at
    /// open, its first record's timestamp, capped at the time of opening. <see cref="long.MinValue"/> when
    /// empty. Writer only.
    /// </summary>
    public long FirstAppendMs { get; set; } = long.MinValue;

    /// <summary>True once retention or a topic deletion removed the segment.</summary>
    public bool IsRetired => LogFile.IsRetired;

    /// <summary>Makes a completed write visible to readers (see the class remarks for the order).</summary>
    public void Publish(long length, long nextOffset, long maxTimestamp)
    {
        Volatile.Write(ref _maxTimestamp, maxTimestamp);
        Volatile.Write(ref _length, length);
        Volatile.Write(ref _nextOffset, nextOffset);
    }

    public static string FileName(long baseOffset, string extension) =>
        baseOffset.ToString("D20", CultureInfo.InvariantCulture) + extension;

    /// <summary>Parses a base offset from a segment file name such as <c>00000000000000000042.log</c>.</summary>
    public static bool TryParseFileName(string fileName, string extension, out long baseOffset)
    {
        baseOffset = 0;
        return fileName.Length == 20 + extension.Length &&
            fileName.EndsWith(extension, StringComparison.Ordinal) &&
            long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    public override string ToString() => LogPath;
}
