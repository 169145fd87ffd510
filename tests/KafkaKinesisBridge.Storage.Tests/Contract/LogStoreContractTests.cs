using System.Runtime.CompilerServices;
using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Contract;

/// <summary>
/// The storage contract (<see cref="ILogStore"/>) as tests. Every backend has a subclass that opens
/// its store in <see cref="OpenStoreAsync"/> and passes this whole suite; what a backend's test
/// environment cannot exercise is skipped with a reason (<see cref="SkipReason"/>).
/// </summary>
/// <remarks>
/// <para>To add a backend: derive a sealed class, implement <see cref="OpenStoreAsync"/> (a fresh,
/// empty store per test; xunit creates one class instance per test), and override what applies:
/// <see cref="SkipReason"/>, <see cref="CreateTopicForTestAsync"/> (if topics must be created some other
/// way), <see cref="ReopenStoreAsync"/>, <see cref="RollSegmentAsync"/> and <see cref="RunRetentionAsync"/>
/// (retention), <see cref="MaxRecordBytes"/>, <see cref="DisposeAsync"/> (clean up what the store
/// left, after calling the base).</para>
/// <para>Time: <see cref="Clock"/> is a manual clock starting at the real current time, so record
/// timestamps relative to it also make sense to a real broker. Backends that run retention on a
/// timer should be given this clock.</para>
/// <para>Reads may return fewer records than available (the contract allows it, a Kafka fetch does
/// it), so tests read in loops until they reach an offset, bounded by <see cref="ReadTimeout"/>.</para>
/// </remarks>
public abstract class LogStoreContractTests : IAsyncLifetime
{
    private ILogStore? _store;

    /// <summary>The clock the backend should use (timers, retention); starts at the real time, to the millisecond.</summary>
    protected ManualTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    /// <summary>The store under test.</summary>
    protected ILogStore Store => _store ?? throw new InvalidOperationException("The store is not open.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Now on <see cref="Clock"/>, in Unix milliseconds.</summary>
    protected long NowMs => Clock.GetUtcNow().ToUnixTimeMilliseconds();

    // ------------------------------------------------------------------ backend hooks

    /// <summary>Opens a fresh, empty store for one test.</summary>
    protected abstract ValueTask<ILogStore> OpenStoreAsync();

    /// <summary>Opens the store again over the data of the store just disposed. Needed for <see cref="LogStoreCapability.Reopen"/>.</summary>
    protected virtual ValueTask<ILogStore> ReopenStoreAsync() =>
        throw new NotSupportedException("Override ReopenStoreAsync, or skip LogStoreCapability.Reopen.");

    /// <summary>Why this backend cannot run the tests needing <paramref name="capability"/>; null when it can.</summary>
    protected virtual string? SkipReason(LogStoreCapability capability) => null;

    /// <summary>Creates a topic a test needs. Defaults to <see cref="ILogStore.CreateTopicAsync"/>.</summary>
    protected virtual async ValueTask CreateTopicForTestAsync(TopicSpec spec) =>
        Assert.Equal(StorageStatus.Ok, await Store.CreateTopicAsync(spec, Ct));

    /// <summary>
    /// Closes the partition's active segment, so that every record appended so far can be removed by
    /// retention and later records go to a new segment. Needed for <see cref="LogStoreCapability.Retention"/>.
    /// </summary>
    protected virtual ValueTask RollSegmentAsync(string topic, int partition) =>
        throw new NotSupportedException("Override RollSegmentAsync, or skip LogStoreCapability.Retention.");

    /// <summary>
    /// Makes the backend run a retention pass now (relative to <see cref="Clock"/>) and returns when it
    /// finished. Needed for <see cref="LogStoreCapability.Retention"/>.
    /// </summary>
    protected virtual ValueTask RunRetentionAsync() =>
        throw new NotSupportedException("Override RunRetentionAsync, or skip LogStoreCapability.Retention.");

    /// <summary>The largest encoded record the backend accepts (for <see cref="LogStoreCapability.RecordTooLarge"/>).</summary>
    protected virtual int MaxRecordBytes => 16 * 1024 * 1024;

    /// <summary>How long loops wait for records to become readable.</summary>
    protected virtual TimeSpan ReadTimeout => TimeSpan.FromSeconds(20);

    /// <summary>Partitions in the many-partitions test.</summary>
    protected virtual int ManyPartitions => 64;

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync() => _store = await OpenStoreAsync();

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }

