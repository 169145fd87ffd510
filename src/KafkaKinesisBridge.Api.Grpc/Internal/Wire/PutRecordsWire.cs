using System.Buffers;
using System.Globalization;
using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal;
using CoreApi = KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Grpc.Internal.Wire;

/// <summary>
/// A <c>PutRecordsRequest</c> (streams.proto) parsed without a message object per record: the payload
/// is copied once into a pooled buffer, each record's data is a slice of it, and the entries live in a
/// pooled array handed to the core as they are. Only the partition key (and an explicit hash key) is
/// a string, as the core takes them. Dispose returns both buffers (KinesisStreamsMethodProvider has
/// Grpc.AspNetCore do it when the request ends; it does not dispose messages itself).
/// </summary>
/// <remarks>
/// Parsing follows Google.Protobuf: fields in any order, the last value of a repeated scalar wins,
/// unknown fields and known fields with an unexpected wire type are skipped. Strings must be valid
/// UTF-8 (refused, not altered, as Google.Protobuf does). The Kinesis limit of 500 records is
/// enforced while reading: the 501st entry stops the parse, so no request holds more entries than a
/// valid one (the payload itself is bounded by the receive limit). The other Kinesis rules (key
/// lengths, sizes) are the core's.
/// </remarks>
internal sealed class PutRecordsGrpcRequest : IDisposable
{
    // streams.proto: PutRecordsRequest { records = 1; stream_name = 2; stream_arn = 3; }
    private const uint RecordsTag = (1 << 3) | ProtoWire.LengthDelimited;
    private const uint StreamNameTag = (2 << 3) | ProtoWire.LengthDelimited;
    private const uint StreamArnTag = (3 << 3) | ProtoWire.LengthDelimited;

    // PutRecordsRequestEntry { data = 1; explicit_hash_key = 2; partition_key = 3; }
    private const uint DataTag = (1 << 3) | ProtoWire.LengthDelimited;
    private const uint ExplicitHashKeyTag = (2 << 3) | ProtoWire.LengthDelimited;
    private const uint PartitionKeyTag = (3 << 3) | ProtoWire.LengthDelimited;

    private const int InitialCapacity = 16;

    /// <summary>PutRecords takes at most 500 records (Kinesis API reference, PutRecords, Records).</summary>
    internal const int MaxRecords = 500;

    private byte[]? _payload;
    private CoreApi.PutRecordsRequestEntry[] _records = [];
    private int _count;

    private PutRecordsGrpcRequest(byte[] payload)
    {
        _payload = payload;
    }

    /// <summary>The marshaller Grpc.AspNetCore parses PutRecords requests with (it never serializes them).</summary>
    public static Marshaller<PutRecordsGrpcRequest> Marshaller { get; } = Marshallers.Create<PutRecordsGrpcRequest>(
        (_, _) => throw new NotSupportedException("PutRecords requests are only parsed by the server."),
        context => ParseChecked(context.PayloadAsReadOnlySequence()));

    /// <summary>stream_name; null when empty.</summary>
    public string? StreamName { get; private set; }

    /// <summary>stream_arn; null when empty.</summary>
    public string? StreamArn { get; private set; }

    /// <summary>The records in request order, ready for the core.</summary>
    public ReadOnlyMemory<CoreApi.PutRecordsRequestEntry> Records => _records.AsMemory(0, _count);

    /// <summary>
    /// Parses one request message, turning what the client got wrong into the Kinesis error it would
    /// get from the core: a string that is not UTF-8 (SerializationException), over 500 records
    /// (ValidationException); malformed protobuf is INTERNAL "Failed to deserialize request message."
    /// </summary>
    internal static PutRecordsGrpcRequest ParseChecked(ReadOnlySequence<byte> payload)
    {
        try
        {
            return Parse(payload);
        }
        catch (InvalidUtf8Exception error)
        {
            throw KinesisGrpcErrors.SerializationError(error.Message);
        }
        catch (TooManyRecordsException)
        {
            throw KinesisGrpcErrors.ToRpcException(new CoreApi.KinesisException(
                CoreApi.KinesisErrorCode.Validation,
                string.Create(CultureInfo.InvariantCulture, $"1 validation error detected: Value '[more than {MaxRecords} records]' at 'records' failed to satisfy constraint: Member must have length less than or equal to {MaxRecords}")));
        }
        catch (InvalidDataException)
        {
            throw KinesisGrpcErrors.DeserializationFailure();
        }
    }

