using System.Text;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure.RawHttp2;

namespace KafkaKinesisBridge.Grpc.Tests.Unit;

/// <summary>The raw HTTP/2 test client's HPACK pieces, checked against RFC 7541 (so protocol tests can trust them).</summary>
public sealed class RawHttp2HelpersTests
{
    [Fact]
    public void HuffmanTable_IsCompletePrefixCode()
    {
        // Kraft equality: a complete prefix code over 257 symbols has sum(2^-length) == 1.
        var codes = Huffman.Codes;
        Assert.Equal(257, codes.Count);
        var sum = codes.Aggregate(0.0, (acc, c) => acc + Math.Pow(2, -c.Length));
        Assert.Equal(1.0, sum, precision: 12);
    }

    [Theory]
    [InlineData("f1e3c2e5f23a6ba0ab90f4ff", "www.example.com")]
    [InlineData("a8eb10649cbf", "no-cache")]
    [InlineData("25a849e95ba97d7f", "custom-key")]
    [InlineData("25a849e95bb8e8b4bf", "custom-value")]
    public void Huffman_Rfc7541AppendixC4_Decodes(string hex, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(Huffman.Decode(Convert.FromHexString(hex))));

    [Fact]
    public void Huffman_EncodeThenDecode_AllByteValues()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        Assert.Equal(data, Huffman.Decode(Huffman.Encode(data)));
    }

    [Fact]
    public void Huffman_PaddingNotAllOnes_Rejected() =>
        Assert.Throws<InvalidDataException>(() => Huffman.Decode([0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4, 0xfe]));

    [Fact]
    public void Hpack_Rfc7541AppendixC4_RequestsWithHuffmanAndDynamicTable()
    {
        var decoder = new HpackDecoder();

        var first = decoder.Decode(Convert.FromHexString("828684418cf1e3c2e5f23a6ba0ab90f4ff"));
        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com")], first);

        var second = decoder.Decode(Convert.FromHexString("828684be5886a8eb10649cbf"));
        Assert.Equal([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache")], second);

        var third = decoder.Decode(Convert.FromHexString("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"));
        Assert.Equal([(":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value")], third);
        Assert.Equal(3, decoder.DynamicCount);
    }

    [Fact]
    public void Hpack_EncoderOutput_DecodesBack()
    {
        (string, string)[] fields = [(":path", "/a.B/C"), ("grpc-timeout", "1S"), ("x-long", new string('v', 300))];

        Assert.Equal(fields, new HpackDecoder().Decode(HpackEncoder.Encode(fields)));
    }
}
