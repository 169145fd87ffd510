using System.Buffers.Binary;
using System.IO.Compression;
using KafkaKinesisBridge.Firehose.Sink.Model;
using Snappier;

namespace KafkaKinesisBridge.Firehose.Sink.Buffering;

/// <summary>
/// Compresses an object's content in the destination's CompressionFormat: GZIP and ZIP from the BCL,
/// framed Snappy from Snappier, HADOOP_SNAPPY as Hadoop's block format around Snappier's raw blocks.
/// </summary>
internal static class ObjectCompressor
{
    /// <summary>Hadoop's default <c>io.compression.codec.snappy.buffersize</c> (256 KiB): the uncompressed block size.</summary>
    internal const int HadoopSnappyBlockSize = 256 * 1024;

    /// <summary>The default extension Firehose gives each format ("Amazon S3 object name format").</summary>
    public static string Extension(SinkCompressionFormat format) => format switch
    {
        SinkCompressionFormat.Gzip => ".gz",
        SinkCompressionFormat.Zip => ".zip",
        SinkCompressionFormat.Snappy or SinkCompressionFormat.HadoopSnappy => ".snappy",
        _ => string.Empty,
    };

    /// <summary>
    /// Returns the object bytes. For UNCOMPRESSED the input itself is returned (no copy).
    /// <paramref name="zipEntryName"/> names the single entry of a ZIP archive.
    /// </summary>
    public static ReadOnlyMemory<byte> Compress(SinkCompressionFormat format, ReadOnlyMemory<byte> content, string zipEntryName, CompressionLevel level)
    {
        switch (format)
        {
            case SinkCompressionFormat.Uncompressed:
                return content;
            case SinkCompressionFormat.Gzip:
                {
                    var output = new MemoryStream(Math.Max(1024, content.Length / 4));
                    using (var gzip = new GZipStream(output, level, leaveOpen: true))
                    {
                        gzip.Write(content.Span);
                    }

                    return output.GetBuffer().AsMemory(0, (int)output.Length);
                }

            case SinkCompressionFormat.Zip:
                {
                    var output = new MemoryStream(Math.Max(1024, content.Length / 4));
                    using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
                    {
                        var entry = archive.CreateEntry(zipEntryName, level);
                        using var stream = entry.Open();
                        stream.Write(content.Span);
                    }

                    return output.GetBuffer().AsMemory(0, (int)output.Length);
                }

            case SinkCompressionFormat.Snappy:
                {
                    var output = new MemoryStream(Math.Max(1024, content.Length / 2));
                    using (var snappy = new SnappyStream(output, CompressionMode.Compress, leaveOpen: true))
                    {
                        snappy.Write(content.Span);
                    }

                    return output.GetBuffer().AsMemory(0, (int)output.Length);
                }

            case SinkCompressionFormat.HadoopSnappy:
                return HadoopSnappy(content.Span);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown compression format.");
        }
    }

    /// <summary>
    /// Hadoop's BlockCompressorStream framing, as SnappyCodec writes it: for every block of at most
    /// 256 KiB of input, its uncompressed length (4 bytes, big-endian), then one chunk: its compressed
    /// length (4 bytes, big-endian) and the raw Snappy bytes.
    /// </summary>
    private static ReadOnlyMemory<byte> HadoopSnappy(ReadOnlySpan<byte> content)
    {
        var output = new MemoryStream(Math.Max(1024, content.Length / 2));
        var scratch = new byte[Snappy.GetMaxCompressedLength(HadoopSnappyBlockSize)];
        Span<byte> header = stackalloc byte[8];
        for (var offset = 0; offset < content.Length; offset += HadoopSnappyBlockSize)
        {
            var block = content.Slice(offset, Math.Min(HadoopSnappyBlockSize, content.Length - offset));
            var compressed = Snappy.Compress(block, scratch);
            BinaryPrimitives.WriteInt32BigEndian(header, block.Length);
            BinaryPrimitives.WriteInt32BigEndian(header[4..], compressed);
            output.Write(header);
            output.Write(scratch, 0, compressed);
        }

        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }
}
