using System.Buffers;
using System.Buffers.Binary;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// Length-Prefixed-Message framing (gRPC PROTOCOL-HTTP2): Compressed-Flag (1 byte, 0 or 1),
/// Message-Length (4 bytes, big-endian unsigned), Message. DATA frame boundaries have no relation to
/// message boundaries, so the header may be split across buffer segments.
/// </summary>
internal static class GrpcFraming
{
    /// <summary>
    /// Reads the 5-byte header at the start of <paramref name="buffer"/>. Returns false when fewer
    /// than 5 bytes are available (read more and try again).
    /// </summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out byte compressedFlag, out uint length)
    {
        if (buffer.Length < GrpcProtocol.MessageHeaderSize)
        {
            compressedFlag = 0;
            length = 0;
            return false;
        }

        var first = buffer.FirstSpan;
        if (first.Length >= GrpcProtocol.MessageHeaderSize)
        {
            compressedFlag = first[0];
            length = BinaryPrimitives.ReadUInt32BigEndian(first.Slice(1));
            return true;
        }

        // The header spans segments: copy its 5 bytes out.
        Span<byte> header = stackalloc byte[GrpcProtocol.MessageHeaderSize];
        buffer.Slice(0, GrpcProtocol.MessageHeaderSize).CopyTo(header);
        compressedFlag = header[0];
        length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1));
        return true;
    }

    /// <summary>Reads the 5-byte header from a contiguous span of at least 5 bytes.</summary>
    public static void ReadHeader(ReadOnlySpan<byte> header, out byte compressedFlag, out uint length)
    {
        compressedFlag = header[0];
        length = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(1));
    }

    /// <summary>Writes the 5-byte header into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)length);
    }
}
