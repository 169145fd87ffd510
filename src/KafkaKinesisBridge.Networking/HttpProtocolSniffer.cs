using System.Buffers;

namespace KafkaKinesisBridge.Networking;

/// <summary>What the first bytes of a cleartext connection say about its protocol.</summary>
public enum SniffResult
{
    /// <summary>The bytes so far are a strict prefix of the HTTP/2 connection preface: wait for more.</summary>
    NeedMoreData = 0,

    /// <summary>The bytes diverge from the HTTP/2 preface: an HTTP/1.x connection (or garbage for it to reject).</summary>
    Http1,

    /// <summary>The full HTTP/2 client connection preface: a prior-knowledge h2c connection.</summary>
    Http2,
}

/// <summary>
/// Classifies a cleartext connection from its first bytes without consuming them.
/// </summary>
/// <remarks>
/// RFC 9113 §3.3 (HTTP/2 with prior knowledge) and §3.4: a client that knows the server speaks
/// HTTP/2 starts the connection with the 24-octet preface <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>;
/// the preface was chosen so that HTTP/1.x servers reject it (the method <c>PRI</c> does not exist).
/// An HTTP/1.x request line starts with a method token, so the first octet that differs from the
/// preface decides HTTP/1.x; all 24 octets matching decide HTTP/2. A connection that sends a strict
/// prefix of the preface is undecided until more bytes arrive.
/// </remarks>
public static class HttpProtocolSniffer
{
    /// <summary>The HTTP/2 client connection preface (RFC 9113 §3.4).</summary>
    public static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Classifies <paramref name="buffer"/>, the bytes received so far.</summary>
    public static SniffResult Sniff(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return Sniff(buffer.FirstSpan);
        }

        Span<byte> prefix = stackalloc byte[24];
        var length = (int)Math.Min(buffer.Length, prefix.Length);
        buffer.Slice(0, length).CopyTo(prefix);
        return Sniff(prefix[..length]);
    }

    /// <summary>Classifies <paramref name="received"/>, the bytes received so far.</summary>
    public static SniffResult Sniff(ReadOnlySpan<byte> received)
    {
        var preface = Http2Preface;
        var length = Math.Min(received.Length, preface.Length);
        if (!received[..length].SequenceEqual(preface[..length]))
        {
            return SniffResult.Http1;
        }

        return length == preface.Length ? SniffResult.Http2 : SniffResult.NeedMoreData;
    }
}
