using System.Buffers;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>
/// Records read from a segment. The keys, values and header values point into the pooled buffers the
/// positional reads filled (usually one); disposing returns them and the record array to their pools.
/// </summary>
internal sealed class PooledReadResult : ReadResult
{
    private byte[]? _buffer;
    private List<byte[]>? _earlierBuffers;
    private StoredRecord[]? _records;
    private readonly int _count;
    private readonly long _nextOffset;
    private readonly PartitionOffsets _offsets;

    public PooledReadResult(byte[] buffer, List<byte[]>? earlierBuffers, StoredRecord[] records, int count, long nextOffset, PartitionOffsets offsets)
    {
        _buffer = buffer;
        _earlierBuffers = earlierBuffers;
        _records = records;
        _count = count;
        _nextOffset = nextOffset;
        _offsets = offsets;
    }

    public override StorageStatus Status => StorageStatus.Ok;

    /// <summary>The records; empty after disposal, so a use-after-dispose reads nothing rather than reused memory.</summary>
    public override ReadOnlyMemory<StoredRecord> Records =>
        Volatile.Read(ref _records) is { } records ? new ReadOnlyMemory<StoredRecord>(records, 0, _count) : ReadOnlyMemory<StoredRecord>.Empty;

    public override long NextOffset => _nextOffset;

    public override PartitionOffsets Offsets => _offsets;

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _records, null) is { } records)
        {
            // Cleared so the pooled array does not keep record memory (and header strings) reachable.
            ArrayPool<StoredRecord>.Shared.Return(records, clearArray: true);
        }

        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            foreach (var earlier in _earlierBuffers ?? [])
            {
                ArrayPool<byte>.Shared.Return(earlier);
            }

            _earlierBuffers = null;
        }

        base.Dispose(disposing);
    }
}
