using System.Buffers;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>Records read from Kafka, in pooled memory returned on dispose.</summary>
internal sealed class KafkaReadResult(StoredRecord[] records, int count, RecordArena arena, long nextOffset, PartitionOffsets offsets)
    : ReadResult
{
    private StoredRecord[]? _records = records;

    public override StorageStatus Status => StorageStatus.Ok;

    public override ReadOnlyMemory<StoredRecord> Records
    {
        get
        {
            ObjectDisposedException.ThrowIf(_records is null, this);
            return _records.AsMemory(0, count);
        }
    }

    public override long NextOffset => nextOffset;

    public override PartitionOffsets Offsets => offsets;

    protected override void Dispose(bool disposing)
    {
        var owned = Interlocked.Exchange(ref _records, null);
        if (owned is not null)
        {
            // Clear: the records reference arena segments that other reads will reuse.
            ArrayPool<StoredRecord>.Shared.Return(owned, clearArray: true);
            arena.Release();
        }
    }
}
