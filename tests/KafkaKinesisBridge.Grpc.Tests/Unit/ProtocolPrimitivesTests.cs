using System.Buffers;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc.Tests.Unit;

/// <summary>The protocol's small encodings: percent-encoding, grpc-timeout, base64 metadata, framing, content-type.</summary>
public sealed class ProtocolPrimitivesTests
{
    [Theory]
    [InlineData("plain ascii message", "plain ascii message")]
    [InlineData("100%", "100%25")]
    [InlineData("tab\tnewline\n", "tab%09newline%0A")]
    [InlineData("é", "%C3%A9")]
    [InlineData("✓", "%E2%9C%93")]
    [InlineData("😀", "%F0%9F%98%80")]
    [InlineData("~ and space", "~ and space")]
    [InlineData("\u007f", "%7F")]
    public void PercentEncode_Value_EncodesPerSpec(string value, string expected) =>
        Assert.Equal(expected, PercentEncoding.Encode(value));

    [Fact]
    public void PercentEncode_NothingToEscape_ReturnsSameInstance()
    {
        var value = "Stream orders not found";
        Assert.Same(value, PercentEncoding.Encode(value));
    }

    [Theory]
    [InlineData("Ünïcode ✓ 100% done\r\n")]
    [InlineData("%%%")]
    [InlineData("日本語 😀")]
    [InlineData("")]
    public void PercentDecode_OfEncode_RoundTrips(string value) =>
        Assert.Equal(value, PercentEncoding.Decode(PercentEncoding.Encode(value)));

    [Theory]
    [InlineData("bad %zz escape", "bad %zz escape")]
    [InlineData("trailing %", "trailing %")]
    [InlineData("short %4", "short %4")]
    [InlineData("lower %c3%a9", "lower é")]
    public void PercentDecode_MalformedEscapes_KeptAsIs(string value, string expected) =>
        Assert.Equal(expected, PercentEncoding.Decode(value));

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1500u", 15_000L)]
    [InlineData("100n", 1L)]
    [InlineData("99999999H", 99_999_999L * 36_000_000_000L)]
    [InlineData("0m", 0L)]
    public void TimeoutParse_ValidValue_Ticks(string value, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    public void TimeoutParse_InvalidValue_False(string value) =>
        Assert.False(GrpcTimeout.TryParse(value, out _));

    [Theory]
    [InlineData(0L, "0n")]
    [InlineData(1L, "100n")]
    [InlineData(999_999L, "99999900n")]
    [InlineData(1_000_000L, "100000u")]
    [InlineData(10_000_000L * 3600 * 24 * 365, "31536000S")]
    public void TimeoutFormat_Value_FinestUnitWithinEightDigits(long ticks, string expected) =>
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));

    [Theory]
    [InlineData(1L)]
    [InlineData(12_345_678L)]
    [InlineData(987_654_321_123L)]
    [InlineData(36_000_000_000L * 1000)]
    public void TimeoutFormat_ThenParse_NeverShorter(long ticks)
    {
        var formatted = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));
        Assert.True(formatted.Length <= 9, formatted);
        Assert.True(GrpcTimeout.TryParse(formatted, out var parsed));
        Assert.True(parsed.Ticks >= ticks, $"{formatted} parsed to {parsed.Ticks} < {ticks}");
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1 })]
    [InlineData(new byte[] { 1, 2 })]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0, 255, 254, 253 })]
    public void BinaryHeader_EncodeUnpadded_DecodesBothForms(byte[] value)
    {
        var encoded = BinaryHeader.Encode(value);
        Assert.DoesNotContain('=', encoded);
        Assert.Equal(Convert.ToBase64String(value).TrimEnd('='), encoded);
        Assert.True(BinaryHeader.TryDecode(encoded, out var unpadded));
        Assert.Equal(value, unpadded);
        Assert.True(BinaryHeader.TryDecode(Convert.ToBase64String(value), out var padded));
        Assert.Equal(value, padded);
    }

    [Theory]
    [InlineData("A")]
    [InlineData("not base64!")]
    [InlineData("AB=C")]
    public void BinaryHeader_Invalid_False(string value) =>
        Assert.False(BinaryHeader.TryDecode(value, out _));

    [Fact]
    public void BinaryHeader_CommaJoinedValues_SplitBeforeDecoding()
    {
        var results = new List<byte[]>();
        Assert.True(BinaryHeader.TryDecodeAll("AQI, AwQF", results));
        Assert.Equal([new byte[] { 1, 2 }, new byte[] { 3, 4, 5 }], results);
    }

    [Fact]
    public void FrameHeader_SplitAcrossSegmentsAtEveryPosition_Read()
    {
        byte[] header = [1, 0x00, 0x01, 0x02, 0x03];
        for (var split = 0; split <= header.Length; split++)
        {
            var sequence = Segments(header[..split], header[split..], [0xAA]);
            Assert.True(GrpcFraming.TryReadHeader(sequence, out var flag, out var length), $"split {split}");
            Assert.Equal(1, flag);
            Assert.Equal(0x010203u, length);
        }
    }

    [Fact]
    public void FrameHeader_OneByteSegments_Read()
    {
        var sequence = Segments([0], [0xFF], [0xFF], [0xFF], [0xFE]);
        Assert.True(GrpcFraming.TryReadHeader(sequence, out var flag, out var length));
        Assert.Equal(0, flag);
        Assert.Equal(0xFFFFFFFEu, length);
    }

    [Fact]
    public void FrameHeader_FewerThanFiveBytes_False()
    {
        Assert.False(GrpcFraming.TryReadHeader(Segments([0, 0], [0, 1]), out _, out _));
        Assert.False(GrpcFraming.TryReadHeader(ReadOnlySequence<byte>.Empty, out _, out _));
    }

    [Theory]
    [InlineData("application/grpc", "Proto")]
    [InlineData("application/grpc+proto", "Proto")]
    [InlineData("application/grpc;charset=utf-8", "Proto")]
    [InlineData("application/grpc+proto; a=b", "Proto")]
    [InlineData("Application/GRPC", "Proto")]
    [InlineData("application/grpc+json", "OtherSubtype")]
    [InlineData("application/grpc-web", "NotGrpc")]
    [InlineData("application/grpcx", "NotGrpc")]
    [InlineData("application/json", "NotGrpc")]
    [InlineData(null, "NotGrpc")]
    public void ContentType_Classified(string? contentType, string expected) =>
        Assert.Equal(expected, GrpcProtocol.ClassifyContentType(contentType).ToString());

    [Theory]
    [InlineData("identity,gzip", true)]
    [InlineData("identity, deflate, gzip", true)]
    [InlineData("GZIP", true)]
    [InlineData("gzipx,identity", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void AcceptEncoding_ListContainsGzip(string? list, bool expected) =>
        Assert.Equal(expected, GrpcProtocol.ListContains(list, "gzip"));

    private static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (var part in parts)
        {
            var segment = new Segment(part, last);
            first ??= segment;
            last = segment;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, Segment? previous)
        {
            Memory = data;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
