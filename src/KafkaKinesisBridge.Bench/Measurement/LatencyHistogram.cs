using System.Diagnostics;

namespace KafkaKinesisBridge.Bench.Measurement;

/// <summary>
/// A log-linear latency histogram (in the spirit of HdrHistogram): values are microseconds, kept
/// with at most 1/64 (about 1.6%) relative error up to about 2^45 µs. Recording is a couple of
/// arithmetic instructions and one array increment, so each worker owns one and they are merged
/// when reported. Not thread-safe.
/// </summary>
public sealed class LatencyHistogram
{
    // Sub-bucket count per power of two: 64 linear sub-buckets gives ~1.6% precision.
    private const int SubBucketBits = 6;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int MaxExponent = 40;

    private readonly long[] _counts = new long[(MaxExponent + 1) * SubBucketCount];

    /// <summary>Number of values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Largest value recorded, in microseconds.</summary>
    public long MaxMicros { get; private set; }

    /// <summary>Records a latency measured with <see cref="Stopwatch.GetTimestamp"/>.</summary>
    public void RecordElapsed(long startTimestamp, long endTimestamp) =>
        RecordMicros((endTimestamp - startTimestamp) * 1_000_000 / Stopwatch.Frequency);

    /// <summary>Records a latency in microseconds.</summary>
    public void RecordMicros(long micros)
    {
        micros = Math.Max(micros, 0);
        _counts[IndexOf(micros)]++;
        Count++;
        if (micros > MaxMicros)
        {
            MaxMicros = micros;
        }
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
    }

    /// <summary>Clears all counts.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        MaxMicros = 0;
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values fall
    /// (the upper edge of the bucket holding that rank), in microseconds; 0 when empty.
    /// </summary>
    public long PercentileMicros(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    // Layout: indexes [0, 64) hold 0..63 µs exactly; above that, each power of two [2^k, 2^(k+1))
    // with k >= 6 is cut into 64 equal sub-buckets, so a bucket is at most 1/64 of its values wide.
    private static int IndexOf(long micros)
    {
        if (micros < SubBucketCount)
        {
            return (int)micros;
        }

        var exponent = (63 - (int)long.LeadingZeroCount(micros)) - SubBucketBits;
        if (exponent >= MaxExponent)
        {
            return ((MaxExponent + 1) * SubBucketCount) - 1;
        }

        var subBucket = (int)(micros >> exponent) - SubBucketCount;
        return SubBucketCount + (exponent * SubBucketCount) + subBucket;
    }

    private static long UpperEdge(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var exponent = (index - SubBucketCount) / SubBucketCount;
        var subBucket = (index - SubBucketCount) % SubBucketCount;
        return ((long)(SubBucketCount + subBucket + 1) << exponent) - 1;
    }
}
