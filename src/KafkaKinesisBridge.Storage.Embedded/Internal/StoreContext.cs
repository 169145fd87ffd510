using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>What every partition of a store shares: settings, handle and index caches, clock, logger.</summary>
internal sealed class StoreContext
{
    public StoreContext(EmbeddedLogOptions options, ILogger logger, TimeProvider time)
    {
        Options = options;
        Logger = logger;
        Time = time;
        Handles = new FileHandleCache(options.MaxOpenFiles);
        Indexes = new IndexCache(options.IndexCacheBytes, segment => SegmentRecovery.LoadIndex(this, segment));
    }

    public EmbeddedLogOptions Options { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public FileHandleCache Handles { get; }

    public IndexCache Indexes { get; }

    /// <summary>fsyncs of appended log data (FsyncOnAppend): one per group commit, not per record.</summary>
    public long DataFlushes => Interlocked.Read(ref _dataFlushes);

    private long _dataFlushes;

    /// <summary>Flushes appended log data to the device and counts it.</summary>
    public void FlushData(Microsoft.Win32.SafeHandles.SafeFileHandle log)
    {
        RandomAccess.FlushToDisk(log);
        Interlocked.Increment(ref _dataFlushes);
    }
}
