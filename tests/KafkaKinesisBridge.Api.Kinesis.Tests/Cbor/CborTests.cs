using System.Buffers;
using KafkaKinesisBridge.Api.Aws.Cbor;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Cbor;

/// <summary>CBOR reader and writer against the examples of RFC 8949, Appendix A.</summary>
public sealed class CborTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(10UL, "0a")]
    [InlineData(23UL, "17")]
    [InlineData(24UL, "1818")]
    [InlineData(25UL, "1819")]
    [InlineData(100UL, "1864")]
    [InlineData(1000UL, "1903e8")]
    [InlineData(1000000UL, "1a000f4240")]
    [InlineData(1000000000000UL, "1b000000e8d4a51000")]
    [InlineData(18446744073709551615UL, "1bffffffffffffffff")]
    public void UnsignedIntegers_Rfc8949Examples_ReadAndWrittenInShortestForm(ulong value, string hex)
    {
        var reader = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(CborReadStatus.Done, reader.TryReadUInt64(out var read));
        Assert.Equal(value, read);
        Assert.True(reader.IsAtEnd);

        Assert.Equal(hex, Write(w => w.WriteUInt64(value)));
    }

    [Theory]
    [InlineData(-1L, "20")]
    [InlineData(-10L, "29")]
    [InlineData(-100L, "3863")]
    [InlineData(-1000L, "3903e7")]
    [InlineData(long.MinValue, "3b7fffffffffffffff")]
    [InlineData(1000000000000L, "1b000000e8d4a51000")]
    public void Integers_Rfc8949Examples_ReadAndWritten(long value, string hex)
    {
        var reader = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(CborReadStatus.Done, reader.TryReadInt64(out var read));
        Assert.Equal(value, read);
        Assert.Equal(hex, Write(w => w.WriteInt64(value)));
    }

    [Fact]
    public void TryReadInt64_BeyondLongRange_UnexpectedTypeAndNothingConsumed()
    {
        // -18446744073709551616 (RFC 8949 A) does not fit in a long.
        var reader = new CborReader(Convert.FromHexString("3bffffffffffffffff"));
        Assert.Equal(CborReadStatus.UnexpectedType, reader.TryReadInt64(out _));
        Assert.Equal(0, reader.Position);
    }

    [Theory]
    [InlineData("f90000", 0.0)]
    [InlineData("f93c00", 1.0)]
    [InlineData("fb3ff199999999999a", 1.1)]
    [InlineData("f93e00", 1.5)]
    [InlineData("f97bff", 65504.0)]
    [InlineData("fa47c35000", 100000.0)]
    [InlineData("fa7f7fffff", 3.4028234663852886e+38)]
    [InlineData("fb7e37e43c8800759c", 1.0e+300)]
    [InlineData("f90001", 5.960464477539063e-8)]
    [InlineData("f90400", 0.00006103515625)]
    [InlineData("f9c400", -4.0)]
    [InlineData("fbc010666666666666", -4.1)]
    [InlineData("f97c00", double.PositiveInfinity)]
    [InlineData("f9fc00", double.NegativeInfinity)]
    [InlineData("fa7f800000", double.PositiveInfinity)]
    [InlineData("fb7ff0000000000000", double.PositiveInfinity)]
    public void Floats_HalfSingleDouble_Read(string hex, double expected)
    {
        var reader = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(CborReadStatus.Done, reader.TryReadDouble(out var value));
        Assert.Equal(expected, value);
        Assert.True(reader.IsAtEnd);
    }

    [Fact]
    public void Floats_NaNAndNegativeZero_ReadAndWritten()
    {
        var nan = new CborReader(Convert.FromHexString("f97e00"));
        Assert.Equal(CborReadStatus.Done, nan.TryReadDouble(out var value));
        Assert.True(double.IsNaN(value));

        var negativeZero = new CborReader(Convert.FromHexString("f98000"));
        Assert.Equal(CborReadStatus.Done, negativeZero.TryReadDouble(out var zero));
        Assert.True(double.IsNegative(zero));

        Assert.Equal("fb3ff199999999999a", Write(w => w.WriteDouble(1.1)));
        Assert.Equal("fa47c35000", Write(w => w.WriteSingle(100000.0f)));
        Assert.Equal("f93e00", Write(w => w.WriteHalf((Half)1.5)));
    }

    [Fact]
    public void SimpleValues_Rfc8949Examples_ReadAndWritten()
    {
        var reader = new CborReader(Convert.FromHexString("f4f5f6f7f0f8ff"));
        Assert.Equal(CborReadStatus.Done, reader.TryReadBoolean(out var f));
        Assert.False(f);
        Assert.Equal(CborReadStatus.Done, reader.TryReadBoolean(out var t));
        Assert.True(t);
        Assert.Equal(CborReadStatus.Done, reader.TryReadNull());
        Assert.Equal(CborReadStatus.Done, reader.TryReadNull());
        Assert.Equal(CborReadStatus.Done, reader.TryReadSimpleValue(out var sixteen));
        Assert.Equal(16, sixteen);
        Assert.Equal(CborReadStatus.Done, reader.TryReadSimpleValue(out var max));
        Assert.Equal(255, max);
        Assert.True(reader.IsAtEnd);

        Assert.Equal("f4f5f6f7f0f8ff", Write(w =>
        {
            w.WriteBoolean(false);
            w.WriteBoolean(true);
            w.WriteNull();
            w.WriteUndefined();
            w.WriteSimpleValue(16);
            w.WriteSimpleValue(255);
        }));
    }

    [Fact]
    public void Tags_EpochTimestampExamples_Read()
    {
        // 1(1363896240) and 1(1363896240.5) from RFC 8949 Appendix A.
        var integer = new CborReader(Convert.FromHexString("c11a514b67b0"));
        Assert.Equal(CborReadStatus.Done, integer.TryReadTag(out var tag));
        Assert.Equal(1UL, tag);
        Assert.Equal(CborReadStatus.Done, integer.TryReadInt64(out var seconds));
        Assert.Equal(1363896240L, seconds);

        var fractional = new CborReader(Convert.FromHexString("c1fb41d452d9ec200000"));
        Assert.Equal(CborReadStatus.Done, fractional.TryReadTag(out _));
        Assert.Equal(CborReadStatus.Done, fractional.TryReadDouble(out var value));
        Assert.Equal(1363896240.5, value);

        Assert.Equal("c11a514b67b0", Write(w =>
        {
            w.WriteTag(1);
            w.WriteInt64(1363896240);
        }));
    }

    [Theory]
    [InlineData("40", "")]
    [InlineData("4401020304", "01020304")]
    public void ByteStrings_Definite_SlicedWithoutCopy(string hex, string content)
    {
        var data = Convert.FromHexString(hex);
        var reader = new CborReader((ReadOnlySpan<byte>)data);
        Assert.Equal(CborReadStatus.Done, reader.TryReadByteString(out var value));
        Assert.Equal(content, Convert.ToHexStringLower(value));
        Assert.Equal(hex, Write(w => w.WriteByteString(Convert.FromHexString(content))));
    }

    [Theory]
    [InlineData("60", "")]
    [InlineData("6161", "a")]
    [InlineData("6449455446", "IETF")]
    [InlineData("62225c", "\"\\")]
    [InlineData("62c3bc", "\u00fc")]
    [InlineData("63e6b0b4", "\u6c34")]
    [InlineData("64f0908591", "\ud800\udd51")]
    public void TextStrings_Rfc8949Examples_ReadAndWritten(string hex, string text)
    {
        var reader = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(CborReadStatus.Done, reader.TryReadTextString(out var utf8));
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(utf8));
        Assert.Equal(hex, Write(w => w.WriteTextString(text.AsSpan())));
    }

    [Fact]
    public void ByteString_Indefinite_CompactedInPlaceOrCopied()
    {
        // (_ h'0102', h'030405')
        var data = Convert.FromHexString("5f42010243030405ff");
        var copyReader = new CborReader((ReadOnlySpan<byte>)data);
        Span<byte> destination = stackalloc byte[8];
        Assert.Equal(CborReadStatus.Done, copyReader.TryReadByteString(destination, out var written));
        Assert.Equal("0102030405", Convert.ToHexStringLower(destination[..written]));

        var readOnly = new CborReader((ReadOnlySpan<byte>)data);
        Assert.Equal(CborReadStatus.UnexpectedType, readOnly.TryReadByteString(out ReadOnlySpan<byte> _));

        var inPlace = new CborReader(data.AsSpan());
        Assert.Equal(CborReadStatus.Done, inPlace.TryReadByteString(out var value));
        Assert.Equal("0102030405", Convert.ToHexStringLower(value));
        Assert.True(inPlace.IsAtEnd);
    }

    [Fact]
    public void TextString_Indefinite_CompactedInPlace()
    {
        // (_ "strea", "ming")
        var data = Convert.FromHexString("7f657374726561646d696e67ff");
        var reader = new CborReader(data.AsSpan());
        Assert.Equal(CborReadStatus.Done, reader.TryReadTextString(out var utf8));
        Assert.Equal("streaming", System.Text.Encoding.UTF8.GetString(utf8));
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData("80")]
    [InlineData("83010203")]
    [InlineData("8301820203820405")]
    [InlineData("98190102030405060708090a0b0c0d0e0f101112131415161718181819")]
    [InlineData("a0")]
    [InlineData("a201020304")]
    [InlineData("a26161016162820203")]
    [InlineData("a56161614161626142616361436164614461656145")]
    [InlineData("5f42010243030405ff")]
    [InlineData("7f657374726561646d696e67ff")]
    [InlineData("9fff")]
    [InlineData("9f018202039f0405ffff")]
    [InlineData("9f01820203820405ff")]
    [InlineData("83018202039f0405ff")]
    [InlineData("bf61610161629f0203ffff")]
    [InlineData("826161bf61626163ff")]
    [InlineData("bf6346756ef563416d7421ff")]
    [InlineData("c074323031332d30332d32315432303a30343a30305a")]
    [InlineData("d74401020304")]
    [InlineData("d818456449455446")]
    public void TrySkipValue_Rfc8949Examples_SkipsExactlyOneItem(string hex)
    {
        var data = Convert.FromHexString(hex + "01");
        var reader = new CborReader((ReadOnlySpan<byte>)data);
        Assert.Equal(CborReadStatus.Done, reader.TrySkipValue());
        Assert.Equal(data.Length - 1, reader.Position);
    }

    [Fact]
    public void Containers_DefiniteAndIndefinite_ReadHeads()
    {
        var reader = new CborReader(Convert.FromHexString("a2616101616282020398190102"));
        Assert.Equal(CborReadStatus.Done, reader.TryReadStartMap(out var pairs));
        Assert.Equal(2, pairs);

        var indefinite = new CborReader(Convert.FromHexString("bf6346756ef563416d7421ff"));
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadStartMap(out var length));
        Assert.Equal(-1, length);
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadTextString(out var key));
        Assert.Equal("Fun", System.Text.Encoding.UTF8.GetString(key));
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadBoolean(out _));
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadTextString(out _));
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadInt64(out var amount));
        Assert.Equal(-2, amount);
        Assert.True(indefinite.IsAtBreak);
        Assert.Equal(CborReadStatus.Done, indefinite.TryReadBreak());

        Assert.Equal("bf6346756ef563416d7421ff", Write(w =>
        {
            w.WriteStartIndefiniteMap();
            w.WriteTextString("Fun".AsSpan());
            w.WriteBoolean(true);
            w.WriteTextString("Amt".AsSpan());
            w.WriteInt64(-2);
            w.WriteBreak();
        }));
        Assert.Equal("a26161016162820203", Write(w =>
        {
            w.WriteStartMap(2);
            w.WriteTextString("a"u8);
            w.WriteInt64(1);
            w.WriteTextString("b"u8);
            w.WriteStartArray(2);
            w.WriteInt64(2);
            w.WriteInt64(3);
        }));
    }

    [Theory]
    [InlineData("1c", CborReadStatus.Malformed)]            // reserved additional information 28
    [InlineData("1f", CborReadStatus.Malformed)]            // indefinite-length integer
    [InlineData("ff", CborReadStatus.Malformed)]            // break where an item is expected
    [InlineData("f818", CborReadStatus.Malformed)]          // two-byte simple value below 32
    [InlineData("5f4101ff", CborReadStatus.Done)]           // well-formed control
    [InlineData("5f6161ff", CborReadStatus.Malformed)]      // text chunk inside a byte string
    [InlineData("5f5f4101ffff", CborReadStatus.Malformed)]  // nested indefinite chunk
    [InlineData("bf6161ff", CborReadStatus.Malformed)]      // map with a key and no value
    [InlineData("19", CborReadStatus.NeedMoreData)]         // truncated head
    [InlineData("1901", CborReadStatus.NeedMoreData)]
    [InlineData("4401", CborReadStatus.NeedMoreData)]       // truncated byte string
    [InlineData("830102", CborReadStatus.NeedMoreData)]     // array missing an item
    [InlineData("9f01", CborReadStatus.NeedMoreData)]       // indefinite array without break
    [InlineData("c1", CborReadStatus.NeedMoreData)]         // tag without content
    public void TrySkipValue_MalformedOrTruncated_ReportedAndNothingConsumed(string hex, CborReadStatus expected)
    {
        var reader = new CborReader(Convert.FromHexString(hex));
        Assert.Equal(expected, reader.TrySkipValue());
        if (expected != CborReadStatus.Done)
        {
            Assert.Equal(0, reader.Position);
        }
    }

    [Fact]
    public void TryReadTextString_InvalidUtf8_Malformed()
    {
        var reader = new CborReader(Convert.FromHexString("62c328"));
        Assert.Equal(CborReadStatus.Malformed, reader.TryReadTextString(out _));
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public void TrySkipValue_NestingBeyondLimit_Malformed()
    {
        var deep = new byte[100];
        Array.Fill(deep, (byte)0x81);
        deep[^1] = 0x01;
        var reader = new CborReader(deep);
        Assert.Equal(CborReadStatus.Malformed, reader.TrySkipValue(maxDepth: 64));
    }

    [Fact]
    public void TypedReads_WrongType_UnexpectedTypeAndNothingConsumed()
    {
        var reader = new CborReader(Convert.FromHexString("6161"));
        Assert.Equal(CborReadStatus.UnexpectedType, reader.TryReadInt64(out _));
        Assert.Equal(CborReadStatus.UnexpectedType, reader.TryReadByteString(out ReadOnlySpan<byte> _));
        Assert.Equal(CborReadStatus.UnexpectedType, reader.TryReadStartMap(out _));
        Assert.Equal(CborReadStatus.UnexpectedType, reader.TryReadBoolean(out _));
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public void DefiniteContainer_CountBeyondInput_NeedMoreDataWithoutOverflow()
    {
        // A map claiming 2^32-1 pairs in a 5-byte input.
        var reader = new CborReader(Convert.FromHexString("baffffffff"));
        Assert.NotEqual(CborReadStatus.Done, reader.TryReadStartMap(out _));
        Assert.Equal(0, reader.Position);
    }

    private static string Write(Action<CborWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new CborWriter(buffer));
        return Convert.ToHexStringLower(buffer.WrittenSpan);
    }
}
