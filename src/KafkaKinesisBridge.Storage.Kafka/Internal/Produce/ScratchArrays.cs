namespace KafkaKinesisBridge.Storage.Kafka.Internal.Produce;

/// <summary>
/// Exact-length byte arrays to hand Confluent.Kafka, which takes keys and values only as whole
/// arrays while the records arrive as slices of pooled request buffers. librdkafka copies the bytes
/// during Produce, so an array is free again as soon as Produce returns: each thread keeps one array
/// per length (up to <see cref="MaxCachedLength"/>), separately for keys and values, and reuses it for
/// the next record of that length. Longer records are copied into a new array (their size dwarfs the
/// allocation anyway).
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

    /// <summary>A copy of a key, in an array valid until the next <see cref="Key"/> call of the same length on this thread.</summary>
    public static byte[] Key(ReadOnlySpan<byte> source) => Copy(source, ref _keys);

    /// <summary>A copy of a value, in an array valid until the next <see cref="Value"/> call of the same length on this thread.</summary>
    public static byte[] Value(ReadOnlySpan<byte> source) => Copy(source, ref _values);

    private static byte[] Copy(ReadOnlySpan<byte> source, ref byte[]?[]? cache)
    {
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
