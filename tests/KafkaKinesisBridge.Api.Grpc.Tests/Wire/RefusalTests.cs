using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using static KafkaKinesisBridge.Api.Grpc.Tests.Wire.WireTestKit;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Wire;

/// <summary>
/// What the marshallers refuse, and how: strings that are not UTF-8 (proto3 language guide: "A string
/// must always contain UTF-8 encoded text"), more than 500 PutRecords entries (Kinesis API reference,
/// PutRecords), malformed protobuf; each as an RpcException with the Kinesis error shape.
/// </summary>
public sealed class RefusalTests
{
    // PutRecordsRequest { records = 1 { data = 1, partition_key = 3 "a\xFF\xFE" } }
    private static readonly byte[] InvalidUtf8Key = Field(1, ProtoWire.LengthDelimited, Field(3, ProtoWire.LengthDelimited, [(byte)'a', 0xFF, 0xFE]));

    [Fact]
    public void PutRecordsParse_InvalidUtf8PartitionKey_RefusedAsGoogleProtobufRefusesIt()
    {
        Assert.Throws<InvalidProtocolBufferException>(() => Proto.PutRecordsRequest.Parser.ParseFrom(InvalidUtf8Key));

        var error = Assert.Throws<RpcException>(() => PutRecordsGrpcRequest.ParseChecked(new ReadOnlySequence<byte>(InvalidUtf8Key)));

        AssertShape(error, StatusCode.InvalidArgument, "SerializationException");
        Assert.Contains("records.partition_key", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtobufMarshaller_InvalidUtf8String_InvalidArgumentNotAltered()
    {
        // PutRecordRequest { partition_key = 3 } with bytes that are not UTF-8.
        var bytes = Field(3, ProtoWire.LengthDelimited, [(byte)'a', 0xC3, 0x28]);
        var marshaller = ProtobufMarshaller.For(Proto.PutRecordRequest.Parser);

        var error = Assert.Throws<RpcException>(() => marshaller.ContextualDeserializer(new Payload(bytes)));

        AssertShape(error, StatusCode.InvalidArgument, "SerializationException");
    }

    [Fact]
    public void ProtobufMarshaller_Malformed_InternalFailedToDeserialize()
    {
        var marshaller = ProtobufMarshaller.For(Proto.PutRecordRequest.Parser);

        var error = Assert.Throws<RpcException>(() => marshaller.ContextualDeserializer(new Payload([0x1A, 0x7F, 0x01])));

        AssertShape(error, StatusCode.Internal, "SerializationException");
        Assert.Equal("Failed to deserialize request message.", error.Status.Detail);
    }

    [Fact]
    public void PutRecordsParse_500Records_Accepted()
    {
        using var request = PutRecordsGrpcRequest.ParseChecked(new ReadOnlySequence<byte>(Entries(500)));

        Assert.Equal(500, request.Records.Length);
    }

    [Fact]
    public void PutRecordsParse_501Records_StoppedAtThe501stAsValidation()
    {
        var bytes = Entries(501);
        Assert.Throws<TooManyRecordsException>(() => PutRecordsGrpcRequest.Parse(new ReadOnlySequence<byte>(bytes)));

        var error = Assert.Throws<RpcException>(() => PutRecordsGrpcRequest.ParseChecked(new ReadOnlySequence<byte>(bytes)));

        AssertShape(error, StatusCode.InvalidArgument, "ValidationException");
        Assert.Contains("Member must have length less than or equal to 500", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void PutRecordsParse_MillionsOfEmptyEntries_RefusedWithoutReadingThemAll()
    {
        // The attack of issue 8: millions of two-byte entries. Refused at the 501st, whatever follows.
        var entry = Field(1, ProtoWire.LengthDelimited);
        var bytes = new byte[entry.Length * 2_000_000];
        for (var i = 0; i < bytes.Length; i += entry.Length)
        {
            entry.CopyTo(bytes, i);
        }

        var error = Assert.Throws<RpcException>(() => PutRecordsGrpcRequest.ParseChecked(new ReadOnlySequence<byte>(bytes)));

        AssertShape(error, StatusCode.InvalidArgument, "ValidationException");
    }

    [Fact]
    public void PutRecordsParse_Malformed_InternalFailedToDeserialize()
    {
        var error = Assert.Throws<RpcException>(() => PutRecordsGrpcRequest.ParseChecked(new ReadOnlySequence<byte>([0x0A, 0x7F])));

        AssertShape(error, StatusCode.Internal, "SerializationException");
        Assert.Equal("Failed to deserialize request message.", error.Status.Detail);
    }

    private static byte[] Entries(int count)
    {
        var entry = Field(1, ProtoWire.LengthDelimited, Field(3, ProtoWire.LengthDelimited, "k"u8.ToArray()));
        return [.. Enumerable.Range(0, count).SelectMany(_ => entry)];
    }

    private static void AssertShape(RpcException error, StatusCode code, string errorName)
    {
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(errorName, error.Trailers.GetValue(KinesisGrpcErrors.ErrorTypeTrailer));
        var status = Google.Rpc.Status.Parser.ParseFrom(error.Trailers.GetValueBytes(KinesisGrpcErrors.StatusDetailsTrailer));
        Assert.Equal((int)code, status.Code);
        Assert.Equal(error.Status.Detail, status.Message);
        var info = status.Details.Single().Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal(errorName, info.Reason);
        Assert.Equal("kinesis.amazonaws.com", info.Domain);
    }

    /// <summary>A received message, as Grpc.AspNetCore hands it to a contextual deserializer.</summary>
    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;

        public override byte[] PayloadAsNewBuffer() => [.. bytes];

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
