using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum Kafka record batches, iSCSI
/// (RFC 3720) and ext4 use. Computed with the SSE4.2 <c>crc32</c> instruction on x86, the ARMv8
/// CRC32 extension on Arm, and a slicing-by-8 table otherwise. The framework's
/// System.IO.Hashing package is not available to this project, hence the own implementation.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;

    // Slicing-by-8 tables for the software path: Table[k][b] is the CRC of byte b followed by k zero bytes.
    private static readonly uint[] Table = BuildTable();

    /// <summary>True when a CPU instruction computes the checksum.</summary>
    public static bool IsHardwareAccelerated =>
        Sse42.X64.IsSupported || Sse42.IsSupported || Crc32.Arm64.IsSupported || Crc32.IsSupported;

    /// <summary>The CRC32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF, as in RFC 3720).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Extends a CRC32C computed over earlier bytes with <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) => ~UpdateBest(~crc, data);

    /// <summary>The software path, exposed so tests can check it against the hardware path.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data) => ~UpdateSoftware(0xFFFFFFFFu, data);

    private static uint UpdateBest(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            return UpdateSse42X64(crc, data);
        }

        if (Crc32.Arm64.IsSupported)
        {
            return UpdateArm64(crc, data);
        }

        if (Sse42.IsSupported)
        {
            return UpdateSse42(crc, data);
        }

        return UpdateSoftware(crc, data);
    }

    private static uint UpdateSse42X64(uint crc, ReadOnlySpan<byte> data)
    {
        ulong c = crc;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            // x64 is little-endian, so the 8 bytes enter the CRC in memory order as the algorithm requires.
            c = Sse42.X64.Crc32(c, word);
        }

        var tail = (uint)c;
        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            tail = Sse42.Crc32(tail, b);
        }

        return tail;
    }

    private static uint UpdateSse42(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, uint>(data);
        foreach (var word in words)
        {
            crc = Sse42.Crc32(crc, word);
        }

        foreach (var b in data[(words.Length * sizeof(uint))..])
        {
            crc = Sse42.Crc32(crc, b);
        }

        return crc;
    }

    private static uint UpdateArm64(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words)
        {
            crc = Crc32.Arm64.ComputeCrc32C(crc, word);
        }

        foreach (var b in data[(words.Length * sizeof(ulong))..])
        {
            crc = Crc32.ComputeCrc32C(crc, b);
        }

        return crc;
    }

    private static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = table[(7 * 256) + (low & 0xFF)]
                ^ table[(6 * 256) + ((low >> 8) & 0xFF)]
                ^ table[(5 * 256) + ((low >> 16) & 0xFF)]
                ^ table[(4 * 256) + (low >> 24)]
                ^ table[(3 * 256) + (high & 0xFF)]
                ^ table[(2 * 256) + ((high >> 8) & 0xFF)]
                ^ table[(1 * 256) + ((high >> 16) & 0xFF)]
                ^ table[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var crc = i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            }

            table[i] = crc;
        }

        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
