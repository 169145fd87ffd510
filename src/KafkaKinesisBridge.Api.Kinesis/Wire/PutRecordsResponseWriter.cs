using KafkaKinesisBridge.Api.Aws.Serialization;

namespace KafkaKinesisBridge.Api.Kinesis.Wire;

/// <summary>
/// Writes a PutRecords response in one pass: <c>{"Records": [...], "FailedRecordCount": n,
/// "EncryptionType"?}</c>. The count goes after the list (member order does not matter in JSON or
/// CBOR maps), so results are written as they are known.
/// </summary>
public readonly ref struct PutRecordsResponseWriter
{
    private readonly KinesisDocumentWriter _writer;

    /// <summary>A writer over the call's document writer.</summary>
    public PutRecordsResponseWriter(KinesisDocumentWriter writer)
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

    /// <summary>A record that was stored.</summary>
    public void WriteSuccess(ReadOnlySpan<byte> sequenceNumber, ReadOnlySpan<byte> shardId)
    {
        _writer.WriteStartObject();
        _writer.WriteString("SequenceNumber"u8, sequenceNumber);
        _writer.WriteString("ShardId"u8, shardId);
        _writer.WriteEndObject();
    }

    /// <summary>A record that failed (ErrorCode is ProvisionedThroughputExceededException or InternalFailure).</summary>
    public void WriteFailure(string errorCode, string errorMessage)
    {
        _writer.WriteStartObject();
        _writer.WriteString("ErrorCode"u8, errorCode);
        _writer.WriteString("ErrorMessage"u8, errorMessage);
        _writer.WriteEndObject();
    }

    /// <summary>Closes the list, writes the failure count and encryption type, closes the response.</summary>
    public void WriteEnd(int failedRecordCount, string? encryptionType = null)
    {
        _writer.WriteEndArray();
        _writer.WriteNumber("FailedRecordCount"u8, failedRecordCount);
        if (encryptionType is not null)
        {
            _writer.WriteString("EncryptionType"u8, encryptionType);
        }

        _writer.WriteEndObject();
    }
}
