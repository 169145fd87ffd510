using KafkaKinesisBridge.Core.Iterators;
using KafkaKinesisBridge.Core.Quotas;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class TokenAndQuotaTests
{
    private static TokenCodec NewCodec(byte fill = 7)
    {
        var codec = new TokenCodec();
        codec.SetKey(Enumerable.Repeat(fill, 32).ToArray());
        return codec;
    }

    [Fact]
    public void Iterator_RoundTrip_KeepsEveryField()
    {
        var codec = NewCodec();
        var position = new IteratorPosition(new string('s', 128), ulong.MaxValue - 3, 17, long.MaxValue - 5, 1_700_000_000_123);

        var token = codec.EncodeIterator(position);

        Assert.InRange(token.Length, 1, 512);
        Assert.True(codec.TryDecodeIterator(token, out var decoded));
        Assert.Equal(position, decoded);
    }

    [Fact]
    public void Iterator_AnyFlippedBit_IsRejected()
    {
        var codec = NewCodec();
        var bytes = Convert.FromBase64String(codec.EncodeIterator(new IteratorPosition("orders", 42, 1, 100, 5)));

        for (var i = 0; i < bytes.Length; i++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                var tampered = (byte[])bytes.Clone();
                tampered[i] ^= (byte)(1 << bit);
                Assert.False(codec.TryDecodeIterator(Convert.ToBase64String(tampered), out _), $"byte {i} bit {bit}");
            }
        }
    }

    [Fact]
    public void Iterator_OtherKeyOrKindOrGarbage_IsRejected()
    {
        var token = NewCodec(1).EncodeIterator(new IteratorPosition("orders", 1, 0, 0, 0));
        var codec = NewCodec(2);

        Assert.False(codec.TryDecodeIterator(token, out _));
        Assert.False(codec.TryDecodeIterator("not base64!", out _));
        Assert.False(codec.TryDecodeIterator("AAAA", out _));
        Assert.False(codec.TryDecodeListStreams(NewCodec(2).EncodeIterator(new IteratorPosition("orders", 1, 0, 0, 0)), out _, out _));
    }

    [Fact]
    public void PageTokens_RoundTrip()
    {
        var codec = NewCodec();
        var position = new ListShardsPosition("stream.a-b_c", 9, 41, 3, 12345, 777);

        Assert.True(codec.TryDecodeListShards(codec.EncodeListShards(position), out var shards));
        Assert.Equal(position, shards);
        Assert.True(codec.TryDecodeListStreams(codec.EncodeListStreams("zeta", 99), out var last, out var issued));
        Assert.Equal(("zeta", 99L), (last, issued));
    }

    [Fact]
    public void WriteQuota_RecordsPerSecond_RefillsWithTime()
    {
        var time = new ManualTimeProvider();
        var quota = new ShardQuota(new ShardQuotaOptions { WriteRecordsPerSecond = 1000, WriteBytesPerSecond = 1 << 30 }, time);

        var admitted = Enumerable.Range(0, 1500).Count(_ => quota.TryAdmitWrite(10));
        Assert.Equal(1000, admitted);
        Assert.False(quota.TryAdmitWrite(10));

        time.Advance(TimeSpan.FromMilliseconds(100));
        var refilled = Enumerable.Range(0, 1000).Count(_ => quota.TryAdmitWrite(10));
        Assert.Equal(100, refilled);
    }

    [Fact]
    public void WriteQuota_RecordLargerThanBucket_AdmittedOnlyWhenFullThenDebtThrottles()
    {
        var time = new ManualTimeProvider();
        var quota = new ShardQuota(new ShardQuotaOptions(), time);
        var tenMiB = 10 * 1024 * 1024;

        Assert.True(quota.TryAdmitWrite(tenMiB));

        // The bucket is now 9 MiB in debt: nothing, not even a small record, until it refills.
        Assert.False(quota.TryAdmitWrite(1));
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(quota.TryAdmitWrite(1024 * 1024));
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(quota.TryAdmitWrite(1024));
    }

    [Fact]
    public void WriteQuota_PartiallyFullBucket_RefusesRecordLargerThanTokens()
    {
        var time = new ManualTimeProvider();
        var quota = new ShardQuota(new ShardQuotaOptions(), time);

        Assert.True(quota.TryAdmitWrite(512 * 1024));
        Assert.False(quota.TryAdmitWrite(768 * 1024));
        Assert.True(quota.TryAdmitWrite(512 * 1024));
    }

    [Fact]
    public void ReadQuota_FiveCallsPerSecond_AndLargeReadBlocksUntilRefilled()
    {
        var time = new ManualTimeProvider();
        var quota = new ShardQuota(new ShardQuotaOptions(), time);

        Assert.Equal(5, Enumerable.Range(0, 10).Count(_ => quota.TryAdmitRead()));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(quota.TryAdmitRead());
        quota.ChargeRead(10 * 1024 * 1024);

        // 10 MiB against 2 MiB/s: the bucket needs 4 more seconds to leave debt (Kinesis: "within the next 5 seconds").
        time.Advance(TimeSpan.FromSeconds(3.9));
        Assert.False(quota.TryAdmitRead());
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.True(quota.TryAdmitRead());
    }
}
