using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// The two POSIX calls .NET does not expose: fsync of a directory (so a created or renamed file's
/// directory entry is durable, which POSIX requires separately from the file's data) and flock.
/// </summary>
internal static partial class NativeMethods
{
    private const string LibC = "libc";
    private const int ReadOnly = 0;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    static NativeMethods()
    {
        // "libc" alone does not load on glibc systems (libc.so is a linker script); name the real library.
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
    }

    /// <summary>Flushes a directory's entries to disk. No-op on Windows, where NTFS journals metadata.</summary>
    public static void FsyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Cannot open directory '{path}' to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Takes an exclusive, non-blocking BSD lock on an open file, in addition to the lock .NET takes for
    /// <see cref="FileShare.None"/>, which can be disabled by configuration. False if another open file
    /// description holds it. True without locking on Windows, where the share mode is enforced.
    /// </summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Flock((int)handle.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibC)
        {
            return IntPtr.Zero;
        }

        var candidate = OperatingSystem.IsLinux() ? "libc.so.6" : OperatingSystem.IsMacOS() ? "libSystem.dylib" : name;
        return NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle) ? handle : IntPtr.Zero;
    }

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport(LibC, EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport(LibC, EntryPoint = "close")]
    private static partial int Close(int fd);

    [LibraryImport(LibC, EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
