using System.Buffers.Binary;
using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded.Internal;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

public sealed class RecordFormatTests
{
    private static readonly LogRecord WithHeaders = new(
        Encoding.UTF8.GetBytes("partition-key"),
        Encoding.UTF8.GetBytes("the value"),
        1_717_200_000_123,
        [new LogHeader("a", new byte[] { 1, 2, 3 }), new LogHeader("ünï", ReadOnlyMemory<byte>.Empty)]);

    [Fact]
    public void Write_SmallRecord_HasTheDocumentedLayout()
    {
        var record = new LogRecord("k"u8.ToArray(), "v"u8.ToArray(), 7);
        var size = (int)RecordFormat.GetEncodedSize(record);
        var bytes = new byte[size];

        RecordFormat.Write(bytes, record, offset: 5, size);

        // README.md: length, crc, magic, offset, timestamp, key, value, header count; little-endian.
        Assert.Equal(39, size);
        Assert.Equal(size - 4, BinaryPrimitives.ReadInt32LittleEndian(bytes));
        Assert.Equal(Crc32C.Compute(bytes.AsSpan(8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(1, bytes[8]);
        Assert.Equal(5, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)));
        Assert.Equal(7, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(25)));
        Assert.Equal((byte)'k', bytes[29]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(30)));
        Assert.Equal((byte)'v', bytes[34]);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(35)));
    }

    [Fact]
    public void TryDecode_WrittenRecord_RoundTripsEveryField()
    {
        var bytes = Encode(WithHeaders, 42);

        Assert.Equal(DecodeStatus.Ok, RecordFormat.TryDecode(bytes, verifyChecksum: true, out var info));

        Assert.Equal(42, info.Offset);
        Assert.Equal(WithHeaders.TimestampMs, info.TimestampMs);
        Assert.Equal(bytes.Length, info.TotalLength);
        Assert.Equal("partition-key", Encoding.UTF8.GetString(bytes, info.KeyStart, info.KeyLength));
        Assert.Equal("the value", Encoding.UTF8.GetString(bytes, info.ValueStart, info.ValueLength));
        var headers = RecordFormat.ReadHeaders(bytes, 0, info, out var headersSize);
        Assert.NotNull(headers);
        Assert.Equal(["a", "ünï"], headers.Select(h => h.Key));
        Assert.Equal(new byte[] { 1, 2, 3 }, headers[0].Value.ToArray());
        Assert.True(headers[1].Value.IsEmpty);
        Assert.Equal(LogRecordSize.HeadersSize(WithHeaders.Headers), headersSize);
    }

    [Fact]
    public void TryDecode_EveryTruncation_ReturnsIncomplete()
    {
        var bytes = Encode(WithHeaders, 1);

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(DecodeStatus.Incomplete, RecordFormat.TryDecode(bytes.AsSpan(0, length), verifyChecksum: true, out _));
        }
    }

    [Fact]
    public void TryDecode_AnyByteChangedAfterLength_ReturnsCorrupt()
    {
        var original = Encode(WithHeaders, 1);

        for (var position = RecordFormat.LengthSize; position < original.Length; position++)
        {
            var bytes = (byte[])original.Clone();
            bytes[position] ^= 0x5A;
            Assert.True(DecodeStatus.Corrupt == RecordFormat.TryDecode(bytes, verifyChecksum: true, out _), $"change at byte {position} not detected");
        }
    }

    [Fact]
    public void TryDecode_ImpossibleLength_ReturnsCorrupt()
    {
        var bytes = Encode(WithHeaders, 1);

        BinaryPrimitives.WriteInt32LittleEndian(bytes, 0);
        Assert.Equal(DecodeStatus.Corrupt, RecordFormat.TryDecode(bytes, verifyChecksum: true, out _));
        BinaryPrimitives.WriteInt32LittleEndian(bytes, -5);
        Assert.Equal(DecodeStatus.Corrupt, RecordFormat.TryDecode(bytes, verifyChecksum: true, out _));
        BinaryPrimitives.WriteInt32LittleEndian(bytes, int.MaxValue);
        Assert.Equal(DecodeStatus.Corrupt, RecordFormat.TryDecode(bytes, verifyChecksum: true, out _));
    }

    [Fact]
    public void GetEncodedSize_UnencodableHeaderName_ReturnsMinusOne()
    {
        LogRecord tooLong = new(default, default, 0, [new LogHeader(new string('n', 70_000), default)]);
        LogRecord loneSurrogate = new(default, default, 0, [new LogHeader("bad\uD800", default)]);

        Assert.Equal(-1, RecordFormat.GetEncodedSize(tooLong));
        Assert.Equal(-1, RecordFormat.GetEncodedSize(loneSurrogate));
    }

    private static byte[] Encode(LogRecord record, long offset)
    {
        var size = (int)RecordFormat.GetEncodedSize(record);
        var bytes = new byte[size];
        RecordFormat.Write(bytes, record, offset, size);
        return bytes;
    }
}
