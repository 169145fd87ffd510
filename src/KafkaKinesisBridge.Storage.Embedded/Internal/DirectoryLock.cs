using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// Exclusive ownership of a data directory for the life of a store: the file <c>lock</c> held open
/// with an exclusive lock (flock on Unix, the share mode on Windows). The operating system drops the
/// lock when the process ends, however it ends, so a crash never leaves a stale lock behind. The file
/// holds the owner's process id, for people.
/// </summary>
internal sealed class DirectoryLock : IDisposable
{
    public const string FileName = "lock";

    private readonly SafeFileHandle _handle;

    private DirectoryLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }

    /// <exception cref="DataDirectoryInUseException">Another process or store holds the directory.</exception>
    public static DirectoryLock Acquire(string directory)
    {
        var path = System.IO.Path.Combine(directory, FileName);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            // .NET reports a held lock (EWOULDBLOCK from flock on Unix, a sharing violation on Windows) this way.
            throw new DataDirectoryInUseException(directory, e);
        }

        if (!NativeMethods.TryLockExclusive(handle))
        {
            handle.Dispose();
            throw new DataDirectoryInUseException(directory);
        }

        try
        {
            var content = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            RandomAccess.SetLength(handle, 0);
            RandomAccess.Write(handle, content, 0);
        }
        catch (IOException)
        {
            // The process id is informative only.
        }

        return new DirectoryLock(handle, path);
    }

    public void Dispose() => _handle.Dispose();
}
