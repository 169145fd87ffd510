using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Malformed;

/// <summary>A response read off a raw socket.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? ContentType => Headers.TryGetValue("content-type", out var value) ? value : null;

    public override string ToString() => $"HTTP {Status} [{ContentType}] {Encoding.UTF8.GetString(Body.AsSpan(0, Math.Min(Body.Length, 300)))}";
}

/// <summary>
/// HTTP/1.1 by hand over a TCP socket, so a test can send what no HTTP client will (bad chunking,
/// bodies shorter than declared, raw bytes that are not UTF-8).
/// </summary>
internal static class RawHttp
{
    /// <summary>A request head: <c>{method} / HTTP/1.1</c>, Host, Connection: close and <paramref name="headers"/>.</summary>
    public static byte[] Head(string method, params string[] headers)
    {
        var builder = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            builder.Append(header).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(builder.Append("\r\n").ToString());
    }

    /// <summary>
    /// Sends <paramref name="request"/>, optionally closes the sending half (the body then ends
    /// early), and reads the response until the server closes the connection.
    /// </summary>
    public static async Task<RawResponse> SendAsync(int port, byte[] request, bool closeSend, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
        var reading = ReadToEndAsync(socket, timeout.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, timeout.Token);
            if (closeSend)
            {
                socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (SocketException)
        {
            // The server may answer (413) and close before it took the whole request: read what it said.
        }

        return Parse(await reading);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // A reset after the response (the server closed with request bytes unread).
        }

        return received.ToArray();
    }

    private static RawResponse Parse(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidOperationException($"No complete response head in {bytes.Length} bytes: '{Encoding.Latin1.GetString(bytes)}'");
        }

        var lines = Encoding.Latin1.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = bytes.AsSpan(end + 4);
        if (headers.TryGetValue("content-length", out var length))
        {
            body = body[..Math.Min(body.Length, int.Parse(length, CultureInfo.InvariantCulture))];
        }

        return new RawResponse(status, headers, body.ToArray());
    }
}
