using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Storage.Embedded;

/// <summary>Settings of the embedded log. Bind from configuration section <see cref="SectionName"/>.</summary>
public sealed class EmbeddedLogOptions
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "Storage:Embedded";

    /// <summary>Default <see cref="SegmentBytes"/>: 128 MiB.</summary>
    public const long DefaultSegmentBytes = 128L * 1024 * 1024;

    /// <summary>Largest <see cref="SegmentBytes"/>: 1 GiB (index positions are 32-bit).</summary>
    public const long MaxSegmentBytes = 1L * 1024 * 1024 * 1024;

    /// <summary>Default <see cref="MaxRecordBytes"/>: 16 MiB, room for a 10 MiB Kinesis record with its key and headers.</summary>
    public const int DefaultMaxRecordBytes = 16 * 1024 * 1024;

    /// <summary>Largest <see cref="MaxRecordBytes"/>: 256 MiB.</summary>
    public const int MaxMaxRecordBytes = 256 * 1024 * 1024;

    /// <summary>Default <see cref="IndexIntervalBytes"/>: 4 KiB, as Kafka's <c>index.interval.bytes</c>.</summary>
    public const int DefaultIndexIntervalBytes = 4096;

    /// <summary>Default <see cref="IndexCacheBytes"/>: 64 MiB.</summary>
    public const long DefaultIndexCacheBytes = 64L * 1024 * 1024;

    /// <summary>Default <see cref="MaxOpenFiles"/>.</summary>
    public const int DefaultMaxOpenFiles = 1024;

    /// <summary>Folder holding the data: a <c>topics</c> folder with one folder per topic, and a lock file.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>A partition's active segment is closed and a new one started when it would exceed this size
    /// (Kafka <c>segment.bytes</c>). Retention deletes whole segments, so this is also its granularity.</summary>
    public long SegmentBytes { get; set; } = DefaultSegmentBytes;

    /// <summary>A segment whose first record is older than this is closed at the next append
    /// (Kafka <c>segment.ms</c>); <see cref="Timeout.InfiniteTimeSpan"/> to roll by size only.</summary>
    public TimeSpan SegmentMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>When true, an append completes only after its bytes are flushed to the device (one fsync per
    /// group of concurrent appends); acknowledged records then survive an operating system crash. When false,
    /// an append completes once written to the operating system, which survives a process crash.</summary>
    public bool FsyncOnAppend { get; set; }

    /// <summary>How often retention looks for expired segments (Kafka <c>log.retention.check.interval.ms</c>).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most file handles of old segments kept open at once (least recently used are closed). Each
    /// partition's active segment keeps two more (log and index) open.</summary>
    public int MaxOpenFiles { get; set; } = DefaultMaxOpenFiles;

    /// <summary>Bytes of log between two sparse index entries (Kafka <c>index.interval.bytes</c>). Smaller means
    /// faster lookups and larger indexes.</summary>
    public int IndexIntervalBytes { get; set; } = DefaultIndexIntervalBytes;

    /// <summary>Memory budget for the indexes of closed segments kept in memory (least recently used are
    /// dropped and read again from disk when needed).</summary>
    public long IndexCacheBytes { get; set; } = DefaultIndexCacheBytes;

    /// <summary>Largest encoded record (key, value, headers and 37 bytes of framing) an append accepts;
    /// larger records fail with <c>RecordTooLarge</c>.</summary>
    public int MaxRecordBytes { get; set; } = DefaultMaxRecordBytes;

    /// <summary>Whether reads check each record's CRC32C (corruption then surfaces as an exception
    /// instead of wrong data).</summary>
    public bool VerifyChecksumsOnRead { get; set; } = true;

    /// <summary>The problems with these settings; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            errors.Add($"{nameof(DataDirectory)} is required.");
        }

        if (SegmentBytes < 1024 || SegmentBytes > MaxSegmentBytes)
        {
            errors.Add($"{nameof(SegmentBytes)} must be between 1024 and {MaxSegmentBytes}; it is {SegmentBytes}.");
        }

        if (SegmentMaxAge <= TimeSpan.Zero && SegmentMaxAge != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(SegmentMaxAge)} must be positive or infinite; it is {SegmentMaxAge}.");
        }

        if (RetentionCheckInterval <= TimeSpan.Zero || RetentionCheckInterval > TimeSpan.FromDays(1))
        {
            errors.Add($"{nameof(RetentionCheckInterval)} must be positive and at most a day; it is {RetentionCheckInterval}.");
        }

        if (MaxOpenFiles < 1)
        {
            errors.Add($"{nameof(MaxOpenFiles)} must be at least 1; it is {MaxOpenFiles}.");
        }

        if (IndexIntervalBytes < 64 || IndexIntervalBytes > 16 * 1024 * 1024)
        {
            errors.Add($"{nameof(IndexIntervalBytes)} must be between 64 and 16777216; it is {IndexIntervalBytes}.");
        }

        if (IndexCacheBytes < 0)
        {
            errors.Add($"{nameof(IndexCacheBytes)} must not be negative; it is {IndexCacheBytes}.");
        }

        if (MaxRecordBytes < 1024 || MaxRecordBytes > MaxMaxRecordBytes)
        {
            errors.Add($"{nameof(MaxRecordBytes)} must be between 1024 and {MaxMaxRecordBytes}; it is {MaxRecordBytes}.");
        }

        return errors;
    }
}

/// <summary>Validates <see cref="EmbeddedLogOptions"/> when options are resolved (and at start with ValidateOnStart).</summary>
public sealed class EmbeddedLogOptionsValidator : IValidateOptions<EmbeddedLogOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EmbeddedLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
