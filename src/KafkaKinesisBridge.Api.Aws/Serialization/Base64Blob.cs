using System.Buffers;
using System.Buffers.Text;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>Decodes the base64 text of a JSON blob member where it lies in the request buffer.</summary>
/// <remarks>
/// Kinesis JSON carries blobs (record data) as standard base64 with padding (RFC 4648 §4), and the
/// service refuses text whose length is not a multiple of 4 ("Base64 encoded length is expected a
/// multiple of 4 bytes but found: 5"), so unpadded text is refused here too: a client that works
/// against the gateway then works against Kinesis. Decoding in place needs no buffer per record: the
/// bytes shrink to 3/4 and stay inside the text.
/// </remarks>
public static class Base64Blob
{
    /// <summary>Decodes <paramref name="text"/> in place; the decoded bytes start at its first byte.</summary>
    /// <returns>False when <paramref name="text"/> is not padded base64 (its content is then unspecified).</returns>
    public static bool TryDecodeInPlace(Span<byte> text, out int written)
    {
        written = 0;
        if ((text.Length & 3) != 0)
        {
            return false;
        }

        return text.IsEmpty || Base64.DecodeFromUtf8InPlace(text, out written) == OperationStatus.Done;
    }
}
