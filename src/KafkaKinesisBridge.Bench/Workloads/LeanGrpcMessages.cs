using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// The bench's own view of the hot gRPC methods: requests serialized once and sent as they are, and
/// responses read for just what the bench counts, without a message object per record. The bench
/// runs on the machine it measures, so every microsecond it spends on protobuf objects is taken from
/// the gateway; the wire bytes are the real PutRecords and GetRecords messages (streams.proto).
/// </summary>
public static class LeanGrpcMessages
{
    private static readonly string ServiceName = KinesisStreams.Descriptor.FullName;

    /// <summary>PutRecords with a pre-serialized request and a counting response.</summary>
    public static readonly Method<EncodedMessage, PutRecordsOutcome> PutRecords = new(
        MethodType.Unary,
        ServiceName,
        "PutRecords",
        EncodedMessage.Marshaller,
        PutRecordsOutcome.Marshaller);

    /// <summary>GetRecords with a normal request and a summarised response.</summary>
    public static readonly Method<GetRecordsRequest, GetRecordsSummary> GetRecords = new(
        MethodType.Unary,
        ServiceName,
        "GetRecords",
        Marshallers.Create<GetRecordsRequest>(
            (message, context) =>
            {
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            _ => throw new NotSupportedException("Requests are only sent.")),
        GetRecordsSummary.Marshaller);
}

/// <summary>A request message already serialized (written as it is, never parsed).</summary>
/// <param name="Payload">The protobuf bytes.</param>
/// <param name="Records">How many records it carries (for counting).</param>
public sealed record EncodedMessage(byte[] Payload, int Records)
{
    /// <summary>The request's marshaller.</summary>
    public static Marshaller<EncodedMessage> Marshaller { get; } = Marshallers.Create<EncodedMessage>(
        (m, context) => context.Complete(m.Payload),
        _ => throw new NotSupportedException("Encoded messages are only sent."));

    /// <summary>Serializes a PutRecords request once.</summary>
    public static EncodedMessage From(PutRecordsRequest request) => new(request.ToByteArray(), request.Records.Count);
}

/// <summary>What the bench reads of a PutRecords response.</summary>
/// <param name="FailedRecordCount">failed_record_count.</param>
/// <param name="Results">How many result entries the response holds.</param>
public sealed record PutRecordsOutcome(int FailedRecordCount, int Results)
{
    /// <summary>The response's marshaller.</summary>
    public static Marshaller<PutRecordsOutcome> Marshaller { get; } = Marshallers.Create<PutRecordsOutcome>(
        (_, _) => throw new NotSupportedException("Responses are only read."),
        context => Parse(context.PayloadAsReadOnlySequence()));

    private static PutRecordsOutcome Parse(in ReadOnlySequence<byte> payload)
    {
        var reader = new ProtoReader(ResponsePayload.Contiguous(payload, out var rented));
        try
        {
            var failed = 0;
            var results = 0;
            while (reader.TryReadTag(out var tag))
            {
                switch (tag)
                {
                    case (1 << 3) | ProtoWire.Varint:
                        failed = (int)reader.ReadVarint();
                        break;
                    case (2 << 3) | ProtoWire.LengthDelimited:
                        reader.ReadLengthDelimited(out _);
                        results++;
                        break;
                    default:
                        reader.SkipField(tag);
                        break;
                }
            }

            return new PutRecordsOutcome(failed, results);
        }
        finally
        {
            ResponsePayload.Return(rented);
        }
    }

}

/// <summary>What the bench reads of a GetRecords response.</summary>
/// <param name="Records">How many records.</param>
/// <param name="DataBytes">The total size of their data.</param>
/// <param name="NextShardIterator">next_shard_iterator, null when absent (closed shard read to its end).</param>
/// <param name="MillisBehindLatest">millis_behind_latest.</param>
public sealed record GetRecordsSummary(int Records, long DataBytes, string? NextShardIterator, long MillisBehindLatest)
{
    /// <summary>The response's marshaller.</summary>
    public static Marshaller<GetRecordsSummary> Marshaller { get; } = Marshallers.Create<GetRecordsSummary>(
        (_, _) => throw new NotSupportedException("Responses are only read."),
        context => Parse(context.PayloadAsReadOnlySequence()));

    private static GetRecordsSummary Parse(in ReadOnlySequence<byte> payload)
    {
        var buffer = ResponsePayload.Contiguous(payload, out var rented);
        try
        {
            var reader = new ProtoReader(buffer);
            var records = 0;
            long bytes = 0;
            string? next = null;
            long behind = 0;
            while (reader.TryReadTag(out var tag))
            {
                switch (tag)
                {
                    case (1 << 3) | ProtoWire.LengthDelimited:
                        records++;
                        bytes += DataLength(reader.ReadBytes());
                        break;
                    case (2 << 3) | ProtoWire.LengthDelimited:
                        next = System.Text.Encoding.UTF8.GetString(reader.ReadBytes());
                        break;
                    case (3 << 3) | ProtoWire.Varint:
                        behind = (long)reader.ReadVarint();
                        break;
                    default:
                        reader.SkipField(tag);
                        break;
                }
            }

            return new GetRecordsSummary(records, bytes, next, behind);
        }
        finally
        {
            ResponsePayload.Return(rented);
        }
    }

    // Record { ...; bytes data = 3; ... }
    private static int DataLength(ReadOnlySpan<byte> record)
    {
        var reader = new ProtoReader(record);
        var length = 0;
        while (reader.TryReadTag(out var tag))
        {
            if (tag == ((3 << 3) | ProtoWire.LengthDelimited))
            {
                reader.ReadLengthDelimited(out length);
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        return length;
    }
}

/// <summary>A response payload as one span, whatever segments it came in.</summary>
internal static class ResponsePayload
{
    public static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> payload, out byte[]? rented)
    {
        rented = null;
        if (payload.IsSingleSegment)
        {
            return payload.FirstSpan;
        }

        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }

    public static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
