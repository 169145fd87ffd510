using System.Runtime.InteropServices;

namespace KafkaKinesisBridge.Firehose.Sink.Destinations;

/// <summary>
/// Objects as files under a root directory, one folder per bucket (created on first use, so a
/// delivery stream delivers with nothing else installed) and the key's slashes as subfolders.
/// A put is atomic and durable: the bytes go to a temporary file in the bucket folder, which is
/// fsynced, renamed over the key's path (rename(2) replaces atomically, so a reader sees the old or
/// the new object, never a torn one), and the folder is fsynced so the rename survives a power loss.
/// </summary>
public sealed partial class LocalDirectoryObjectStore : IObjectStore
{
    private const string TempPrefix = ".kkb-tmp-";
    private readonly string _root;
    private readonly bool _fsync;

    /// <summary>Stores objects under <paramref name="root"/>; <paramref name="fsync"/> false skips the
    /// fsyncs (tests, benchmarks: a process crash still loses nothing, a power loss may).</summary>
    public LocalDirectoryObjectStore(string root, bool fsync = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.GetFullPath(root);
        _fsync = fsync;
    }

    /// <inheritdoc />
    public string Name => "local";

    /// <summary>The root directory.</summary>
    public string Root => _root;

    /// <summary>The file an object is stored in.</summary>
    public string PathOf(string bucket, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var bucketDirectory = Path.GetFullPath(Path.Combine(_root, bucket));
        var path = Path.GetFullPath(Path.Combine(bucketDirectory, key));
        // S3 keys may hold "..", "//" or a leading "/"; a file system may not let them escape the bucket.
        if (bucket.Contains('/', StringComparison.Ordinal) || bucket.StartsWith('.')
            || !path.StartsWith(bucketDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || key.StartsWith('/') || key.EndsWith('/') || key.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Key '{key}' in bucket '{bucket}' cannot be stored as a file under {_root}.", nameof(key));
        }

        return path;
    }

    /// <inheritdoc />
    public async Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = PathOf(bucket, key);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                PreallocationSize = content.Length,
            });
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
                if (_fsync)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (_fsync)
        {
            FsyncDirectory(directory);
        }
    }

    /// <summary>Lists the keys of a bucket (temporary files excluded), for tests and tools.</summary>
    public IReadOnlyList<string> ListKeys(string bucket)
    {
        var directory = Path.Combine(_root, bucket);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(static f => !Path.GetFileName(f).StartsWith(TempPrefix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)];
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
