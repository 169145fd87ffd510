using System.Buffers;
using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Core.Routing;

/// <summary>
/// Hash keys: unsigned 128-bit integers that route records to shards (Kinesis developer guide, "Partition
/// key": "An MD5 hash function is used to map partition keys to 128-bit integer values").
/// </summary>
internal static class HashKeys
{
    /// <summary>2^128 - 1, the largest hash key.</summary>
    public static readonly UInt128 Max = UInt128.MaxValue;

    /// <summary>
    /// The hash key of a UTF-8 partition key: its MD5 digest read as a big-endian unsigned integer
    /// (managed <see cref="Md5"/>: the platform MD5 costs microseconds per call on Linux).
    /// </summary>
    public static UInt128 FromUtf8PartitionKey(ReadOnlySpan<byte> utf8) => Md5.HashToUInt128(utf8);

    /// <summary>The hash key of a partition key (encoded as UTF-8, as Kinesis does).</summary>
    public static UInt128 FromPartitionKey(string partitionKey)
    {
        var max = Encoding.UTF8.GetMaxByteCount(partitionKey.Length);
        byte[]? rented = null;
        var buffer = max <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(partitionKey, buffer);
            return FromUtf8PartitionKey(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Parses an ExplicitHashKey that already matched the pattern <c>0|([1-9]\d{0,38})</c>; false when it
    /// exceeds 2^128 - 1 (Kinesis: InvalidArgumentException).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, out UInt128 hashKey) =>
        UInt128.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out hashKey);

    /// <summary>
    /// Splits the hash key space [0, 2^128 - 1] into <paramref name="count"/> contiguous ranges the way
    /// Kinesis does for a new stream: each range has floor(2^128 / count) keys and the last one also takes
    /// the remainder. For 2 shards the boundary is 2^127 - 1 / 2^127; for 3 shards shard 0 ends at
    /// 113427455640312821154458202477256070484.
    /// </summary>
    public static HashKeyRange[] Split(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var ranges = new HashKeyRange[count];
        var step = Step(count);
        for (var i = 0; i < count; i++)
        {
            var start = step * (UInt128)(uint)i;
            var end = i == count - 1 ? Max : (step * (UInt128)(uint)(i + 1)) - UInt128.One;
            ranges[i] = new HashKeyRange(start, end);
        }

        return ranges;
    }

    /// <summary>floor(2^128 / count), computed without 129-bit arithmetic.</summary>
    private static UInt128 Step(int count)
    {
        var divisor = (UInt128)(uint)count;
        var (quotient, remainder) = UInt128.DivRem(Max, divisor);

        // 2^128 = Max + 1 = quotient * count + remainder + 1.
        return remainder == divisor - UInt128.One ? quotient + UInt128.One : quotient;
    }
}