    /// <summary>Parses one request message.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid protobuf message.</exception>
    /// <exception cref="InvalidUtf8Exception">A string field is not valid UTF-8.</exception>
    /// <exception cref="TooManyRecordsException">The message holds more than 500 records.</exception>
    internal static PutRecordsGrpcRequest Parse(ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        payload.CopyTo(buffer);
        var request = new PutRecordsGrpcRequest(buffer);
        try
        {
            request.ReadRequest(buffer.AsMemory(0, length));
            return request;
        }
        catch
        {
            request.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        var payload = Interlocked.Exchange(ref _payload, null);
        if (payload is null)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(payload);
        if (_records.Length > 0)
        {
            // The entries hold strings and slices of the payload: clear them so nothing is kept alive.
            ArrayPool<CoreApi.PutRecordsRequestEntry>.Shared.Return(_records, clearArray: true);
        }

        _records = [];
        _count = 0;
    }

    private void ReadRequest(ReadOnlyMemory<byte> message)
    {
        var reader = new ProtoReader(message.Span);
        while (reader.TryReadTag(out var tag))
        {
            switch (tag)
            {
                case RecordsTag:
                    if (_count == MaxRecords)
                    {
                        throw new TooManyRecordsException();
                    }

                    var start = reader.ReadLengthDelimited(out var length);
                    Add(ReadEntry(message.Slice(start, length)));
                    break;
                case StreamNameTag:
                    StreamName = reader.ReadOptionalString("stream_name");
                    break;
                case StreamArnTag:
                    StreamArn = reader.ReadOptionalString("stream_arn");
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }
    }

    private static CoreApi.PutRecordsRequestEntry ReadEntry(ReadOnlyMemory<byte> entry)
    {
        var data = ReadOnlyMemory<byte>.Empty;
        string? partitionKey = null;
        string? explicitHashKey = null;
        var reader = new ProtoReader(entry.Span);
        while (reader.TryReadTag(out var tag))
        {
            switch (tag)
            {
                case DataTag:
                    var start = reader.ReadLengthDelimited(out var length);
                    data = entry.Slice(start, length);
                    break;
                case PartitionKeyTag:
                    partitionKey = reader.ReadOptionalString("records.partition_key");
                    break;
                case ExplicitHashKeyTag:
                    explicitHashKey = reader.ReadOptionalString("records.explicit_hash_key");
                    break;
                default:
                    reader.SkipField(tag);
                    break;
            }
        }

        return new CoreApi.PutRecordsRequestEntry(data, partitionKey, explicitHashKey);
    }

    private void Add(in CoreApi.PutRecordsRequestEntry entry)
    {
        if (_count == _records.Length)
        {
            var grown = ArrayPool<CoreApi.PutRecordsRequestEntry>.Shared.Rent(Math.Max(InitialCapacity, _records.Length * 2));
            _records.AsSpan(0, _count).CopyTo(grown);
            if (_records.Length > 0)
            {
                ArrayPool<CoreApi.PutRecordsRequestEntry>.Shared.Return(_records, clearArray: true);
            }

            _records = grown;
        }

        _records[_count++] = entry;
    }
}

/// <summary>
/// A <c>PutRecordsResponse</c> (streams.proto) written straight from the core's result array: the
/// sequence numbers and shard ids are formatted into the output, with no message object or string per
/// record. The bytes are those Google.Protobuf would write for the same message (fields in number
/// order, proto3 defaults omitted). Dispose releases the core response (when the request ends, after
/// the response was written; see KinesisStreamsMethodProvider).
/// </summary>
internal sealed class PutRecordsGrpcResponse(CoreApi.PutRecordsResponse response) : IDisposable
{
    // PutRecordsResponse { failed_record_count = 1; records = 2; encryption_type = 3; }
    // PutRecordsResultEntry { sequence_number = 1; shard_id = 2; error_code = 3; error_message = 4; }
    private const int SuccessEntrySize =
        1 + 1 + CoreApi.SequenceNumber.Length + 1 + 1 + CoreApi.ShardIds.Length;

    /// <summary>The marshaller Grpc.AspNetCore writes PutRecords responses with (it never parses them).</summary>
    public static Marshaller<PutRecordsGrpcResponse> Marshaller { get; } = Marshallers.Create<PutRecordsGrpcResponse>(
        (response, context) =>
        {
            context.SetPayloadLength(response.CalculateSize());
            response.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        _ => throw new NotSupportedException("PutRecords responses are only written by the server."));

    public CoreApi.PutRecordsResponse Response { get; } = response;

    public int CalculateSize()
    {
        var size = 0;
        if (Response.FailedRecordCount != 0)
        {
            size += 1 + ProtoWire.VarintSize((ulong)(long)Response.FailedRecordCount);
        }

        foreach (ref readonly var record in Response.Records)
        {
            var entry = EntrySize(record);
            size += 1 + ProtoWire.VarintSize((uint)entry) + entry;
        }

        if (Response.EncryptionType == CoreApi.EncryptionType.Kms)
        {
            size += 2;
        }

        return size;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        var writer = new ProtoWriter(output);
        if (Response.FailedRecordCount != 0)
        {
            writer.WriteTag(1, ProtoWire.Varint);
            writer.WriteVarint((ulong)(long)Response.FailedRecordCount);
        }

        foreach (ref readonly var record in Response.Records)
        {
            if (record.IsSuccess)
            {
                var span = writer.GetSpan(2 + SuccessEntrySize);
                span[0] = ProtoWire.Tag(2, ProtoWire.LengthDelimited);
                span[1] = SuccessEntrySize;
                span[2] = ProtoWire.Tag(1, ProtoWire.LengthDelimited);
                span[3] = CoreApi.SequenceNumber.Length;
                record.SequenceNumber.TryFormat(span.Slice(4, CoreApi.SequenceNumber.Length), out _);
                var shard = span[(4 + CoreApi.SequenceNumber.Length)..];
                shard[0] = ProtoWire.Tag(2, ProtoWire.LengthDelimited);
                shard[1] = CoreApi.ShardIds.Length;
                CoreApi.ShardIds.TryFormat(record.ShardIndex, shard.Slice(2, CoreApi.ShardIds.Length), out _);
                writer.Advance(2 + SuccessEntrySize);
                continue;
            }

            var code = Utf8Length(record.ErrorCode);
            var message = Utf8Length(record.ErrorMessage);
            writer.WriteLengthDelimitedHeader(2, FieldSize(code) + FieldSize(message));
            if (code > 0)
            {
                writer.WriteStringField(3, record.ErrorCode!, code);
            }

            if (message > 0)
            {
                writer.WriteStringField(4, record.ErrorMessage!, message);
            }
        }

        if (Response.EncryptionType == CoreApi.EncryptionType.Kms)
        {
            writer.WriteTag(3, ProtoWire.Varint);
            writer.WriteVarint(1);
        }

        writer.Flush();
    }

    public void Dispose() => Response.Dispose();

    private static int EntrySize(in CoreApi.PutRecordsResultEntry record) =>
        record.IsSuccess
            ? SuccessEntrySize
            : FieldSize(Utf8Length(record.ErrorCode)) + FieldSize(Utf8Length(record.ErrorMessage));

    private static int Utf8Length(string? value) => string.IsNullOrEmpty(value) ? 0 : System.Text.Encoding.UTF8.GetByteCount(value);

    private static int FieldSize(int utf8Length) => utf8Length == 0 ? 0 : ProtoWire.LengthDelimitedSize(utf8Length);
}

/// <summary>A PutRecords request with more entries than Kinesis allows, stopped at the first one over.</summary>
internal sealed class TooManyRecordsException()
    : FormatException($"More than {PutRecordsGrpcRequest.MaxRecords} records.");
