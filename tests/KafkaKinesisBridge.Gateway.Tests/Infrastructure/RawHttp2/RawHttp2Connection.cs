using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure.RawHttp2;

/// <summary>Something that happened on one HTTP/2 stream.</summary>
internal abstract record Http2StreamEvent;

/// <summary>A complete header block (HEADERS plus any CONTINUATION frames).</summary>
internal sealed record HeadersEvent(IReadOnlyList<(string Name, string Value)> Fields, bool EndStream) : Http2StreamEvent;

/// <summary>One DATA frame.</summary>
internal sealed record DataEvent(byte[] Data, bool EndStream) : Http2StreamEvent;

/// <summary>RST_STREAM with its error code.</summary>
internal sealed record ResetEvent(int ErrorCode) : Http2StreamEvent;

/// <summary>
/// A tiny HTTP/2 client over a raw socket (RFC 9113) for tests that must see frames HttpClient
/// hides: which HEADERS frames carry END_STREAM, RST_STREAM codes, DATA split at chosen bytes.
/// It advertises a huge receive window, so it never sends WINDOW_UPDATE, and it ignores the
/// peer's flow control when sending (tests send far less than the initial windows).
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    public const int Cancel = 0x8;
    public const int NoError = 0x0;

    private const byte Data = 0x0;
    private const byte Headers = 0x1;
    private const byte RstStream = 0x3;
    private const byte Settings = 0x4;
    private const byte Ping = 0x6;
    private const byte GoAway = 0x7;
    private const byte WindowUpdate = 0x8;
    private const byte Continuation = 0x9;

    private const byte FlagEndStream = 0x1;
    private const byte FlagAck = 0x1;
    private const byte FlagEndHeaders = 0x4;
    private const byte FlagPadded = 0x8;
    private const byte FlagPriority = 0x20;

    private const int MaxWindow = int.MaxValue;
    private const int MaxFrameSize = 16384;

    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<int, Channel<Http2StreamEvent>> _streams = new();
    private readonly HpackDecoder _decoder = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly string _authority;
    private Task _readLoop = Task.CompletedTask;
    private int _nextStreamId = 1;

    private RawHttp2Connection(TcpClient tcp, string authority)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _authority = authority;
    }

    /// <summary>Dynamic table entries the decoder holds (non-zero once Kestrel indexed something).</summary>
    public int DecoderDynamicEntries => _decoder.DynamicCount;

    public static async Task<RawHttp2Connection> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endpoint, cancellationToken);
        var connection = new RawHttp2Connection(tcp, $"{endpoint.Address}:{endpoint.Port}");
        await connection._stream.WriteAsync(Preface, cancellationToken);

        // SETTINGS: ENABLE_PUSH = 0, INITIAL_WINDOW_SIZE = 2^31-1; then open the connection window.
        var settings = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x2);
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings.AsSpan(6), 0x4);
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(8), MaxWindow);
        await connection.WriteFrameAsync(Settings, 0, 0, settings, cancellationToken);
        var increment = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(increment, MaxWindow - 65535);
        await connection.WriteFrameAsync(WindowUpdate, 0, 0, increment, cancellationToken);
        connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        return connection;
    }

    /// <summary>Sends request HEADERS for a gRPC call and returns the new stream id.</summary>
    public async Task<int> StartCallAsync(
        string path,
        IEnumerable<(string Name, string Value)>? extraHeaders = null,
        string? contentType = "application/grpc",
        bool endStream = false,
        CancellationToken cancellationToken = default)
    {
        List<(string, string)> fields =
        [
            (":method", "POST"),
            (":scheme", "http"),
            (":path", path),
            (":authority", _authority),
        ];
        if (contentType is not null)
        {
            fields.Add(("content-type", contentType));
        }

        fields.Add(("te", "trailers"));
        if (extraHeaders is not null)
        {
            fields.AddRange(extraHeaders);
        }

        var streamId = Interlocked.Add(ref _nextStreamId, 2) - 2;
        GetChannel(streamId);
        await WriteFrameAsync(Headers, (byte)(FlagEndHeaders | (endStream ? FlagEndStream : 0)), streamId, HpackEncoder.Encode(fields), cancellationToken);
        return streamId;
    }

    /// <summary>Sends <paramref name="data"/> in DATA frames of at most 16 KiB.</summary>
    public async Task SendDataAsync(int streamId, ReadOnlyMemory<byte> data, bool endStream, CancellationToken cancellationToken = default)
    {
        do
        {
            var chunk = data[..Math.Min(data.Length, MaxFrameSize)];
            data = data[chunk.Length..];
            var last = data.IsEmpty;
            await WriteFrameAsync(Data, last && endStream ? FlagEndStream : (byte)0, streamId, chunk, cancellationToken);
        }
        while (!data.IsEmpty);
    }

    public Task SendResetAsync(int streamId, int errorCode, CancellationToken cancellationToken = default)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)errorCode);
        return WriteFrameAsync(RstStream, 0, streamId, payload, cancellationToken);
    }

    /// <summary>The next event on a stream.</summary>
    public async Task<Http2StreamEvent> ReadEventAsync(int streamId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        return await GetChannel(streamId).Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Collects a stream's events until END_STREAM or RST_STREAM.</summary>
    public async Task<RawHttp2Response> ReadResponseAsync(int streamId, CancellationToken cancellationToken)
    {
        var response = new RawHttp2Response();
        while (true)
        {
            var e = await ReadEventAsync(streamId, cancellationToken);
            response.Events.Add(e);
            switch (e)
            {
                case HeadersEvent { EndStream: true }:
                case DataEvent { EndStream: true }:
                case ResetEvent:
                    return response;
            }
        }
    }

    /// <summary>
    /// Waits for the stream's next event to be RST_STREAM and returns its code; returns null if the
    /// stream shows no further event within <paramref name="within"/>.
    /// </summary>
    public async Task<int?> WaitForResetAsync(int streamId, TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            var e = await GetChannel(streamId).Reader.ReadAsync(timeout.Token);
            return e is ResetEvent reset ? reset.ErrorCode : throw new InvalidOperationException($"Expected RST_STREAM, got {e}.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _tcp.Dispose();
        try
        {
            await _readLoop;
        }
        catch (Exception)
        {
            // The socket is gone; the loop's failure is expected.
        }

        _closing.Dispose();
        _writeLock.Dispose();
    }

    private Channel<Http2StreamEvent> GetChannel(int streamId) =>
        _streams.GetOrAdd(streamId, static _ => Channel.CreateUnbounded<Http2StreamEvent>());

    private async Task WriteFrameAsync(byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), (uint)streamId & 0x7FFFFFFF);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(header, cancellationToken);
            await _stream.WriteAsync(payload, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var token = _closing.Token;
        var header = new byte[9];
        List<byte>? headerBlock = null;
        var headerStream = 0;
        var headerEndStream = false;
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header, token);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var type = header[3];
                var flags = header[4];
                var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF);
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload, token);
                switch (type)
                {
                    case Settings when (flags & FlagAck) == 0:
                        await WriteFrameAsync(Settings, FlagAck, 0, ReadOnlyMemory<byte>.Empty, token);
                        break;
                    case Ping when (flags & FlagAck) == 0:
                        await WriteFrameAsync(Ping, FlagAck, 0, payload, token);
                        break;
                    case Headers:
                        {
                            var fragment = StripPadding(payload, flags, out var offset);
                            if ((flags & FlagPriority) != 0)
                            {
                                offset += 5;
                            }

                            headerBlock = [.. fragment[offset..]];
                            headerStream = streamId;
                            headerEndStream = (flags & FlagEndStream) != 0;
                            if ((flags & FlagEndHeaders) != 0)
                            {
                                Post(headerStream, new HeadersEvent(_decoder.Decode([.. headerBlock]), headerEndStream));
                                headerBlock = null;
                            }

                            break;
                        }

                    case Continuation:
                        headerBlock!.AddRange(payload);
                        if ((flags & FlagEndHeaders) != 0)
                        {
                            Post(headerStream, new HeadersEvent(_decoder.Decode([.. headerBlock]), headerEndStream));
                            headerBlock = null;
                        }

                        break;
                    case Data:
                        {
                            var data = StripPadding(payload, flags, out var offset);
                            Post(streamId, new DataEvent(data[offset..].ToArray(), (flags & FlagEndStream) != 0));
                            break;
                        }

                    case RstStream:
                        Post(streamId, new ResetEvent((int)BinaryPrimitives.ReadUInt32BigEndian(payload)));
                        break;
                    case GoAway:
                        foreach (var channel in _streams.Values)
                        {
                            channel.Writer.TryComplete(new IOException("GOAWAY received."));
                        }

                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            foreach (var channel in _streams.Values)
            {
                channel.Writer.TryComplete(new IOException("Connection closed.", ex));
            }
        }
    }

    private static ReadOnlySpan<byte> StripPadding(byte[] payload, byte flags, out int offset)
    {
        offset = 0;
        if ((flags & FlagPadded) == 0)
        {
            return payload;
        }

        var padLength = payload[0];
        offset = 1;
        return payload.AsSpan(0, payload.Length - padLength);
    }

    private void Post(int streamId, Http2StreamEvent e) => GetChannel(streamId).Writer.TryWrite(e);
}

