using System.Net;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc.Client.Internal;

/// <summary>
/// The request body: one Length-Prefixed-Message serialized up front into a pooled buffer (so size
/// limits fail before anything is sent), written to the HTTP/2 stream in one piece.
/// </summary>
internal sealed class GrpcRequestContent : HttpContent
{
    private readonly Lock _gate = new();
    private PooledBufferWriter? _buffer;
    private bool _serializing;
    private bool _disposed;

    private GrpcRequestContent(PooledBufferWriter buffer)
    {
        _buffer = buffer;

        // gRPC PROTOCOL-HTTP2 "Content-Type"; added without validation so no header object is parsed per call.
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    public static GrpcRequestContent Create<TRequest>(Marshaller<TRequest> marshaller, TRequest message, GrpcCompression compression, GrpcClientOptions options)
        where TRequest : class
    {
        var size = marshaller.CalculateSize(message);
        if (size > options.MaxSendMessageSize)
        {
            throw new GrpcCallException(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size.");
        }

        var buffer = new PooledBufferWriter(GrpcProtocol.MessageHeaderSize + size);
        try
        {
            buffer.Advance(GrpcProtocol.MessageHeaderSize);
            if (compression == GrpcCompression.Gzip)
            {
                using var raw = new PooledBufferWriter(size);
                marshaller.Serialize(message, raw);
                GzipCodec.Compress(raw.WrittenSpan, buffer, options.RequestCompressionLevel);
            }
            else
            {
                marshaller.Serialize(message, buffer);
            }

            var length = buffer.WrittenCount - GrpcProtocol.MessageHeaderSize;
            if (compression != GrpcCompression.Gzip && length != size)
            {
                throw new InvalidOperationException($"The request marshaller wrote {length} bytes, not the {size} it announced.");
            }

            GrpcFraming.WriteHeader(buffer.GetWrittenSpan(), compressed: compression == GrpcCompression.Gzip, length);
            return new GrpcRequestContent(buffer);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        PooledBufferWriter buffer;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed || _buffer is null, this);
            buffer = _buffer;
            _serializing = true;
        }

        try
        {
            await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _serializing = false;
                if (_disposed)
                {
                    ReleaseBuffer();
                }
            }
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        // Like other gRPC clients, send no content-length: the body ends with END_STREAM.
        length = -1;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _disposed = true;

                // The handler may still be writing the body when the response (for example an
                // early error) ends the call; the buffer then goes back when that write finishes.
                if (!_serializing)
                {
                    ReleaseBuffer();
                }
            }
        }

        base.Dispose(disposing);
    }

    private void ReleaseBuffer()
    {
        _buffer?.Dispose();
        _buffer = null;
    }
}
