using KafkaKinesisBridge.Storage.Embedded.Internal;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

public sealed class FileHandleCacheTests : IDisposable
{
    private readonly TempDirectory _directory = new("kkb-handles");

    [Fact]
    public void Release_MoreIdleFilesThanCapacity_ClosesLeastRecentlyUsed()
    {
        using var cache = new FileHandleCache(capacity: 3);
        var files = Enumerable.Range(0, 10).Select(i => NewFile($"f{i}")).ToArray();

        foreach (var file in files)
        {
            Assert.NotNull(cache.TryAcquire(file));
            cache.Release(file);
            Assert.True(cache.OpenCount <= 3);
        }

        Assert.Equal(3, cache.OpenCount);
        Assert.All(files[..7], f => Assert.Null(f.Handle));
        Assert.All(files[7..], f => Assert.NotNull(f.Handle));
    }

    [Fact]
    public void TryAcquire_LeasedFiles_AreNeverClosedByEviction()
    {
        using var cache = new FileHandleCache(capacity: 2);
        var files = Enumerable.Range(0, 5).Select(i => NewFile($"f{i}")).ToArray();

        var handles = files.Select(f => cache.TryAcquire(f)!).ToArray();

        Assert.Equal(5, cache.OpenCount);
        Assert.All(handles, h => Assert.False(h.IsClosed));
        foreach (var file in files)
        {
            cache.Release(file);
        }

        Assert.Equal(2, cache.OpenCount);
    }

    [Fact]
    public void Retire_WhileLeased_ClosesAndDeletesOnlyAfterLastRelease()
    {
        using var cache = new FileHandleCache(capacity: 4);
        var file = NewFile("segment");
        var handle = cache.TryAcquire(file)!;

        cache.Retire(file, deleteFile: true);

        Assert.Null(cache.TryAcquire(file));
        Assert.False(handle.IsClosed);
        Assert.True(File.Exists(file.Path));
        Assert.Equal(5, RandomAccess.Read(handle, new byte[5], 0));

        cache.Release(file);

        Assert.True(handle.IsClosed);
        Assert.False(File.Exists(file.Path));
        Assert.Equal(0, cache.OpenCount);
    }

    [Fact]
    public void Retire_WithoutDelete_KeepsTheFile()
    {
        using var cache = new FileHandleCache(capacity: 4);
        var file = NewFile("kept");
        Assert.NotNull(cache.TryAcquire(file));
        cache.Release(file);

        cache.Retire(file, deleteFile: false);

        Assert.True(File.Exists(file.Path));
        Assert.Equal(0, cache.OpenCount);
    }

    public void Dispose() => _directory.Dispose();

    private CachedFile NewFile(string name)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllBytes(path, [1, 2, 3, 4, 5]);
        return new CachedFile(path);
    }
}
