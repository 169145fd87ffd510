namespace KafkaKinesisBridge.Core.Quotas;

/// <summary>
/// A token bucket: refills at <c>rate</c> tokens per second up to <c>capacity</c> (one second of burst).
/// Not thread-safe: <see cref="ShardQuota"/> guards it. Tokens may go negative (debt) after an
/// oversize record or read, so the caller is throttled until the bucket has refilled.
/// </summary>
internal struct TokenBucket
{
    private readonly double _rate;
    private readonly double _capacity;
    private double _tokens;
    private long _stamp;

    public TokenBucket(double ratePerSecond, long now)
    {
        _rate = ratePerSecond;
        _capacity = ratePerSecond;
        _tokens = ratePerSecond;
        _stamp = now;
    }

    public readonly double Tokens => _tokens;

    public readonly bool IsFull => _tokens >= _capacity;

    public void Refill(long now, long frequency)
    {
        var elapsed = now - _stamp;
        if (elapsed <= 0)
        {
            return;
        }

        _stamp = now;
        _tokens = Math.Min(_capacity, _tokens + (elapsed * _rate / frequency));
    }

    public void Take(double amount) => _tokens -= amount;
}

/// <summary>
/// Per-shard throughput quotas of Kinesis (developer guide, "Quotas and limits"): writes 1 MiB/s and
/// 1,000 records/s, reads 2 MiB/s and 5 GetRecords calls/s, each as a token bucket with one second of
/// burst, driven by a <see cref="TimeProvider"/>. Counted per gateway replica.
/// </summary>
internal sealed class ShardQuota
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _frequency;
    private TokenBucket _writeBytes;
    private TokenBucket _writeRecords;
    private TokenBucket _readBytes;
    private TokenBucket _readCalls;
    private long _demandBytes;
    private long _demandRecords;

    public ShardQuota(ShardQuotaOptions options, TimeProvider time)
    {
        _time = time;
        _frequency = time.TimestampFrequency;
        var now = time.GetTimestamp();
        _writeBytes = new TokenBucket(options.WriteBytesPerSecond, now);
        _writeRecords = new TokenBucket(options.WriteRecordsPerSecond, now);
        _readBytes = new TokenBucket(options.ReadBytesPerSecond, now);
        _readCalls = new TokenBucket(options.ReadCallsPerSecond, now);
    }

    /// <summary>
    /// Admits one record of <paramref name="bytes"/> if the write buckets allow it. A record larger than
    /// the byte bucket's capacity (a 10 MiB record against 1 MiB/s) is admitted when the bucket is full,
    /// leaving it in debt, so large records can be written at the average rate.
    /// </summary>
    public bool TryAdmitWrite(int bytes)
    {
        lock (_gate)
        {
            RefillWrites();
            return TryAdmitWriteLocked(bytes);
        }
    }

    /// <summary>
    /// Admits records in order, one lock for the whole group: <paramref name="admitted"/>[i] says whether
    /// record i (of <paramref name="sizes"/>[i] bytes) may be written.
    /// </summary>
    public int AdmitWrites(ReadOnlySpan<int> sizes, Span<bool> admitted)
    {
        var count = 0;
        lock (_gate)
        {
            RefillWrites();
            for (var i = 0; i < sizes.Length; i++)
            {
                if (admitted[i] = TryAdmitWriteLocked(sizes[i]))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// Admits a GetRecords call: one call token, and a byte bucket not in debt. The bytes read are
    /// charged afterwards by <see cref="ChargeRead"/>; a read of up to 10 MiB puts the bucket in debt
    /// and the following calls fail until it refills (Kinesis: "subsequent calls made within the next 5
    /// seconds throw ProvisionedThroughputExceededException").
    /// </summary>
    public bool TryAdmitRead()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            _readBytes.Refill(now, _frequency);
            _readCalls.Refill(now, _frequency);
            if (_readCalls.Tokens < 1 || _readBytes.Tokens <= 0)
            {
                return false;
            }

            _readCalls.Take(1);
            return true;
        }
    }

    /// <summary>
    /// The write demand so far: bytes and records offered to this shard, admitted or throttled (a
    /// throttled shard is the one that most needs more capacity). The on-demand scaler reads it.
    /// </summary>
    public (long Bytes, long Records) WriteDemand()
    {
        lock (_gate)
        {
            return (_demandBytes, _demandRecords);
        }
    }

    /// <summary>Charges the bytes a GetRecords call returned.</summary>
    public void ChargeRead(long bytes)
    {
        lock (_gate)
        {
            _readBytes.Take(bytes);
        }
    }

    private void RefillWrites()
    {
        var now = _time.GetTimestamp();
        _writeBytes.Refill(now, _frequency);
        _writeRecords.Refill(now, _frequency);
    }

    private bool TryAdmitWriteLocked(int bytes)
    {
        _demandBytes += bytes;
        _demandRecords++;
        if (_writeRecords.Tokens < 1 || (_writeBytes.Tokens < bytes && !_writeBytes.IsFull))
        {
            return false;
        }

        _writeRecords.Take(1);
        _writeBytes.Take(bytes);
        return true;
    }
}