        GC.SuppressFinalize(this);
    }

    // ------------------------------------------------------------------ topics

    [Fact]
    public async Task CreateTopicAsync_NewTopic_IsDescribedAndListed()
    {
        SkipUnless(LogStoreCapability.CreateTopic);
        var name = NewTopicName();
        var retention = TimeSpan.FromHours(30);

        Assert.Equal(StorageStatus.Ok, await Store.CreateTopicAsync(new TopicSpec(name, 3, retention), Ct));

        var described = await Store.DescribeTopicAsync(name, Ct);
        Assert.Equal(StorageStatus.Ok, described.Status);
        Assert.Equal(new TopicInfo(name, 3, retention), described.Topic);
        Assert.Contains(name, await Store.ListTopicsAsync(Ct));
        for (var p = 0; p < 3; p++)
        {
            var offsets = await Store.GetOffsetsAsync(name, p, Ct);
            Assert.Equal(StorageStatus.Ok, offsets.Status);
            Assert.Equal(new PartitionOffsets(0, 0), offsets.Offsets);
        }
    }

    [Fact]
    public async Task CreateTopicAsync_ExistingName_ReturnsTopicAlreadyExistsAndKeepsTopic()
    {
        SkipUnless(LogStoreCapability.CreateTopic);
        var name = await CreateTopicAsync(partitions: 2);
        await AppendAsync(name, 0, Record("k", "v"));

        Assert.Equal(StorageStatus.TopicAlreadyExists, await Store.CreateTopicAsync(new TopicSpec(name, 5, TimeSpan.FromHours(1)), Ct));

        var described = await Store.DescribeTopicAsync(name, Ct);
        Assert.Equal(2, described.Topic.Partitions);
        Assert.Equal(1, (await Store.GetOffsetsAsync(name, 0, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task CreateTopicAsync_InvalidSpec_ReturnsInvalidArgument()
    {
        SkipUnless(LogStoreCapability.CreateTopic);
        var day = TimeSpan.FromDays(1);
        TopicSpec[] invalid =
        [
            new(string.Empty, 1, day),
            new("has space", 1, day),
            new("has/slash", 1, day),
            new("..", 1, day),
            new(".", 1, day),
            new(new string('a', 250), 1, day),
            new(NewTopicName(), 0, day),
            new(NewTopicName(), -1, day),
        ];

        foreach (var spec in invalid)
        {
            Assert.True(StorageStatus.InvalidArgument == await Store.CreateTopicAsync(spec, Ct), $"spec {spec} was accepted");
        }

        var listed = await Store.ListTopicsAsync(Ct);
        Assert.DoesNotContain(listed, name => invalid.Any(spec => spec.Name == name));
    }

    [Fact]
    public async Task CreateTopicAsync_RetentionNotPositive_ReturnsInvalidArgument()
    {
        SkipUnless(LogStoreCapability.CreateTopic);
        SkipUnless(LogStoreCapability.RetentionValidation);

        foreach (var retention in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-5) })
        {
            var name = NewTopicName();
            Assert.Equal(StorageStatus.InvalidArgument, await Store.CreateTopicAsync(new TopicSpec(name, 1, retention), Ct));
            Assert.DoesNotContain(name, await Store.ListTopicsAsync(Ct));
        }
    }

    [Fact]
    public async Task CreateTopicAsync_LongestValidName_Succeeds()
    {
        SkipUnless(LogStoreCapability.CreateTopic);
        var name = ("max." + Guid.NewGuid().ToString("N")).PadRight(249, 'x');

        Assert.Equal(StorageStatus.Ok, await Store.CreateTopicAsync(new TopicSpec(name, 1, TimeSpan.FromDays(1)), Ct));
        await AppendAsync(name, 0, Record("k", "v"));

        Assert.Equal(1, (await Store.GetOffsetsAsync(name, 0, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task DeleteTopicAsync_ExistingTopic_RemovesTopicAndItsData()
    {
        SkipUnless(LogStoreCapability.DeleteTopic);
        var name = await CreateTopicAsync(partitions: 2);
        await AppendAsync(name, 0, Record("a", "1"), Record("b", "2"));
        await AppendAsync(name, 1, Record("c", "3"));

        Assert.Equal(StorageStatus.Ok, await Store.DeleteTopicAsync(name, Ct));

        Assert.Equal(StorageStatus.TopicNotFound, (await Store.DescribeTopicAsync(name, Ct)).Status);
        Assert.DoesNotContain(name, await Store.ListTopicsAsync(Ct));
        Assert.Equal(StorageStatus.TopicNotFound, (await Store.GetOffsetsAsync(name, 0, Ct)).Status);

        // A topic created again under the name starts empty.
        await CreateTopicForTestAsync(new TopicSpec(name, 1, TimeSpan.FromDays(1)));
        Assert.Equal(new PartitionOffsets(0, 0), (await Store.GetOffsetsAsync(name, 0, Ct)).Offsets);
        using var read = await Store.ReadAsync(new ReadRequest(name, 0, 0, 100, 1 << 20), Ct);
        Assert.Equal(StorageStatus.Ok, read.Status);
        Assert.Equal(0, read.Records.Length);
    }

    [Fact]
    public async Task DeleteTopicAsync_UnknownTopic_ReturnsTopicNotFound()
    {
        SkipUnless(LogStoreCapability.DeleteTopic);
        SkipUnless(LogStoreCapability.UnknownTopic);

        Assert.Equal(StorageStatus.TopicNotFound, await Store.DeleteTopicAsync(NewTopicName(), Ct));
    }

    [Fact]
    public async Task DeleteTopicAsync_OtherTopics_AreUntouched()
    {
        SkipUnless(LogStoreCapability.DeleteTopic);
        var doomed = await CreateTopicAsync(partitions: 1, hint: "doomed");
        var kept = await CreateTopicAsync(partitions: 1, hint: "kept");
        await AppendAsync(kept, 0, Record("k1", "kept-1"), Record("k2", "kept-2"));
        await AppendAsync(doomed, 0, Record("d", "doomed"));

        Assert.Equal(StorageStatus.Ok, await Store.DeleteTopicAsync(doomed, Ct));

        var records = await ReadRangeAsync(kept, 0, 0, 2);
        Assert.Equal(["kept-1", "kept-2"], records.Select(r => r.ValueText));
    }

    [Fact]
    public async Task ListTopicsAsync_SeveralTopics_ListsEachOnce()
    {
        var names = new[] { await CreateTopicAsync(hint: "one"), await CreateTopicAsync(hint: "two"), await CreateTopicAsync(hint: "three") };

        var listed = await Store.ListTopicsAsync(Ct);

        foreach (var name in names)
        {
            Assert.Single(listed, n => n == name);
        }
    }

    // ------------------------------------------------------------------ appends and reads

    [Fact]
    public async Task AppendAsync_FreshPartition_AssignsConsecutiveOffsetsFromZero()
    {
        var topic = await CreateTopicAsync();

        var first = await AppendAsync(topic, 0, Record("a", "1"), Record("b", "2"), Record("c", "3"));
        var second = await AppendAsync(topic, 0, Record("d", "4"), Record("e", "5"));

        Assert.Equal([0L, 1L, 2L], first);
        Assert.Equal([3L, 4L], second);
        Assert.Equal(new PartitionOffsets(0, 5), (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets);
    }

    [Fact]
    public async Task ReadAsync_AppendedRecords_RoundTripKeysValuesHeadersAndTimestamps()
    {
        var topic = await CreateTopicAsync();
        var allBytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var now = NowMs;
        LogRecord[] records =
        [
            new(Encoding.UTF8.GetBytes("key-1"), Encoding.UTF8.GetBytes("value-1"), now),
            new(ReadOnlyMemory<byte>.Empty, allBytes, now - 1000),
            new(allBytes, ReadOnlyMemory<byte>.Empty, now + 5),
            new(Encoding.UTF8.GetBytes("héllo ✓"), Encoding.UTF8.GetBytes("with headers"), now,
            [
                new LogHeader("content-type", Encoding.UTF8.GetBytes("application/octet-stream")),
                new LogHeader("empty", ReadOnlyMemory<byte>.Empty),
                new LogHeader("dup", new byte[] { 1 }),
                new LogHeader("dup", new byte[] { 2 }),
                new LogHeader("ünïcödé", allBytes),
            ]),
        ];

        var offsets = await AppendAsync(topic, 0, records);
        var read = await ReadRangeAsync(topic, 0, 0, records.Length);

        Assert.Equal(offsets, read.Select(r => r.Offset));
        for (var i = 0; i < records.Length; i++)
        {
            AssertSameRecord(records[i], read[i]);
        }
    }

    [Fact]
    public async Task AppendAsync_ConcurrentAppenders_NoGapsNoDuplicatesEveryAcknowledgedRecordReadable()
    {
        const int Writers = 8;
        const int CallsPerWriter = 40;
        const int RecordsPerCall = 5;
        var topic = await CreateTopicAsync();
        var acknowledged = new (long Offset, string Value)[Writers][];

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var mine = new List<(long, string)>();
            for (var call = 0; call < CallsPerWriter; call++)
            {
                var values = Enumerable.Range(0, RecordsPerCall).Select(i => $"w{writer}-c{call}-r{i}").ToArray();
                var offsets = await AppendAsync(topic, 0, values.Select(v => Record($"w{writer}", v)).ToArray());
                for (var i = 1; i < offsets.Length; i++)
                {
                    Assert.True(offsets[i] > offsets[i - 1], "offsets within one call must increase");
                }

                mine.AddRange(offsets.Zip(values));
            }

            acknowledged[writer] = [.. mine];
        }, Ct)));

        const int Total = Writers * CallsPerWriter * RecordsPerCall;
        var all = acknowledged.SelectMany(a => a).OrderBy(a => a.Offset).ToArray();
        Assert.Equal(Enumerable.Range(0, Total).Select(i => (long)i), all.Select(a => a.Offset));
        foreach (var mine in acknowledged)
        {
            // Each writer waited for its previous call, so its records are in its order.
            Assert.Equal(mine.Select(m => m.Offset).Order(), mine.Select(m => m.Offset));
        }

        var read = await ReadRangeAsync(topic, 0, 0, Total);
        Assert.Equal(all.Select(a => a.Value), read.Select(r => r.ValueText));
        Assert.Equal(Total, (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task ReadAsync_WhileAppending_SeesOnlyWholeConsecutiveRecords()
    {
        const int Batches = 100;
        const int BatchSize = 20;
        var topic = await CreateTopicAsync();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var writer = Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                await AppendAsync(topic, 0, Enumerable.Range(0, BatchSize).Select(i => Record("k", Payload(b * BatchSize + i, 50 + (i * 37 % 400)))).ToArray());
            }
        }, Ct);

        // Tail the partition as it grows: every record seen must be whole and in sequence.
        var next = 0L;
        await Eventually.UntilAsync(async () =>
        {
            // Drain what is readable now; back off only when caught up with the writer.
            while (true)
            {
                using var read = await Store.ReadAsync(new ReadRequest(topic, 0, next, 37, 1 << 20), Ct);
                Assert.Equal(StorageStatus.Ok, read.Status);
                Assert.True(read.Records.Length <= 37);
                if (read.Records.IsEmpty)
                {
                    return next == Batches * BatchSize;
                }

                foreach (var record in read.Records.Span)
                {
                    Assert.Equal(next, record.Offset);
                    Assert.Equal(Payload((int)next, 50 + ((int)(next % BatchSize) * 37 % 400)), Encoding.UTF8.GetString(record.Value.Span));
                    next++;
                }

                Assert.Equal(next, read.NextOffset);
            }
        }, ReadTimeout, "tailing reader reaches the end");

        await writer;
    }

    [Fact]
    public async Task ReadAsync_MaxRecords_ReturnsAtMostThatMany()
    {
        var topic = await CreateTopicAsync();
        await AppendAsync(topic, 0, Enumerable.Range(0, 10).Select(i => Record("k", $"v{i}")).ToArray());

        var seen = new List<string>();
        var next = 0L;
        await Eventually.UntilAsync(async () =>
        {
            using var read = await Store.ReadAsync(new ReadRequest(topic, 0, next, 3, 1 << 20), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            Assert.InRange(read.Records.Length, 0, 3);
            seen.AddRange(Copy(read).Select(r => r.ValueText));
            next = read.NextOffset;
            return next == 10;
        }, ReadTimeout, "all records read three at a time");

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), seen);
    }

    [Fact]
    public async Task ReadAsync_MaxBytes_StopsBeforeExceedingIt()
    {
        var topic = await CreateTopicAsync();
        var records = Enumerable.Range(0, 10).Select(i => new LogRecord(ReadOnlyMemory<byte>.Empty, new byte[100], NowMs)).ToArray();
        await AppendAsync(topic, 0, records);

        var next = 0L;
        var reads = 0;
        await Eventually.UntilAsync(async () =>
        {
            using var read = await Store.ReadAsync(new ReadRequest(topic, 0, next, 1000, 250), Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            var size = 0;
            foreach (var record in read.Records.Span)
            {
                size += record.Size;
            }

            Assert.True(size <= 250, $"read {size} bytes with MaxBytes 250");
            next = read.NextOffset;
            reads += read.Records.Length > 0 ? 1 : 0;
            return next == 10;
        }, ReadTimeout, "all records read 250 bytes at a time");

        Assert.True(reads >= 5, $"10 records of 100 bytes need at least 5 reads of 250 bytes, took {reads}");
    }

    [Fact]
    public async Task ReadAsync_FirstRecordLargerThanMaxBytes_StillReturnsIt()
    {
        var topic = await CreateTopicAsync();
        var big = new byte[5000];
        Random.Shared.NextBytes(big);
        await AppendAsync(topic, 0, new LogRecord(ReadOnlyMemory<byte>.Empty, big, NowMs), Record("small", "x"));

        var first = await ReadUntilNonEmptyAsync(new ReadRequest(topic, 0, 0, 100, 10));

        Assert.Single(first);
        Assert.Equal(0, first[0].Offset);
        Assert.Equal(big, first[0].Value);
    }

    [Fact]
    public async Task ReadAsync_AtHighWatermark_ReturnsOkWithNoRecords()
    {
        var topic = await CreateTopicAsync();
        await AppendAsync(topic, 0, Record("a", "1"), Record("b", "2"));

        using var read = await Store.ReadAsync(new ReadRequest(topic, 0, 2, 100, 1 << 20), Ct);

        Assert.Equal(StorageStatus.Ok, read.Status);
        Assert.Equal(0, read.Records.Length);
        Assert.Equal(2, read.NextOffset);
        Assert.Equal(2, read.Offsets.HighWatermark);
    }

    [Fact]
    public async Task ReadAsync_EmptyPartitionAtZero_ReturnsOkWithNoRecords()
    {
        var topic = await CreateTopicAsync();

        using var read = await Store.ReadAsync(new ReadRequest(topic, 0, 0, 100, 1 << 20), Ct);

        Assert.Equal(StorageStatus.Ok, read.Status);
        Assert.Equal(0, read.Records.Length);
        Assert.Equal(0, read.NextOffset);
    }

    [Fact]
    public async Task ReadAsync_BeyondHighWatermark_ReturnsOffsetOutOfRange()
    {
        var topic = await CreateTopicAsync();
        await AppendAsync(topic, 0, Record("a", "1"), Record("b", "2"));

        using var read = await Store.ReadAsync(new ReadRequest(topic, 0, 3, 100, 1 << 20), Ct);

        Assert.Equal(StorageStatus.OffsetOutOfRange, read.Status);
        Assert.Equal(0, read.Records.Length);
    }

    [Fact]
    public async Task ReadAsync_NegativeOffsetOrLimitsBelowOne_ReturnsInvalidArgument()
    {
        var topic = await CreateTopicAsync();
        await AppendAsync(topic, 0, Record("a", "1"));

        foreach (var request in new[] { new ReadRequest(topic, 0, -1, 10, 1000), new ReadRequest(topic, 0, 0, 0, 1000), new ReadRequest(topic, 0, 0, 10, 0) })
        {
            using var read = await Store.ReadAsync(request, Ct);
            Assert.True(read.Status == StorageStatus.InvalidArgument, $"{request} gave {read.Status}");
            Assert.Equal(0, read.Records.Length);
        }
    }

    [Fact]
    public async Task ReadAsync_FromMiddleOfLongPartition_StartsAtRequestedOffset()
    {
        const int Count = 600;
        var topic = await CreateTopicAsync();
        for (var start = 0; start < Count; start += 100)
        {
            await AppendAsync(topic, 0, Enumerable.Range(start, 100).Select(i => Record($"k{i}", Payload(i, 100 + (i % 50)))).ToArray());
        }

        foreach (var offset in new long[] { 0, 1, 137, 250, 401, 599 })
        {
            var records = await ReadUntilNonEmptyAsync(new ReadRequest(topic, 0, offset, 5, 1 << 20));
            Assert.Equal(offset, records[0].Offset);
            Assert.Equal(Payload((int)offset, 100 + (int)(offset % 50)), records[0].ValueText);
            Assert.Equal($"k{offset}", Encoding.UTF8.GetString(records[0].Key));
        }
    }

    [Fact]
    public async Task GetOffsetsAsync_AfterAppends_ReportsLogStartAndHighWatermark()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        Assert.Equal(new PartitionOffsets(0, 0), (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets);

        await AppendAsync(topic, 0, Enumerable.Range(0, 7).Select(i => Record("k", $"{i}")).ToArray());

        var offsets = await Store.GetOffsetsAsync(topic, 0, Ct);
        Assert.Equal(StorageStatus.Ok, offsets.Status);
        Assert.Equal(new PartitionOffsets(0, 7), offsets.Offsets);
        Assert.Equal(new PartitionOffsets(0, 0), (await Store.GetOffsetsAsync(topic, 1, Ct)).Offsets);
    }

    // ------------------------------------------------------------------ timestamps

    [Fact]
    public async Task GetOffsetForTimestampAsync_IncreasingTimestamps_ReturnsFirstRecordAtOrAfter()
    {
        SkipUnless(LogStoreCapability.OffsetForTimestamp);
        var topic = await CreateTopicAsync();
        var t = NowMs - 60_000;
        long[] timestamps = [t, t + 10, t + 20, t + 20, t + 30];
        await AppendAsync(topic, 0, timestamps.Select(ts => new LogRecord(ReadOnlyMemory<byte>.Empty, new byte[8], ts)).ToArray());

        Assert.Equal(0, await OffsetForTimestampAsync(topic, t - 1));
        Assert.Equal(0, await OffsetForTimestampAsync(topic, t));
        Assert.Equal(1, await OffsetForTimestampAsync(topic, t + 1));
        Assert.Equal(1, await OffsetForTimestampAsync(topic, t + 10));
        Assert.Equal(2, await OffsetForTimestampAsync(topic, t + 15));
        Assert.Equal(2, await OffsetForTimestampAsync(topic, t + 20));
        Assert.Equal(4, await OffsetForTimestampAsync(topic, t + 30));
        Assert.Equal(5, await OffsetForTimestampAsync(topic, t + 31));
    }

    [Fact]
    public async Task GetOffsetForTimestampAsync_OutOfOrderTimestamps_ReturnsFirstRecordAtOrAfter()
    {
        SkipUnless(LogStoreCapability.OffsetForTimestamp);
        var topic = await CreateTopicAsync();
        var t = NowMs - 60_000;
        long[] timestamps = [t, t + 30, t + 20, t + 40, t + 5];
        await AppendAsync(topic, 0, timestamps.Select(ts => new LogRecord(ReadOnlyMemory<byte>.Empty, new byte[8], ts)).ToArray());

        // Kafka ListOffsets semantics: the earliest offset whose timestamp is >= the target.
        Assert.Equal(1, await OffsetForTimestampAsync(topic, t + 25));
        Assert.Equal(1, await OffsetForTimestampAsync(topic, t + 1));
        Assert.Equal(3, await OffsetForTimestampAsync(topic, t + 35));
    }

    [Fact]
    public async Task GetOffsetForTimestampAsync_ManyRecords_MatchesLinearScan()
    {
        SkipUnless(LogStoreCapability.OffsetForTimestamp);
        var topic = await CreateTopicAsync();
        var random = new Random(1234);
        var t = NowMs - 3_600_000;
        var timestamps = new long[800];
        for (var i = 0; i < timestamps.Length; i++)
        {
            // Mostly increasing, with some records late by up to a few seconds.
            timestamps[i] = t + (i * 1000) - (random.Next(4) == 0 ? random.Next(5000) : 0);
        }

        for (var start = 0; start < timestamps.Length; start += 200)
        {
            await AppendAsync(topic, 0, timestamps[start..(start + 200)].Select(ts => new LogRecord(ReadOnlyMemory<byte>.Empty, new byte[64], ts)).ToArray());
        }

        foreach (var target in new[] { t - 1, t + 1, t + 123_456, t + 400_000, t + 555_555, t + 799_000, t + 800_000 })
        {
            var expected = Array.FindIndex(timestamps, ts => ts >= target);
            Assert.Equal(expected < 0 ? timestamps.Length : expected, await OffsetForTimestampAsync(topic, target));
        }
    }

    [Fact]
    public async Task GetOffsetForTimestampAsync_EmptyPartitionOrAfterLastRecord_ReturnsHighWatermark()
    {
        SkipUnless(LogStoreCapability.OffsetForTimestamp);
        var topic = await CreateTopicAsync(partitions: 2);
        await AppendAsync(topic, 0, Record("a", "1"), Record("b", "2"));

        Assert.Equal(0, await OffsetForTimestampAsync(topic, NowMs, partition: 1));
        Assert.Equal(2, await OffsetForTimestampAsync(topic, NowMs + 3_600_000));
    }

    // ------------------------------------------------------------------ retention

    [Fact]
    public async Task Retention_RecordsOlderThanRetention_AreRemovedAndLogStartMoves()
    {
        SkipUnless(LogStoreCapability.Retention);
        var topic = await CreateTopicAsync(retention: TimeSpan.FromHours(1));
        var old = NowMs - TimeSpan.FromHours(2).Ticks / TimeSpan.TicksPerMillisecond;
        for (var batch = 0; batch < 4; batch++)
        {
            await AppendAsync(topic, 0, Enumerable.Range(0, 5).Select(i => new LogRecord(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes($"old-{(batch * 5) + i}"), old)).ToArray());
        }

        await RollSegmentAsync(topic, 0);
        await AppendAsync(topic, 0, Enumerable.Range(0, 5).Select(i => Record("k", $"new-{i}")).ToArray());

        await RunRetentionAsync();

        await Eventually.UntilAsync(async () => (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets.LogStartOffset == 20, ReadTimeout, "log start moves past the expired records");
        Assert.Equal(new PartitionOffsets(20, 25), (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets);

        // Reading below the log start reads from the log start.
        using (var read = await Store.ReadAsync(new ReadRequest(topic, 0, 0, 100, 1 << 20), Ct))
        {
            Assert.Equal(StorageStatus.Ok, read.Status);
            Assert.Equal(20, read.Records.Span[0].Offset);
        }

        var kept = await ReadRangeAsync(topic, 0, 20, 25);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"new-{i}"), kept.Select(r => r.ValueText));
    }

    [Fact]
    public async Task Retention_RecordsYoungerThanRetention_AreKept()
    {
        SkipUnless(LogStoreCapability.Retention);
        var topic = await CreateTopicAsync(retention: TimeSpan.FromHours(1));
        var recent = NowMs - TimeSpan.FromMinutes(30).Ticks / TimeSpan.TicksPerMillisecond;
        await AppendAsync(topic, 0, Enumerable.Range(0, 5).Select(i => new LogRecord(ReadOnlyMemory<byte>.Empty, new byte[10], recent)).ToArray());
        await RollSegmentAsync(topic, 0);
        await AppendAsync(topic, 0, Record("k", "now"));

        await RunRetentionAsync();

        Assert.Equal(new PartitionOffsets(0, 6), (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets);
    }

    [Fact]
    public async Task SetRetentionAsync_NewValue_IsDescribedAndApplied()
    {
        SkipUnless(LogStoreCapability.SetRetention);
        var topic = await CreateTopicAsync(retention: TimeSpan.FromDays(7));

        Assert.Equal(StorageStatus.Ok, await Store.SetRetentionAsync(topic, TimeSpan.FromHours(48), Ct));
        Assert.Equal(TimeSpan.FromHours(48), (await Store.DescribeTopicAsync(topic, Ct)).Topic.Retention);

        Assert.Equal(StorageStatus.Ok, await Store.SetRetentionAsync(topic, Timeout.InfiniteTimeSpan, Ct));
        Assert.Equal(Timeout.InfiniteTimeSpan, (await Store.DescribeTopicAsync(topic, Ct)).Topic.Retention);
    }

    [Fact]
    public async Task SetRetentionAsync_NotPositive_ReturnsInvalidArgumentAndKeepsRetention()
    {
        SkipUnless(LogStoreCapability.SetRetention);
        SkipUnless(LogStoreCapability.RetentionValidation);
        var topic = await CreateTopicAsync(retention: TimeSpan.FromDays(2));

        Assert.Equal(StorageStatus.InvalidArgument, await Store.SetRetentionAsync(topic, TimeSpan.Zero, Ct));
        Assert.Equal(StorageStatus.InvalidArgument, await Store.SetRetentionAsync(topic, TimeSpan.FromMinutes(-1), Ct));

        Assert.Equal(TimeSpan.FromDays(2), (await Store.DescribeTopicAsync(topic, Ct)).Topic.Retention);
    }

    // ------------------------------------------------------------------ partitions

    [Fact]
    public async Task AddPartitionsAsync_MorePartitions_NewOnesEmptyOldOnesIntact()
    {
        SkipUnless(LogStoreCapability.AddPartitions);
        var topic = await CreateTopicAsync(partitions: 2);
        await AppendAsync(topic, 0, Record("a", "p0-0"), Record("b", "p0-1"));
        await AppendAsync(topic, 1, Record("c", "p1-0"));

        Assert.Equal(StorageStatus.Ok, await Store.AddPartitionsAsync(topic, 5, Ct));

        Assert.Equal(5, (await Store.DescribeTopicAsync(topic, Ct)).Topic.Partitions);
        Assert.Equal(["p0-0", "p0-1"], (await ReadRangeAsync(topic, 0, 0, 2)).Select(r => r.ValueText));
        Assert.Equal(["p1-0"], (await ReadRangeAsync(topic, 1, 0, 1)).Select(r => r.ValueText));
        for (var p = 2; p < 5; p++)
        {
            Assert.Equal(new PartitionOffsets(0, 0), (await Store.GetOffsetsAsync(topic, p, Ct)).Offsets);
            Assert.Equal(new long[] { 0 }, await AppendAsync(topic, p, Record("n", $"p{p}")));
        }
    }

    [Fact]
    public async Task AddPartitionsAsync_FewerPartitions_ReturnsInvalidArgument()
    {
        SkipUnless(LogStoreCapability.AddPartitions);
        var topic = await CreateTopicAsync(partitions: 3);

        Assert.Equal(StorageStatus.InvalidArgument, await Store.AddPartitionsAsync(topic, 2, Ct));

        Assert.Equal(3, (await Store.DescribeTopicAsync(topic, Ct)).Topic.Partitions);
    }

    [Fact]
    public async Task AddPartitionsAsync_SameCount_IsNoOp()
    {
        SkipUnless(LogStoreCapability.AddPartitions);
        var topic = await CreateTopicAsync(partitions: 3);
        await AppendAsync(topic, 2, Record("k", "v"));

        Assert.Equal(StorageStatus.Ok, await Store.AddPartitionsAsync(topic, 3, Ct));

        Assert.Equal(3, (await Store.DescribeTopicAsync(topic, Ct)).Topic.Partitions);
        Assert.Equal(1, (await Store.GetOffsetsAsync(topic, 2, Ct)).Offsets.HighWatermark);
    }

    [Fact]
    public async Task ManyPartitions_AppendsToEach_StayIndependent()
    {
        var count = ManyPartitions;
        var topic = await CreateTopicAsync(partitions: count);

        await Task.WhenAll(Enumerable.Range(0, count).Select(p => Task.Run(async () =>
            await AppendAsync(topic, p, Enumerable.Range(0, (p % 5) + 1).Select(i => Record($"p{p}", $"p{p}-{i}")).ToArray()), Ct)));

        for (var p = 0; p < count; p++)
        {
            var expected = (p % 5) + 1;
            Assert.Equal(new PartitionOffsets(0, expected), (await Store.GetOffsetsAsync(topic, p, Ct)).Offsets);
            var records = await ReadRangeAsync(topic, p, 0, expected);
            Assert.Equal(Enumerable.Range(0, expected).Select(i => $"p{p}-{i}"), records.Select(r => r.ValueText));
        }
    }

    // ------------------------------------------------------------------ unknown names

    [Fact]
    public async Task Operations_UnknownTopic_ReturnTopicNotFound()
    {
        SkipUnless(LogStoreCapability.UnknownTopic);
        var missing = NewTopicName();
        var outcomes = new AppendOutcome[2];

        Assert.Equal(StorageStatus.TopicNotFound, await Store.AppendAsync(missing, 0, new[] { Record("a", "1"), Record("b", "2") }, outcomes, Ct));
        Assert.All(outcomes, o => Assert.Equal(new AppendOutcome(StorageStatus.TopicNotFound, -1), o));
        using (var read = await Store.ReadAsync(new ReadRequest(missing, 0, 0, 10, 1000), Ct))
        {
            Assert.Equal(StorageStatus.TopicNotFound, read.Status);
            Assert.Equal(0, read.Records.Length);
        }

        Assert.Equal(StorageStatus.TopicNotFound, (await Store.GetOffsetsAsync(missing, 0, Ct)).Status);
        Assert.Equal(StorageStatus.TopicNotFound, (await Store.DescribeTopicAsync(missing, Ct)).Status);
        if (SkipReason(LogStoreCapability.OffsetForTimestamp) is null)
        {
            Assert.Equal(StorageStatus.TopicNotFound, (await Store.GetOffsetForTimestampAsync(missing, 0, NowMs, Ct)).Status);
        }

        if (SkipReason(LogStoreCapability.AddPartitions) is null)
        {
            Assert.Equal(StorageStatus.TopicNotFound, await Store.AddPartitionsAsync(missing, 3, Ct));
        }

        if (SkipReason(LogStoreCapability.SetRetention) is null)
        {
            Assert.Equal(StorageStatus.TopicNotFound, await Store.SetRetentionAsync(missing, TimeSpan.FromHours(1), Ct));
        }

        Assert.DoesNotContain(missing, await Store.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task Operations_UnknownPartition_ReturnPartitionNotFound()
    {
        var topic = await CreateTopicAsync(partitions: 2);
        foreach (var partition in new[] { 2, 17, -1 })
        {
            var outcomes = new AppendOutcome[1];
            Assert.Equal(StorageStatus.PartitionNotFound, await Store.AppendAsync(topic, partition, new[] { Record("a", "1") }, outcomes, Ct));
            Assert.Equal(new AppendOutcome(StorageStatus.PartitionNotFound, -1), outcomes[0]);
            using (var read = await Store.ReadAsync(new ReadRequest(topic, partition, 0, 10, 1000), Ct))
            {
                Assert.Equal(StorageStatus.PartitionNotFound, read.Status);
            }

            Assert.Equal(StorageStatus.PartitionNotFound, (await Store.GetOffsetsAsync(topic, partition, Ct)).Status);
            if (SkipReason(LogStoreCapability.OffsetForTimestamp) is null)
            {
                Assert.Equal(StorageStatus.PartitionNotFound, (await Store.GetOffsetForTimestampAsync(topic, partition, NowMs, Ct)).Status);
            }
        }
    }

    // ------------------------------------------------------------------ durability and sizes

    [Fact]
    public async Task Reopen_AfterDispose_TopicsRecordsAndOffsetsSurvive()
    {
        SkipUnless(LogStoreCapability.Reopen);
        var first = await CreateTopicAsync(partitions: 2, retention: TimeSpan.FromHours(36), hint: "first");
        var second = await CreateTopicAsync(partitions: 1, hint: "second");
        var records = Enumerable.Range(0, 50).Select(i => new LogRecord(
            Encoding.UTF8.GetBytes($"key-{i}"),
            Encoding.UTF8.GetBytes(Payload(i, 200)),
            NowMs + i,
            i % 3 == 0 ? [new LogHeader("h", new[] { (byte)i })] : null)).ToArray();
        await AppendAsync(first, 1, records);
        await AppendAsync(second, 0, Record("only", "one"));

        await ReopenAsync();

        Assert.Equal(new TopicInfo(first, 2, TimeSpan.FromHours(36)), (await Store.DescribeTopicAsync(first, Ct)).Topic);
        Assert.Equal(new PartitionOffsets(0, 50), (await Store.GetOffsetsAsync(first, 1, Ct)).Offsets);
        Assert.Equal(new PartitionOffsets(0, 0), (await Store.GetOffsetsAsync(first, 0, Ct)).Offsets);
        var read = await ReadRangeAsync(first, 1, 0, 50);
        for (var i = 0; i < records.Length; i++)
        {
            AssertSameRecord(records[i], read[i]);
        }

        Assert.Equal(["one"], (await ReadRangeAsync(second, 0, 0, 1)).Select(r => r.ValueText));
        Assert.Equal(new long[] { 50, 51 }, await AppendAsync(first, 1, Record("after", "1"), Record("after", "2")));
    }

    [Fact]
    public async Task AppendAsync_TenMebibyteValue_RoundTrips()
    {
        SkipUnless(LogStoreCapability.LargeRecords);
        var topic = await CreateTopicAsync();
        var value = new byte[10 * 1024 * 1024];
        new Random(42).NextBytes(value);

        var offsets = await AppendAsync(topic, 0, Record("small-before", "x"), new LogRecord(Encoding.UTF8.GetBytes("big"), value, NowMs), Record("small-after", "y"));

        Assert.Equal([0L, 1L, 2L], offsets);
        var read = await ReadUntilNonEmptyAsync(new ReadRequest(topic, 0, 1, 10, 1));
        Assert.Equal(1, read[0].Offset);
        Assert.True(value.AsSpan().SequenceEqual(read[0].Value), "the 10 MiB value came back changed");
        Assert.Equal(["y"], (await ReadRangeAsync(topic, 0, 2, 3)).Select(r => r.ValueText));
    }

    [Fact]
    public async Task AppendAsync_RecordAboveLimit_ReturnsRecordTooLargeForIt()
    {
        SkipUnless(LogStoreCapability.RecordTooLarge);
        var topic = await CreateTopicAsync();
        LogRecord[] records = [Record("a", "before"), new(ReadOnlyMemory<byte>.Empty, new byte[MaxRecordBytes + 1], NowMs), Record("b", "after")];
        var outcomes = new AppendOutcome[3];

        var status = await Store.AppendAsync(topic, 0, records, outcomes, Ct);

        Assert.Equal(StorageStatus.RecordTooLarge, status);
        Assert.Equal(new AppendOutcome(StorageStatus.RecordTooLarge, -1), outcomes[1]);
        var hw = (await Store.GetOffsetsAsync(topic, 0, Ct)).Offsets.HighWatermark;
        var accepted = outcomes.Where(o => o.Status == StorageStatus.Ok).ToArray();
        Assert.Equal(accepted.Length, hw);
        var read = await ReadRangeAsync(topic, 0, 0, hw);
        Assert.All(read, r => Assert.True(r.ValueText is "before" or "after"));
    }

    // ------------------------------------------------------------------ helpers for subclasses and tests

    /// <summary>Skips the running test when the backend lacks <paramref name="capability"/>.</summary>
    protected void SkipUnless(LogStoreCapability capability)
    {
        if (SkipReason(capability) is { } reason)
        {
            Assert.Skip(reason);
        }
    }

    /// <summary>Disposes the store and opens it again over the same data.</summary>
    protected async Task ReopenAsync()
    {
        var store = Store;
        _store = null;
        await store.DisposeAsync();
        _store = await ReopenStoreAsync();
    }

    /// <summary>A topic name unique to this test run, valid for Kafka and the embedded log.</summary>
    protected static string NewTopicName([CallerMemberName] string hint = "topic")
    {
        var prefix = new string(hint.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(60).ToArray());
        return $"{prefix}-{Guid.NewGuid():N}";
    }

    /// <summary>Creates a topic for a test (through <see cref="CreateTopicForTestAsync"/>) and returns its name.</summary>
    protected async Task<string> CreateTopicAsync(int partitions = 1, TimeSpan? retention = null, [CallerMemberName] string hint = "topic")
    {
        var name = NewTopicName(hint);
        await CreateTopicForTestAsync(new TopicSpec(name, partitions, retention ?? TimeSpan.FromDays(7)));
        return name;
    }

    /// <summary>A record with UTF-8 key and value, stamped now.</summary>
    protected LogRecord Record(string key, string value) =>
        new(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), NowMs);

    /// <summary>Appends records, asserts success, returns their offsets.</summary>
    protected async Task<long[]> AppendAsync(string topic, int partition, params LogRecord[] records)
    {
        var outcomes = new AppendOutcome[records.Length];
        var status = await Store.AppendAsync(topic, partition, records, outcomes, Ct);
        Assert.Equal(StorageStatus.Ok, status);
        Assert.All(outcomes, o => Assert.Equal(StorageStatus.Ok, o.Status));
        return [.. outcomes.Select(o => o.Offset)];
    }

    /// <summary>Reads [<paramref name="from"/>, <paramref name="until"/>) in as many reads as it takes, asserting consecutive offsets.</summary>
    protected async Task<List<RecordCopy>> ReadRangeAsync(string topic, int partition, long from, long until, int maxRecords = 1000)
    {
        var records = new List<RecordCopy>();
        var next = from;
        await Eventually.UntilAsync(async () =>
        {
            while (next < until)
            {
                using var read = await Store.ReadAsync(new ReadRequest(topic, partition, next, maxRecords, 16 * 1024 * 1024), Ct);
                Assert.Equal(StorageStatus.Ok, read.Status);
                if (read.Records.Length == 0)
                {
                    return false;
                }

                foreach (var record in Copy(read))
                {
                    Assert.Equal(next, record.Offset);
                    if (next < until)
                    {
                        records.Add(record);
                    }

                    next++;
                }

                Assert.Equal(next, read.NextOffset);
            }

            return true;
        }, ReadTimeout, $"reading {topic}/{partition} [{from}, {until})");
        return records;
    }

    /// <summary>Reads until a read returns records, and returns them.</summary>
    protected async Task<List<RecordCopy>> ReadUntilNonEmptyAsync(ReadRequest request)
    {
        List<RecordCopy> records = [];
        await Eventually.UntilAsync(async () =>
        {
            using var read = await Store.ReadAsync(request, Ct);
            Assert.Equal(StorageStatus.Ok, read.Status);
            records = Copy(read);
            return records.Count > 0;
        }, ReadTimeout, $"records at {request.Topic}/{request.Partition}@{request.Offset}");
        return records;
    }

    /// <summary>Copies a read's records out of the result's (pooled) memory.</summary>
    protected static List<RecordCopy> Copy(ReadResult read)
    {
        var copies = new List<RecordCopy>(read.Records.Length);
        foreach (var record in read.Records.Span)
        {
            copies.Add(new RecordCopy(
                record.Offset,
                record.TimestampMs,
                record.Key.ToArray(),
                record.Value.ToArray(),
                record.Headers?.Select(h => (h.Key, h.Value.ToArray())).ToArray() ?? []));
        }

        return copies;
    }

    /// <summary>Asserts a read record carries what was appended.</summary>
    protected static void AssertSameRecord(LogRecord expected, RecordCopy actual)
    {
        Assert.Equal(expected.Key.ToArray(), actual.Key);
        Assert.Equal(expected.Value.ToArray(), actual.Value);
        Assert.Equal(expected.TimestampMs, actual.TimestampMs);
        var headers = expected.Headers ?? [];
        Assert.Equal(headers.Count, actual.Headers.Length);
        for (var i = 0; i < headers.Count; i++)
        {
            Assert.Equal(headers[i].Key, actual.Headers[i].Key);
            Assert.Equal(headers[i].Value.ToArray(), actual.Headers[i].Value);
        }
    }

    /// <summary>A deterministic text payload of about <paramref name="length"/> characters identifying <paramref name="n"/>.</summary>
    protected static string Payload(int n, int length)
    {
        var head = $"#{n}:";
        return head + new string((char)('a' + (n % 26)), Math.Max(0, length - head.Length));
    }

    private async Task<long> OffsetForTimestampAsync(string topic, long timestampMs, int partition = 0)
    {
        var result = await Store.GetOffsetForTimestampAsync(topic, partition, timestampMs, Ct);
        Assert.Equal(StorageStatus.Ok, result.Status);
        return result.Offset;
    }
}

/// <summary>A record copied out of a read result.</summary>
public sealed record RecordCopy(long Offset, long TimestampMs, byte[] Key, byte[] Value, (string Key, byte[] Value)[] Headers)
{
    /// <summary>The value as UTF-8 text.</summary>
    public string ValueText => Encoding.UTF8.GetString(Value);
}
