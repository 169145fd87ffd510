using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

public sealed class LocalDirectoryObjectStoreTests
{
    [Fact]
    public async Task PutObjectAsync_SameKeyTwice_LastContentOnly()
    {
        using var root = new TempDirectory("kkb-sink");
        var store = new LocalDirectoryObjectStore(root.Path);
        await store.PutObjectAsync("bucket", "2018/01/01/00/a.gz", new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);
        await store.PutObjectAsync("bucket", "2018/01/01/00/a.gz", new byte[] { 4 }, TestContext.Current.CancellationToken);
        Assert.Equal(["2018/01/01/00/a.gz"], store.ListKeys("bucket"));
        Assert.Equal(new byte[] { 4 }, await File.ReadAllBytesAsync(Path.Combine(root.Path, "bucket", "2018", "01", "01", "00", "a.gz"), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("bucket", "../outside")]
    [InlineData("bucket", "a/../../outside")]
    [InlineData("bucket", "/absolute")]
    [InlineData("bucket", "a//b")]
    [InlineData("bucket", "folder/")]
    [InlineData("..", "x")]
    [InlineData("a/b", "x")]
    public async Task PutObjectAsync_KeyLeavingTheBucket_Refused(string bucket, string key)
    {
        using var root = new TempDirectory("kkb-sink");
        var store = new LocalDirectoryObjectStore(root.Path);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutObjectAsync(bucket, key, new byte[] { 1 }, TestContext.Current.CancellationToken));
    }
}