/// <summary>What a stream delivered, in order.</summary>
internal sealed class RawHttp2Response
{
    public List<Http2StreamEvent> Events { get; } = [];

    public IReadOnlyList<HeadersEvent> HeaderBlocks => Events.OfType<HeadersEvent>().ToList();

    /// <summary>The response headers (first header block).</summary>
    public IReadOnlyList<(string Name, string Value)> Headers => HeaderBlocks[0].Fields;

    /// <summary>The trailers: the last header block when there are two, or the only one for Trailers-Only.</summary>
    public IReadOnlyList<(string Name, string Value)> Trailers => HeaderBlocks[^1].Fields;

    /// <summary>One HEADERS block with END_STREAM and no DATA (gRPC PROTOCOL-HTTP2 Trailers-Only).</summary>
    public bool IsTrailersOnly => HeaderBlocks.Count == 1 && HeaderBlocks[0].EndStream && Body.Length == 0;

    public byte[] Body => Events.OfType<DataEvent>().SelectMany(d => d.Data).ToArray();

    public int? ResetCode => Events.OfType<ResetEvent>().Select(r => (int?)r.ErrorCode).FirstOrDefault();

    public string? Header(string name) => Find(Headers, name);

    public string? Trailer(string name) => Find(Trailers, name);

    public string? GrpcStatus => Trailer("grpc-status");

    /// <summary>The gRPC messages in the body: compressed flag and payload of each.</summary>
    public List<(byte Flag, byte[] Payload)> Messages()
    {
        var body = Body;
        var messages = new List<(byte, byte[])>();
        var pos = 0;
        while (pos < body.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(pos + 1));
            messages.Add((body[pos], body.AsSpan(pos + 5, length).ToArray()));
            pos += 5 + length;
        }

        return messages;
    }

    public override string ToString() => string.Join("\n", Events.Select(e => e switch
    {
        HeadersEvent h => $"HEADERS{(h.EndStream ? " END_STREAM" : string.Empty)} " + string.Join(", ", h.Fields.Select(f => $"{f.Name}: {f.Value}")),
        DataEvent d => $"DATA{(d.EndStream ? " END_STREAM" : string.Empty)} {d.Data.Length} bytes",
        ResetEvent r => $"RST_STREAM {r.ErrorCode}",
        _ => e.ToString(),
    }));

    private static string? Find(IReadOnlyList<(string Name, string Value)> fields, string name) =>
        fields.Where(f => f.Name == name).Select(f => f.Value).FirstOrDefault();
}
