using System.Text;
using KafkaKinesisBridge.Storage.Embedded.Internal;

namespace KafkaKinesisBridge.Storage.Tests.Embedded;

public sealed class Crc32CTests
{
    /// <summary>RFC 3720 (iSCSI) appendix B.4 test vectors, plus the common check value of "123456789".</summary>
    public static TheoryData<string, byte[], uint> KnownVectors() => new()
    {
        { "empty", [], 0x00000000u },
        { "123456789", Encoding.ASCII.GetBytes("123456789"), 0xE3069283u },
        { "32 zeros", new byte[32], 0x8A9136AAu },
        { "32 x 0xFF", Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43u },
        { "32 ascending", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794Eu },
        { "32 descending", Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5Cu },
        {
            "iSCSI read PDU",
            [
                0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
                0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            ],
            0xD9963A56u
        },
    };

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Compute_KnownVector_MatchesPublishedValue(string name, byte[] data, uint expected)
    {
        Assert.True(expected == Crc32C.Compute(data), $"{name}: got 0x{Crc32C.Compute(data):X8}");
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void ComputeSoftware_KnownVector_MatchesPublishedValue(string name, byte[] data, uint expected)
    {
        Assert.True(expected == Crc32C.ComputeSoftware(data), $"{name}: got 0x{Crc32C.ComputeSoftware(data):X8}");
    }

    [Fact]
    public void Compute_EveryLengthAndAlignment_HardwareMatchesSoftware()
    {
        var random = new Random(7);
        var buffer = new byte[600];
        random.NextBytes(buffer);
        for (var start = 0; start < 8; start++)
        {
            for (var length = 0; length + start <= buffer.Length; length++)
            {
                var span = buffer.AsSpan(start, length);
                Assert.Equal(Crc32C.ComputeSoftware(span), Crc32C.Compute(span));
            }
        }
    }

    [Fact]
    public void Append_SplitInput_EqualsOneShotComputation()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        var whole = Crc32C.Compute(data);
        foreach (var split in new[] { 0, 1, 7, 8, 9, 500, 999, 1000 })
        {
            Assert.Equal(whole, Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Compute_OneBitFlipped_ChangesChecksum()
    {
        var data = new byte[256];
        new Random(5).NextBytes(data);
        var original = Crc32C.Compute(data);
        for (var bit = 0; bit < data.Length * 8; bit += 13)
        {
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.NotEqual(original, Crc32C.Compute(data));
            data[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }
}
