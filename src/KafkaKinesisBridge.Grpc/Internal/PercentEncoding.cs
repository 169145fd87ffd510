using System.Buffers;
using System.Text;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// The percent-encoding of <c>grpc-message</c> (gRPC PROTOCOL-HTTP2, "Status-Message"): the message
/// is UTF-8, and every byte outside 0x20-0x7E, plus '%' itself, is sent as "%XX" (uppercase hex).
/// Decoding is lenient, as the spec requires: a malformed escape is kept as it is.
/// </summary>
internal static class PercentEncoding
{
    /// <summary>Encodes <paramref name="value"/>; returns the same instance when nothing needs escaping.</summary>
    public static string Encode(string value)
    {
        var firstEscape = -1;
        for (var i = 0; i < value.Length; i++)
        {
            if (NeedsEscape(value[i]))
            {
                firstEscape = i;
                break;
            }
        }

        if (firstEscape < 0)
        {
            return value;
        }

        var utf8Length = Encoding.UTF8.GetByteCount(value);
        var rented = ArrayPool<byte>.Shared.Rent(utf8Length);
        try
        {
            var utf8 = rented.AsSpan(0, Encoding.UTF8.GetBytes(value, rented));
            var builder = new StringBuilder(utf8Length + 16);
            foreach (var b in utf8)
            {
                if (NeedsEscape((char)b))
                {
                    builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
                }
                else
                {
                    builder.Append((char)b);
                }
            }

            return builder.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Decodes a percent-encoded value; returns the same instance when it has no '%'.</summary>
    public static string Decode(string value)
    {
        var first = value.IndexOf('%', StringComparison.Ordinal);
        if (first < 0)
        {
            return value;
        }

        // Every char becomes at most one byte: escapes shrink, other chars are ASCII (or, from a
        // non-conforming peer, kept as their UTF-8 bytes below).
        var maxBytes = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var length = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '%' && i + 2 < value.Length && TryHex(value[i + 1], out var high) && TryHex(value[i + 2], out var low))
                {
                    rented[length++] = (byte)((high << 4) | low);
                    i += 2;
                }
                else if (c < 0x80)
                {
                    rented[length++] = (byte)c;
                }
                else
                {
                    length += Encoding.UTF8.GetBytes(value.AsSpan(i, char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1), rented.AsSpan(length));
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length)
                    {
                        i++;
                    }
                }
            }

            return Encoding.UTF8.GetString(rented, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlySpan<char> HexUpper => "0123456789ABCDEF";

    private static bool NeedsEscape(char c) => c is < ' ' or > '~' or '%';

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
