using System.Buffers.Binary;

namespace KafkaKinesisBridge.Firehose.Delivery;

/// <summary>
/// PutRecord's RecordId: derived from where the record lies in the delivery stream's log
/// (incarnation, partition, offset), so the same record always has the same id and two records never
/// share one. Firehose's ids are opaque strings; these are 40 hex digits.
/// </summary>
public static class RecordIds
{
    public static string Format(ulong incarnation, int partition, long offset)
    {
        Span<byte> bytes = stackalloc byte[20];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, incarnation);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], partition);
        BinaryPrimitives.WriteInt64BigEndian(bytes[12..], offset);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Reads an id back into its log position.</summary>
    public static bool TryParse(string recordId, out ulong incarnation, out int partition, out long offset)
    {
        incarnation = 0;
        partition = 0;
        offset = 0;
        if (recordId is not { Length: 40 })
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[20];
        if (Convert.FromHexString(recordId, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 20)
        {
            return false;
        }

        incarnation = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        partition = BinaryPrimitives.ReadInt32BigEndian(bytes[8..]);
        offset = BinaryPrimitives.ReadInt64BigEndian(bytes[12..]);
        return true;
    }
}
