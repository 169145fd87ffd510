using Confluent.Kafka;
using KafkaKinesisBridge.Storage.Kafka;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>The native librdkafka loaded is the official prebuilt 2.16.0 of librdkafka.redist.</summary>
public sealed class NativeLibraryTests
{
    [Fact]
    public void VersionString_LoadedLibrary_Is2160()
    {
        Assert.Equal("2.16.0", Library.VersionString);
        Assert.Equal(Library.VersionString, KafkaLogStore.LibrdkafkaVersion);
        // 0xMMmmrrxx: major, minor, revision, pre-release (0xff for a release).
        Assert.Equal(0x021000ff, Library.Version);
    }

    [Fact]
    public void OutputFolder_HoldsOnlyThisPlatformsNativeLibrary()
    {
        // Built with this machine's RuntimeIdentifier (Directory.Build.props): the package's native
        // files for this platform are flattened next to the tests, and no other platform's are copied.
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "librdkafka.so")), $"librdkafka.so not in {AppContext.BaseDirectory}");
        Assert.False(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "win-x64")), "other platforms' native libraries were copied");
    }

    [Fact]
    public void MockCluster_ThroughOurOwnImports_LoadsDespiteTheRhelSoname()
    {
        // The package's default librdkafka.so needs libsasl2.so.3, which Debian lacks; the resolver in
        // LibRdKafka falls back to the centos8 build as Confluent.Kafka does.
        using var cluster = KafkaMockCluster.Start(1);
        Assert.StartsWith("127.0.0.1:", cluster.BootstrapServers, StringComparison.Ordinal);
    }
}
