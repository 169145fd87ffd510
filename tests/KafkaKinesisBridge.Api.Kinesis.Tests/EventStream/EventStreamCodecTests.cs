using System.Buffers;
using System.Text;
using KafkaKinesisBridge.Api.Kinesis.EventStream;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.EventStream;

/// <summary>
/// Event stream encoding against botocore's test vectors (botocore tests/unit/test_eventstream.py,
/// also in awslabs/amazon-transcribe-streaming-sdk tests/test_eventstream.py).
/// </summary>
public sealed class EventStreamCodecTests
{
    private const string Empty = "000000100000000005c248eb7d98c8ff";
    private const string Int8Header = "000000170000000729860158046279746502ffc2f869dc";
    private const string Int16Header = "0000001900000009710e923e0573686f727403ffffb27cb6cc";
    private const string Int32Header = "0000001d0000000d83e3f0e707696e746567657204ffffffff8b8e12eb";
    private const string Int64Header = "0000001e0000000e5d4adb8d046c6f6e6705ffffffffffffffff4bc232da";
    private const string PayloadNoHeaders = "0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936";
    private const string OneStringHeader = "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1";
    private const string AllHeaderTypes = "000000620000005203b5cb9c0130000131010132020201330300030134040000000401350500000000000000050136060005627974657301370700047574663801380800000000000000080139093031323334353637383961626364656663353671";
    private const string ErrorEvent = "0000005200000042bf23637e0d3a6d6573736167652d747970650700056572726f720b3a6572726f722d636f6465070004636f64650e3a6572726f722d6d6573736167650700076d6573736167656b6cea3d";
    private const string TimestampHeader = "000000230000001367fdcb630974696d657374616d700800000172eebc27a6d4445e11";

    public static TheoryData<string> PositiveVectors => [Empty, Int8Header, Int16Header, Int32Header, Int64Header, PayloadNoHeaders, OneStringHeader, AllHeaderTypes, ErrorEvent, TimestampHeader];

    [Theory]
    [MemberData(nameof(PositiveVectors))]
    public void BotocoreVector_DecodedThenEncoded_SameBytes(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(bytes, out var message, out var consumed, out var error));
        Assert.Null(error);
        Assert.Equal(bytes.Length, consumed);

