using KafkaKinesisBridge.Api.Aws.Serialization;

namespace KafkaKinesisBridge.Api.Kinesis.Wire;

/// <summary>
/// Writes a GetRecords response straight from storage memory: each record's data is base64-encoded
/// (JSON) or copied as a byte string (CBOR) directly into the response buffer.
/// </summary>
/// <remarks>
/// Shape (Kinesis API reference, GetRecords): <c>{"Records": [{"SequenceNumber", "ApproximateArrivalTimestamp",
/// "Data", "PartitionKey", "EncryptionType"?}], "NextShardIterator"?, "MillisBehindLatest", "ChildShards"?}</c>.
/// Call <see cref="WriteStart"/>, <see cref="WriteRecord"/> per record, <see cref="WriteEndRecords"/>,
/// optionally the child shards, then <see cref="WriteEnd"/>.
/// </remarks>
public readonly ref struct GetRecordsResponseWriter
{
    private readonly KinesisDocumentWriter _writer;

    /// <summary>A writer over the call's document writer.</summary>
    public GetRecordsResponseWriter(KinesisDocumentWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>Opens the response and its Records list.</summary>
    public void WriteStart()
    {
        _writer.WriteStartObject();
        _writer.WritePropertyName("Records"u8);
        _writer.WriteStartArray();
    }

    /// <summary>One record.</summary>
    /// <param name="sequenceNumber">The sequence number as UTF-8 digits.</param>
    /// <param name="approximateArrivalTimestamp">Arrival time, epoch milliseconds.</param>
    /// <param name="data">The record data.</param>
    /// <param name="partitionKey">The partition key, UTF-8.</param>
    /// <param name="encryptionType">"KMS" for encrypted streams; null leaves the member out.</param>
    public void WriteRecord(ReadOnlySpan<byte> sequenceNumber, long approximateArrivalTimestamp, ReadOnlySpan<byte> data, ReadOnlySpan<byte> partitionKey, string? encryptionType = null)
    {
        _writer.WriteStartObject();
        _writer.WriteString("SequenceNumber"u8, sequenceNumber);
        _writer.WriteTimestamp("ApproximateArrivalTimestamp"u8, approximateArrivalTimestamp);
        _writer.WriteBlob("Data"u8, data);
        _writer.WriteString("PartitionKey"u8, partitionKey);
        if (encryptionType is not null)
        {
            _writer.WriteString("EncryptionType"u8, encryptionType);
        }

        _writer.WriteEndObject();
    }

    /// <summary>Closes the Records list and writes the iterator and lag.</summary>
    /// <param name="nextShardIterator">Null when the shard is closed and fully read (Kinesis then omits it).</param>
    /// <param name="millisBehindLatest">How far the response is from the tip of the shard.</param>
    public void WriteEndRecords(string? nextShardIterator, long millisBehindLatest)
    {
        _writer.WriteEndArray();
        if (nextShardIterator is not null)
        {
            _writer.WriteString("NextShardIterator"u8, nextShardIterator);
        }

        _writer.WriteNumber("MillisBehindLatest"u8, millisBehindLatest);
    }

    /// <summary>Opens the ChildShards list (sent once a closed shard has been read to its end).</summary>
    public void WriteStartChildShards()
    {
        _writer.WritePropertyName("ChildShards"u8);
        _writer.WriteStartArray();
    }

    /// <summary>One child shard.</summary>
    public void WriteChildShard(string shardId, ReadOnlySpan<string> parentShards, string startingHashKey, string endingHashKey)
    {
        _writer.WriteStartObject();
        _writer.WriteString("ShardId"u8, shardId);
        _writer.WritePropertyName("ParentShards"u8);
        _writer.WriteStartArray();
        foreach (var parent in parentShards)
        {
            _writer.WriteStringValue(parent);
        }

        _writer.WriteEndArray();
        _writer.WritePropertyName("HashKeyRange"u8);
        _writer.WriteStartObject();
        _writer.WriteString("StartingHashKey"u8, startingHashKey);
        _writer.WriteString("EndingHashKey"u8, endingHashKey);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
    }

    /// <summary>Closes the ChildShards list.</summary>
    public void WriteEndChildShards() => _writer.WriteEndArray();

    /// <summary>Closes the response.</summary>
    public void WriteEnd() => _writer.WriteEndObject();
}
