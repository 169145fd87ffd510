using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>A segment file whose handle is managed by <see cref="FileHandleCache"/>.</summary>
internal sealed class CachedFile
{
    public CachedFile(string path)
    {
        Path = path;
        IdleNode = new LinkedListNode<CachedFile>(this);
    }

    public string Path { get; }

    /// <summary>This file's node in the cache's idle list, reused so releasing a lease allocates nothing.</summary>
    internal LinkedListNode<CachedFile> IdleNode { get; }

    // All fields below are guarded by the cache's lock.
    internal SafeFileHandle? Handle;
    internal int Leases;
    internal bool Retired;
    internal bool DeleteWhenRetired;

    /// <summary>True once the file was retired (deleted by retention or its topic deleted).</summary>
    public bool IsRetired => Volatile.Read(ref Retired);
}

/// <summary>
/// Bounds the open handles of segment files. A handle is leased while a read or write uses it; handles
/// with no lease stay open in least-recently-used order, and the oldest are closed once more than
/// <c>capacity</c> are open. The active segment of each partition holds a lease for as long as it is
/// active, so only old segments (which readers visit rarely) come and go.
/// </summary>
/// <remarks>
/// Retiring a file (retention deleted its segment, or its topic was deleted) refuses new leases;
/// the handle is closed, and for retention the file deleted, when the last lease is released, so a
/// reader that started before the deletion finishes its read.
/// </remarks>
internal sealed class FileHandleCache : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<CachedFile> _idle = new();
    private readonly int _capacity;
    private int _open;
    private bool _disposed;

    public FileHandleCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Handles currently open (leased or idle).</summary>
    public int OpenCount
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>
    /// Leases the file's handle, opening it if needed. Returns null when the file was retired; the
    /// caller then re-reads the partition's segments.
    /// </summary>
    public SafeFileHandle? TryAcquire(CachedFile file)
    {
        List<SafeFileHandle>? toClose = null;
        SafeFileHandle? handle;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (file.Retired)
            {
                return null;
            }

            if (file.Handle is null)
            {
                // Opened under the lock: opening is rare (old segments only) and the lock keeps the
                // bookkeeping simple. Read-write, because a partition's last segment is written to.
                file.Handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                _open++;
                toClose = EvictLocked();
            }
            else if (file.IdleNode.List is not null)
            {
                _idle.Remove(file.IdleNode);
            }

            file.Leases++;
            handle = file.Handle;
        }

        Close(toClose);
        return handle;
    }

    /// <summary>Registers a handle the caller just opened (a new active segment) with one lease held.</summary>
    public void AdoptLeased(CachedFile file, SafeFileHandle handle)
    {
        List<SafeFileHandle>? toClose;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            file.Handle = handle;
            file.Leases = 1;
            _open++;
            toClose = EvictLocked();
        }

        Close(toClose);
    }

    /// <summary>Returns a lease taken by <see cref="TryAcquire"/> or <see cref="AdoptLeased"/>.</summary>
    public void Release(CachedFile file)
    {
        SafeFileHandle? toCloseOne = null;
        List<SafeFileHandle>? toClose = null;
        string? toDelete = null;
        lock (_lock)
        {
            if (--file.Leases > 0)
            {
                return;
            }

            if (file.Retired || _disposed)
            {
                toCloseOne = CloseLocked(file);
                toDelete = file.Retired && file.DeleteWhenRetired ? file.Path : null;
            }
            else
            {
                _idle.AddLast(file.IdleNode);
                toClose = EvictLocked();
            }
        }

        toCloseOne?.Dispose();
        Close(toClose);
        DeleteFile(toDelete);
    }

    /// <summary>
    /// Refuses new leases on the file; closes its handle (and deletes the file when
    /// <paramref name="deleteFile"/>) now if unleased, else when the last lease is released.
    /// </summary>
    public void Retire(CachedFile file, bool deleteFile)
    {
        SafeFileHandle? toClose = null;
        string? toDelete = null;
        lock (_lock)
        {
            if (file.Retired)
            {
                return;
            }

            file.Retired = true;
            file.DeleteWhenRetired = deleteFile;
            if (file.Leases == 0)
            {
                toClose = CloseLocked(file);
                toDelete = deleteFile ? file.Path : null;
            }
        }

        toClose?.Dispose();
        DeleteFile(toDelete);
    }

    /// <summary>Closes every handle; leased ones close when released (SafeHandle keeps an in-flight call safe).</summary>
    public void Dispose()
    {
        List<SafeFileHandle> toClose = [];
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            while (_idle.First is { } node)
            {
                if (CloseLocked(node.Value) is { } handle)
                {
                    toClose.Add(handle);
                }
            }
        }

        Close(toClose);
    }

    private List<SafeFileHandle>? EvictLocked()
    {
        List<SafeFileHandle>? toClose = null;
        while (_open > _capacity && _idle.First is { } oldest)
        {
            if (CloseLocked(oldest.Value) is { } handle)
            {
                (toClose ??= []).Add(handle);
            }
        }

        return toClose;
    }

    private SafeFileHandle? CloseLocked(CachedFile file)
    {
        if (file.IdleNode.List is not null)
        {
            _idle.Remove(file.IdleNode);
        }

        if (file.Handle is null)
        {
            return null;
        }

        var handle = file.Handle;
        file.Handle = null;
        _open--;
        return handle;
    }

    private static void Close(List<SafeFileHandle>? handles)
    {
        if (handles is null)
        {
            return;
        }

        foreach (var handle in handles)
        {
            handle.Dispose();
        }
    }

    private static void DeleteFile(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind: the next open of the store finds it again as the oldest segment, and the
            // next retention pass deletes it.
        }
    }
}