        var output = new ArrayBufferWriter<byte>();
        EventStreamCodec.Encode(output, message!.Headers.ToArray(), message.Payload.Span);
        Assert.Equal(hex, Convert.ToHexStringLower(output.WrittenSpan));
        Assert.Equal(bytes.Length, EventStreamCodec.GetEncodedLength(message.Headers.ToArray(), message.Payload.Length));
    }

    [Fact]
    public void AllHeaderTypes_DecodedToTypedValues()
    {
        Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(Convert.FromHexString(AllHeaderTypes), out var message, out _, out _));
        var headers = message!.Headers.ToDictionary(h => h.Name, h => h.Value);
        Assert.True(headers["0"].AsBoolean());
        Assert.False(headers["1"].AsBoolean());
        Assert.Equal(2, headers["2"].AsInt64());
        Assert.Equal(3, headers["3"].AsInt64());
        Assert.Equal(4, headers["4"].AsInt64());
        Assert.Equal(5, headers["5"].AsInt64());
        Assert.Equal("bytes", Encoding.ASCII.GetString(headers["6"].AsBytes().Span));
        Assert.Equal("utf8", headers["7"].AsString());
        Assert.Equal(8, headers["8"].AsTimestampMilliseconds());
        Assert.Equal(EventStreamHeaderType.Uuid, headers["9"].Type);
        var uuid = new byte[16];
        headers["9"].AsUuid().TryWriteBytes(uuid, bigEndian: true, out _);
        Assert.Equal("0123456789abcdef", Encoding.ASCII.GetString(uuid));
        Assert.Empty(message.Payload.ToArray());
    }

    [Fact]
    public void SignedIntegerHeaders_MinusOne()
    {
        foreach (var (hex, name) in new[] { (Int8Header, "byte"), (Int16Header, "short"), (Int32Header, "integer"), (Int64Header, "long") })
        {
            EventStreamCodec.TryDecode(Convert.FromHexString(hex), out var message, out _, out _);
            Assert.True(message!.TryGetHeader(name, out var value));
            Assert.Equal(-1, value.AsInt64());
        }
    }

    [Fact]
    public void TimestampHeader_EpochMilliseconds()
    {
        EventStreamCodec.TryDecode(Convert.FromHexString(TimestampHeader), out var message, out _, out _);
        Assert.True(message!.TryGetHeader("timestamp", out var value));
        Assert.Equal(new DateTimeOffset(2020, 6, 26, 3, 46, 47, 846, TimeSpan.Zero).ToUnixTimeMilliseconds(), value.AsTimestampMilliseconds());
    }

    [Theory]
    [InlineData("0000003dff00010207fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1", "headers length")]
    [InlineData("0000003d0000002007fd83960c636f6e74656e742b747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1", "Message checksum")]
    [InlineData("0100001d00000000fd528c5a7b27666f6f273a27626172277dc3653936", "total length")]
    [InlineData("0000001d00000000fd528c5a7b27666f6f273a27626172278dc3653936", "Message checksum")]
    [InlineData("00000024000000144bb982d00474657374046173646604746573740461736466f3f47563", "Duplicate header")]
    [InlineData("000000100000000005c248ec7d98c8ff", "Prelude checksum")]
    public void BotocoreNegativeVector_Invalid(string hex, string reason)
    {
        Assert.Equal(EventStreamDecodeStatus.Invalid, EventStreamCodec.TryDecode(Convert.FromHexString(hex), out var message, out var consumed, out var error));
        Assert.Null(message);
        Assert.Equal(0, consumed);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void PartialMessage_NeedMoreDataUntilComplete()
    {
        var bytes = Convert.FromHexString(OneStringHeader);
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(EventStreamDecodeStatus.NeedMoreData, EventStreamCodec.TryDecode(bytes.AsSpan(0, length), out _, out _, out _));
        }

        Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(bytes, out _, out _, out _));
    }

    [Fact]
    public void SeveralMessagesInOneBuffer_DecodedOneAtATime()
    {
        var stream = Convert.FromHexString(Empty + OneStringHeader + ErrorEvent);
        var decoded = new List<EventStreamMessage>();
        var offset = 0;
        while (offset < stream.Length)
        {
            Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(stream.AsSpan(offset), out var message, out var consumed, out _));
            decoded.Add(message!);
            offset += consumed;
        }

        Assert.Equal(3, decoded.Count);
        Assert.True(decoded[2].TryGetHeader(":error-code", out var code));
        Assert.Equal("code", code.AsString());
    }

    [Fact]
    public void SegmentedSequence_DecodedLikeContiguous()
    {
        var bytes = Convert.FromHexString(OneStringHeader);
        var first = new Segment(bytes.AsMemory(0, 20));
        var last = first.Append(bytes.AsMemory(20));
        var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(sequence, out var message, out var consumed, out _));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal("{'foo':'bar'}", Encoding.ASCII.GetString(message!.Payload.Span));
    }

    [Fact]
    public void Encode_SubscribeToShardEvent_RoundTrips()
    {
        EventStreamHeader[] headers =
        [
            new(":event-type", EventStreamHeaderValue.FromString("SubscribeToShardEvent")),
            new(":content-type", EventStreamHeaderValue.FromString("application/x-amz-json-1.1")),
            new(":message-type", EventStreamHeaderValue.FromString("event")),
            new("uuid", EventStreamHeaderValue.FromUuid(Guid.Parse("6f3c1e8e-6e0b-4e36-9c7d-5d5bfb0c4b2a"))),
            new("when", EventStreamHeaderValue.FromTimestamp(1712345678123)),
        ];
        var payload = Encoding.UTF8.GetBytes("{\"Records\":[],\"ContinuationSequenceNumber\":\"1\",\"MillisBehindLatest\":0}");
        var output = new ArrayBufferWriter<byte>();
        EventStreamCodec.Encode(output, headers, payload);

        Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(output.WrittenSpan, out var message, out _, out _));
        Assert.Equal(headers, message!.Headers);
        Assert.Equal(payload, message.Payload.ToArray());
    }

    [Fact]
    public void Encode_OverLimits_Rejected()
    {
        Assert.Throws<ArgumentException>(() => EventStreamCodec.Encode(new ArrayBufferWriter<byte>(), [new(new string('n', 128), EventStreamHeaderValue.FromBoolean(true))], []));
        Assert.Throws<ArgumentException>(() => EventStreamCodec.Encode(new ArrayBufferWriter<byte>(), [new("v", EventStreamHeaderValue.FromBytes(new byte[40000]))], []));
        Assert.Throws<ArgumentException>(() => EventStreamCodec.GetEncodedLength([], EventStreamCodec.MaxMessageLength));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
