using System.Buffers;
using System.Buffers.Text;

namespace KafkaKinesisBridge.Api.Kinesis.Serialization;

/// <summary>Decodes the base64 text of a JSON blob member where it lies in the request buffer.</summary>
/// <remarks>
/// Kinesis JSON carries blobs (record data) as standard base64 with padding (RFC 4648 §4).
/// Decoding in place needs no buffer per record: the bytes shrink to 3/4 and stay inside the text.
/// Unpadded input is accepted too (a lenient reader costs nothing and some hand-written clients
/// strip the padding).
/// </remarks>
public static class Base64Blob
{
    /// <summary>Decodes <paramref name="text"/> in place; the decoded bytes start at its first byte.</summary>
    /// <returns>False when <paramref name="text"/> is not base64 (its content is then unspecified).</returns>
    public static bool TryDecodeInPlace(Span<byte> text, out int written)
    {
        written = 0;
        var remainder = text.Length & 3;
        if (remainder == 1)
        {
            return false;
        }

        var whole = text.Length - remainder;
        if (whole > 0 && Base64.DecodeFromUtf8InPlace(text[..whole], out written) != OperationStatus.Done)
        {
            return false;
        }

        if (remainder == 0)
        {
            return true;
        }

        // 2 or 3 trailing characters without padding: pad a copy and decode it after the rest.
        Span<byte> quad = stackalloc byte[4];
        text[whole..].CopyTo(quad);
        quad[remainder..].Fill((byte)'=');
        if (Base64.DecodeFromUtf8(quad, text[written..], out _, out var tail) != OperationStatus.Done)
        {
            return false;
        }

        written += tail;
        return true;
    }
}
