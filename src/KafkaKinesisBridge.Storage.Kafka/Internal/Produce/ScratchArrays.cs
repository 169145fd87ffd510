using System.Runtime.InteropServices;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Produce;

/// <summary>
/// Byte arrays to hand Confluent.Kafka, which takes keys and values only as whole arrays. Memory that
/// is a whole array already is passed as it is. Slices (records arrive as slices of pooled request
/// buffers) are copied: librdkafka copies the bytes during Produce, so an array is free again as soon
/// as Produce returns, and each thread keeps one array per length (up to <see cref="MaxCachedLength"/>),
/// separately for keys and values, reused for the next record of that length. Longer slices are
/// copied into a new array (their size dwarfs the allocation anyway).
/// </summary>
/// <remarks>
/// Only for use between taking an array and the synchronous Produce call that consumes it, on one
/// thread, with no await in between. The cache costs at most about 1 MiB per thread that produces
/// (two caches of lengths 1 to 1024), in practice a few arrays of the lengths a workload uses.
/// </remarks>
internal static class ScratchArrays
{
    /// <summary>Records up to this many bytes are served from the per-thread cache.</summary>
    public const int MaxCachedLength = 1024;

    [ThreadStatic]
    private static byte[]?[]? _keys;

    [ThreadStatic]
    private static byte[]?[]? _values;

    /// <summary>The key as an array, valid until the next <see cref="Key"/> call of the same length on this thread.</summary>
    public static byte[] Key(ReadOnlyMemory<byte> source) => AsArray(source, ref _keys);

    /// <summary>The value as an array, valid until the next <see cref="Value"/> call of the same length on this thread.</summary>
    public static byte[] Value(ReadOnlyMemory<byte> source) => AsArray(source, ref _values);

    /// <summary>The bytes as an array of their own: the memory's array when it is a whole one, else a new copy.</summary>
    public static byte[] Owned(ReadOnlyMemory<byte> memory) => WholeArray(memory) ?? memory.ToArray();

    private static byte[]? WholeArray(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : null;

    private static byte[] AsArray(ReadOnlyMemory<byte> memory, ref byte[]?[]? cache)
    {
        if (WholeArray(memory) is { } whole)
        {
            return whole;
        }

        var source = memory.Span;
        if (source.Length > MaxCachedLength)
        {
            return source.ToArray();
        }

        cache ??= new byte[]?[MaxCachedLength + 1];
        var array = cache[source.Length] ??= new byte[source.Length];
        source.CopyTo(array);
        return array;
    }
}
