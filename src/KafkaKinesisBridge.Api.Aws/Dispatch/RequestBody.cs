using System.Buffers;
using System.IO.Pipelines;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// A request body copied into one pooled, contiguous, writable buffer: parsers work on a span,
/// blobs are decoded in place, and the connection's input pipe is released as the body arrives
/// (Kestrel pauses a connection whose unconsumed input passes its buffer limit, so a large body
/// cannot be gathered by leaving it in the pipe).
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int InitialCapacity = 16 * 1024;

    private byte[] _array;
    private int _length;

    private RequestBody(byte[] array, int length)
    {
        _array = array;
        _length = length;
    }

    /// <summary>The body; writable so blobs can be decoded where they lie.</summary>
    public Memory<byte> Memory => _array.AsMemory(0, _length);

    public int Length => _length;

    /// <summary>Reads the whole body, or returns null as soon as it exceeds <paramref name="maxBytes"/>.</summary>
    public static async ValueTask<RequestBody?> ReadAsync(PipeReader reader, long? contentLength, int maxBytes, CancellationToken cancellationToken)
    {
        var capacity = contentLength is { } declared && declared <= maxBytes ? (int)declared : Math.Min(InitialCapacity, maxBytes);
        var array = capacity == 0 ? [] : ArrayPool<byte>.Shared.Rent(capacity);
        var length = 0;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (length + buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    Release(array);
                    return null;
                }

                if (length + buffer.Length > array.Length)
                {
                    var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(array.Length * 2L, length + buffer.Length)));
                    array.AsSpan(0, length).CopyTo(grown);
                    Release(array);
                    array = grown;
                }

                buffer.CopyTo(array.AsSpan(length));
                length += (int)buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return new RequestBody(array, length);
                }
            }
        }
        catch
        {
            Release(array);
            throw;
        }
    }

    public void Dispose()
    {
        Release(_array);
        _array = [];
        _length = 0;
    }

    private static void Release(byte[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
