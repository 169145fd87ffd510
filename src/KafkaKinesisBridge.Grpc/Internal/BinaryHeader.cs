using System.Buffers;
using System.Buffers.Text;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// Base64 for <c>-bin</c> metadata. gRPC PROTOCOL-HTTP2: "Implementations MUST accept padded and
/// un-padded values and should emit un-padded values", and duplicate binary headers may arrive
/// joined with "," so values are split before decoding.
/// </summary>
internal static class BinaryHeader
{
    /// <summary>Standard base64 of <paramref name="value"/> without '=' padding.</summary>
    public static string Encode(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        var padded = Base64.GetMaxEncodedToUtf8Length(value.Length);
        var rented = padded <= 512 ? null : ArrayPool<byte>.Shared.Rent(padded);
        var buffer = rented ?? stackalloc byte[padded];
        try
        {
            Base64.EncodeToUtf8(value, buffer, out _, out var written);
            while (written > 0 && buffer[written - 1] == (byte)'=')
            {
                written--;
            }

            return System.Text.Encoding.ASCII.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Decodes one base64 value, padded or not. Returns false when it is not valid base64.</summary>
    public static bool TryDecode(ReadOnlySpan<char> value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? bytes)
    {
        value = value.Trim(' ');
        var remainder = value.Length % 4;
        if (remainder == 1)
        {
            bytes = null;
            return false;
        }

        var paddedLength = remainder == 0 ? value.Length : value.Length + (4 - remainder);
        var rentedChars = paddedLength <= 256 ? null : ArrayPool<char>.Shared.Rent(paddedLength);
        var chars = (rentedChars ?? stackalloc char[paddedLength])[..paddedLength];
        var rentedBytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, paddedLength / 4 * 3));
        try
        {
            value.CopyTo(chars);
            chars[value.Length..].Fill('=');
            if (!Convert.TryFromBase64Chars(chars, rentedBytes, out var written))
            {
                bytes = null;
                return false;
            }

            bytes = rentedBytes.AsSpan(0, written).ToArray();
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rentedBytes);
            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    /// <summary>
    /// Decodes a header value that may hold several comma-joined base64 values into one entry per value.
    /// Returns false when any part is not valid base64.
    /// </summary>
    public static bool TryDecodeAll(string headerValue, List<byte[]> results)
    {
        var remaining = headerValue.AsSpan();
        while (true)
        {
            var comma = remaining.IndexOf(',');
            var part = comma < 0 ? remaining : remaining[..comma];
            if (!TryDecode(part, out var bytes))
            {
                return false;
            }

            results.Add(bytes);
            if (comma < 0)
            {
                return true;
            }

            remaining = remaining[(comma + 1)..];
        }
    }
}
