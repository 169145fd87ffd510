using Confluent.Kafka;
using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>The native librdkafka loaded is the 2.15.1 built by src/native/librdkafka.</summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void VersionString_LoadedLibrary_Is2151()
    {
        Assert.Equal("2.15.1", Library.VersionString);
        Assert.Equal(Library.VersionString, KafkaLogStore.LibrdkafkaVersion);
        // 0xMMmmrrxx: major, minor, revision, pre-release (0xff for a release).
        Assert.Equal(0x020f01ff, Library.Version);
    }

    [Fact]
    public void LibraryFile_FromTheLocalPackage_IsNextToTheTests()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "librdkafka.so");
        var arm = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-arm64", "native", "librdkafka.so");
        Assert.True(File.Exists(native) || File.Exists(arm), $"librdkafka.so not found under {AppContext.BaseDirectory}runtimes");
    }
}
