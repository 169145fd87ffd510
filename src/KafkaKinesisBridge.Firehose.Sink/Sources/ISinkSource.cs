using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Model;

namespace KafkaKinesisBridge.Firehose.Sink.Sources;

/// <summary>
/// Where a delivery pipeline reads its records: the partitions of one log topic this process owns,
/// each from its committed position. On the embedded log one process owns every partition; on Kafka
/// with consumer groups the group decides, and partitions come and go (<see cref="SinkPoll.Revoked"/>).
/// </summary>
/// <remarks>
/// The pipeline calls the source from one task at a time: poll, then (after an object is durable)
/// commit, then poll again. A consumer-group source hands partitions over only inside
/// <see cref="PollAsync"/>, so no object of a revoked partition is ever being written while another
/// process takes it over.
/// </remarks>
public interface ISinkSource : IAsyncDisposable
{
    /// <summary>
    /// Returns the records that are available (reading on from the last poll), waiting up to
    /// <paramref name="maxWait"/> when there are none, and the partitions lost since the last poll,
    /// whose unwritten records the pipeline must drop without committing.
    /// </summary>
    ValueTask<SinkPoll> PollAsync(TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Records that every record of <paramref name="partition"/> before <paramref name="nextOffset"/>
    /// is delivered (a checkpoint, or a consumer-group offset commit). Throws when it cannot.</summary>
    ValueTask CommitAsync(int partition, long nextOffset, CancellationToken cancellationToken);
}

/// <summary>Opens the source of a delivery stream.</summary>
public interface ISinkSourceFactory
{
    /// <summary>Opens a source positioned at the delivery stream's committed positions.</summary>
    ValueTask<ISinkSource> OpenAsync(SinkDeliveryStream stream, CancellationToken cancellationToken);
}

/// <summary>The outcome of one <see cref="ISinkSource.PollAsync"/>; owns the records' memory until disposed.</summary>
public sealed class SinkPoll : IDisposable
{
    /// <summary>An empty poll.</summary>
    public static SinkPoll Empty => new([], []);

    /// <summary>Creates a poll result.</summary>
    public SinkPoll(IReadOnlyList<SinkRecordBatch> batches, IReadOnlyList<int> revoked)
    {
        Batches = batches;
        Revoked = revoked;
    }

    /// <summary>Records, per partition, in offset order.</summary>
    public IReadOnlyList<SinkRecordBatch> Batches { get; }

    /// <summary>Partitions this process no longer owns.</summary>
    public IReadOnlyList<int> Revoked { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var batch in Batches)
        {
            batch.Dispose();
        }
    }
}

/// <summary>Consecutive records of one partition.</summary>
public sealed class SinkRecordBatch : IDisposable
{
    private readonly IDisposable? _owner;

    /// <summary>Creates a batch; <paramref name="owner"/> (a storage read result) is disposed with it.</summary>
    public SinkRecordBatch(int partition, ReadOnlyMemory<StoredRecord> records, IDisposable? owner)
    {
        Partition = partition;
        Records = records;
        _owner = owner;
    }

    /// <summary>The partition.</summary>
    public int Partition { get; }

    /// <summary>The records; their value is the data blob, their timestamp the arrival time.</summary>
    public ReadOnlyMemory<StoredRecord> Records { get; }

    /// <inheritdoc />
    public void Dispose() => _owner?.Dispose();
}
