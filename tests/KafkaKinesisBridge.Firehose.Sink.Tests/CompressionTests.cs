using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using KafkaKinesisBridge.Firehose.Sink.Buffering;
using KafkaKinesisBridge.Firehose.Sink.Model;
using Snappier;

namespace KafkaKinesisBridge.Firehose.Sink.Tests;

public sealed class CompressionTests
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 50_000).Select(i => $"{{\"n\":{i}}}\n")));

    [Fact]
    public void Compress_Gzip_DecompressesToTheContent()
    {
        var compressed = ObjectCompressor.Compress(SinkCompressionFormat.Gzip, Content, "x", CompressionLevel.Fastest);
        using var gzip = new GZipStream(new MemoryStream(compressed.ToArray()), CompressionMode.Decompress);
        Assert.Equal(Content, ReadAll(gzip));
        Assert.True(compressed.Length < Content.Length / 2, $"{compressed.Length} of {Content.Length}");
    }

    [Fact]
    public void Compress_Zip_OneEntryNamedAfterTheObject()
    {
        var compressed = ObjectCompressor.Compress(SinkCompressionFormat.Zip, Content, "orders-1-2018-01-01-00-00-00-id", CompressionLevel.Fastest);
        using var archive = new ZipArchive(new MemoryStream(compressed.ToArray()), ZipArchiveMode.Read);
        var entry = Assert.Single(archive.Entries);
        Assert.Equal("orders-1-2018-01-01-00-00-00-id", entry.FullName);
        using var stream = entry.Open();
        Assert.Equal(Content, ReadAll(stream));
    }

    [Fact]
    public void Compress_Snappy_IsTheFramingFormat()
    {
        var compressed = ObjectCompressor.Compress(SinkCompressionFormat.Snappy, Content, "x", CompressionLevel.Fastest).ToArray();
        // framing_format.txt: the stream identifier chunk, type 0xff, length 6, "sNaPpY".
        Assert.Equal(new byte[] { 0xff, 6, 0, 0, (byte)'s', (byte)'N', (byte)'a', (byte)'P', (byte)'p', (byte)'Y' }, compressed[..10]);
        using var snappy = new SnappyStream(new MemoryStream(compressed), CompressionMode.Decompress);
        Assert.Equal(Content, ReadAll(snappy));
    }

    [Fact]
    public void Compress_HadoopSnappy_BlocksOfAtMost256KiB()
    {
        var compressed = ObjectCompressor.Compress(SinkCompressionFormat.HadoopSnappy, Content, "x", CompressionLevel.Fastest).ToArray();
        var output = new MemoryStream();
        var position = 0;
        var blocks = 0;
        while (position < compressed.Length)
        {
            var uncompressed = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position));
            var length = BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position + 4));
            Assert.InRange(uncompressed, 1, ObjectCompressor.HadoopSnappyBlockSize);
            var block = Snappy.DecompressToArray(compressed.AsSpan(position + 8, length));
            Assert.Equal(uncompressed, block.Length);
            output.Write(block);
            position += 8 + length;
            blocks++;
        }

        Assert.Equal(Content, output.ToArray());
        Assert.Equal((Content.Length + ObjectCompressor.HadoopSnappyBlockSize - 1) / ObjectCompressor.HadoopSnappyBlockSize, blocks);
    }

    [Fact]
    public void Compress_Uncompressed_ReturnsTheContent() =>
        Assert.Equal(Content, ObjectCompressor.Compress(SinkCompressionFormat.Uncompressed, Content, "x", CompressionLevel.Fastest).ToArray());

    [Theory]
    [InlineData(SinkCompressionFormat.Uncompressed, "")]
    [InlineData(SinkCompressionFormat.Gzip, ".gz")]
    [InlineData(SinkCompressionFormat.Zip, ".zip")]
    [InlineData(SinkCompressionFormat.Snappy, ".snappy")]
    [InlineData(SinkCompressionFormat.HadoopSnappy, ".snappy")]
    public void Extension_Format_AsFirehose(SinkCompressionFormat format, string extension) =>
        Assert.Equal(extension, ObjectCompressor.Extension(format));

    private static byte[] ReadAll(Stream stream)
    {
        var output = new MemoryStream();
        stream.CopyTo(output);
        return output.ToArray();
    }
}
