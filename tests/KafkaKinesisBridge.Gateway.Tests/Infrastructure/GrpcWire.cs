using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>Builds gRPC Length-Prefixed-Messages by hand, independently of the transport's code.</summary>
internal static class GrpcWire
{
    public static byte[] Frame(IMessage message) => Frame(message.ToByteArray(), compressed: false);

    public static byte[] Frame(byte[] payload, bool compressed)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
