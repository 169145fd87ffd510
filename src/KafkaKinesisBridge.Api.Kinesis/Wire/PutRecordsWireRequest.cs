using System.Buffers;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Wire;

/// <summary>One entry of a PutRecords request as read off the wire.</summary>
/// <param name="Data">The record data, decoded in the request buffer (valid while the call runs).</param>
/// <param name="PartitionKey">The partition key (null when absent).</param>
/// <param name="ExplicitHashKey">The explicit hash key (null when absent).</param>
public readonly record struct PutRecordsWireEntry(ReadOnlyMemory<byte> Data, string? PartitionKey, string? ExplicitHashKey);

/// <summary>
/// A PutRecords request (the hottest operation) read from JSON or CBOR without an allocation per
/// record beyond its partition key string: record data stays in the request buffer (base64 decoded
/// in place), entries live in a pooled array returned on <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Only the shape is checked here (members of the right types); the rules of Kinesis (key lengths,
/// sizes, which of StreamName/StreamARN) belong to the core. One rule is enforced while reading: at
/// most <see cref="MaxEntries"/> records (PutRecords, "Records: 1 to 500 items"). Reading stops at the
/// 501st with the ValidationException the core gives, so a body of millions of tiny entries costs no
/// more than a valid request (the entries array never passes 500).
/// </remarks>
public sealed class PutRecordsWireRequest : IDisposable
{
    /// <summary>The most records one request may carry (Kinesis API reference, PutRecords).</summary>
    public const int MaxEntries = 500;

    private const int InitialCapacity = 16;

    private PutRecordsWireEntry[] _records = [];
    private int _count;

    private PutRecordsWireRequest()
    {
    }

    /// <summary>StreamName member.</summary>
    public string? StreamName { get; private set; }

    /// <summary>StreamARN member.</summary>
    public string? StreamARN { get; private set; }

    /// <summary>StreamId member (reserved by Kinesis for future use).</summary>
    public string? StreamId { get; private set; }

    /// <summary>True when a Records member was present (even empty).</summary>
    public bool HasRecords { get; private set; }

    /// <summary>The records, in request order.</summary>
    public ReadOnlyMemory<PutRecordsWireEntry> Records => _records.AsMemory(0, _count);

    /// <summary>Reads a whole PutRecords request document.</summary>
    /// <exception cref="KinesisSerializationException">The body is malformed or a member has the wrong type.</exception>
    /// <exception cref="KinesisException">More than <see cref="MaxEntries"/> records (ValidationException).</exception>
    public static PutRecordsWireRequest Read(ref KinesisDocumentReader reader)
    {
        var request = new PutRecordsWireRequest();
        try
        {
            reader.ReadStartObject();
            while (reader.ReadProperty())
            {
                if (reader.PropertyNameEquals("Records"u8))
                {
                    request.ReadRecords(ref reader);
                }
                else if (reader.PropertyNameEquals("StreamName"u8))
                {
                    request.StreamName = reader.ReadString();
                }
                else if (reader.PropertyNameEquals("StreamARN"u8))
                {
                    request.StreamARN = reader.ReadString();
                }
                else if (reader.PropertyNameEquals("StreamId"u8))
                {
                    request.StreamId = reader.ReadString();
                }
                else
                {
                    reader.SkipValue();
                }
            }

            reader.ReadEndOfDocument();
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_records.Length > 0)
        {
            ArrayPool<PutRecordsWireEntry>.Shared.Return(_records, clearArray: true);
        }

        _records = [];
        _count = 0;
    }

    private void ReadRecords(ref KinesisDocumentReader reader)
    {
        if (!reader.ReadStartArray())
        {
            return;
        }

        HasRecords = true;
        while (reader.ReadArrayElement())
        {
            if (reader.TokenType != KinesisTokenType.StartObject)
            {
                KinesisSerializationException.Throw("Each element of 'Records' must be a structure.");
            }

            ReadOnlyMemory<byte> data = default;
            string? partitionKey = null;
            string? explicitHashKey = null;
            while (reader.ReadProperty())
            {
                if (reader.PropertyNameEquals("Data"u8))
                {
                    data = reader.ReadBlob() ?? default;
                }
                else if (reader.PropertyNameEquals("PartitionKey"u8))
                {
                    partitionKey = reader.ReadString();
                }
                else if (reader.PropertyNameEquals("ExplicitHashKey"u8))
                {
                    explicitHashKey = reader.ReadString();
                }
                else
                {
                    reader.SkipValue();
                }
            }

            if (_count == MaxEntries)
            {
                throw new KinesisException(
                    KinesisErrorCode.Validation,
                    "1 validation error detected: Value '[more than 500 records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500");
            }

            Add(new PutRecordsWireEntry(data, partitionKey, explicitHashKey));
        }
    }

    private void Add(in PutRecordsWireEntry entry)
    {
        if (_count == _records.Length)
        {
            var grown = ArrayPool<PutRecordsWireEntry>.Shared.Rent(Math.Max(InitialCapacity, _records.Length * 2));
            _records.AsSpan(0, _count).CopyTo(grown);
            if (_records.Length > 0)
            {
                ArrayPool<PutRecordsWireEntry>.Shared.Return(_records, clearArray: true);
            }

            _records = grown;
        }

        _records[_count++] = entry;
    }
}
