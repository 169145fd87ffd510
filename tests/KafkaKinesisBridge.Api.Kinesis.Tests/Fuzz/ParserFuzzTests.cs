using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.EventStream;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Operations;
using KafkaKinesisBridge.Api.Kinesis.Wire;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Fuzz;

/// <summary>
/// Property-based fuzz of the request parsers (issue 8): the JSON and CBOR document reader (walked
/// token by token and as a PutRecords request) and the event stream decoder, on random bytes and on
/// valid inputs mutated (bytes flipped, inserted, deleted, slices repeated, truncated). Whatever the
/// input, a parser ends with a result or its documented protocol exception
/// (<see cref="KinesisSerializationException"/>, ValidationException for too many entries; the event
/// stream decoder never throws), allocates at most a bound proportional to the input, and finishes
/// within a fixed time per case. About 20,000 cases in all, a few seconds.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int CasesPerProperty = 4000;

    /// <summary>Per case, generous for a loaded 2-core machine; a parser that loops or backtracks passes it by far.</summary>
    private static readonly TimeSpan CaseBudget = TimeSpan.FromMilliseconds(500);

    private static readonly byte[] Interesting = "{}[]\",:\\0-eE.tfn"u8.ToArray().Concat(new byte[] { 0x80, 0xbf, 0xc3, 0xe0, 0xed, 0xf4, 0xff, 0x00, 0x9f, 0xbf, 0xa0, 0x7f, 0x5f, 0x1b, 0xfb }).ToArray();

    private static Config Quick => Config.QuickThrowOnFailure.WithMaxTest(CasesPerProperty);

    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public void DocumentReader_RandomBytes_OnlyProtocolExceptionsWithinBounds(KinesisWireFormat format)
    {
        var inputs = Arb.From(
            from length in Gen.Choose(0, 2048)
            from bytes in Gen.ArrayOf(Gen.OneOf(Gen.Choose(0, 255).Select(b => (byte)b), Gen.Elements(Interesting)), length)
            select bytes);
        Check.One(Quick, Prop.ForAll(inputs, bytes => ParseWithinBounds(format, bytes)));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void DocumentReader_MutatedValidRequests_OnlyProtocolExceptionsWithinBounds(KinesisWireFormat format)
    {
        var seeds = Arb.From(
            from document in Gen.Choose(0, int.MaxValue)
            from mutation in Gen.Choose(0, int.MaxValue)
            from mutations in Gen.Choose(0, 6)
            select (document, mutation, mutations));
        Check.One(Quick, Prop.ForAll(seeds, seed =>
        {
            var valid = WireDocuments.Encode(format, RandomRequestJson(new Random(seed.document)));
            if (seed.mutations == 0)
            {
                // Unmutated, it reads as a PutRecords request.
                var reader = new KinesisDocumentReader(format, valid.ToArray());
                using var request = PutRecordsWireRequest.Read(ref reader);
                Assert.True(request.HasRecords);
            }

            ParseWithinBounds(format, Mutate(valid, new Random(seed.mutation), seed.mutations));
        }));
    }

    [Fact]
    public void EventStreamDecoder_RandomBytes_NeverThrowsWithinBounds()
    {
        var inputs = Arb.From(
            from length in Gen.Choose(0, 1024)
            from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length)
            select bytes);
        Check.One(Quick, Prop.ForAll(inputs, DecodeWithinBounds));
    }

    [Fact]
    public void EventStreamDecoder_MutatedValidMessagesWithFixedChecksums_NeverThrowsWithinBounds()
    {
        var seeds = Arb.From(
            from message in Gen.Choose(0, int.MaxValue)
            from mutation in Gen.Choose(0, int.MaxValue)
            from mutations in Gen.Choose(0, 4)
            from fixChecksums in Gen.Elements(true, true, false)
            select (message, mutation, mutations, fixChecksums));
        Check.One(Quick, Prop.ForAll(seeds, seed =>
        {
            var valid = RandomEventStreamMessage(new Random(seed.message));
            if (seed.mutations == 0)
            {
                Assert.Equal(EventStreamDecodeStatus.Done, EventStreamCodec.TryDecode(valid, out _, out var consumed, out _));
                Assert.Equal(valid.Length, consumed);
            }

            var mutated = Mutate(valid, new Random(seed.mutation), seed.mutations);
            if (seed.fixChecksums && mutated.Length >= EventStreamCodec.MinMessageLength)
            {
                // Make the checksums (and, half the time, the lengths) agree, so the fuzz reaches the headers.
                var random = new Random(seed.mutation ^ 0x5bd1e995);
                if (random.Next(2) == 0)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(mutated, (uint)mutated.Length);
                }

                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(8), Crc32Of(mutated.AsSpan(0, 8)));
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(mutated.AsSpan(mutated.Length - 4), Crc32Of(mutated.AsSpan(0, mutated.Length - 4)));
            }

            DecodeWithinBounds(mutated);
        }));
    }

    /// <summary>Parses as a generic document and as a PutRecords request; asserts the exception kind, allocation and time.</summary>
    private static void ParseWithinBounds(KinesisWireFormat format, byte[] input)
    {
        var watch = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Parse(format, input);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        watch.Stop();

        // Two copies of the input, strings read as UTF-16 (2 bytes per input byte, twice when a name
        // is read again), at most 512 entries of 32 bytes, and the exceptions (with their stack
        // traces) of a failed parse.
        var bound = (128 * 1024) + (8L * input.Length);
        Assert.True(allocated <= bound, $"{allocated} bytes allocated for {input.Length} input bytes (bound {bound})");
        Assert.True(watch.Elapsed < CaseBudget, $"{watch.Elapsed.TotalMilliseconds} ms for {input.Length} bytes");
    }

    /// <summary>Returns null when the input read, else the protocol exception; anything else escapes and fails the property.</summary>
    private static Exception? Parse(KinesisWireFormat format, byte[] input)
    {
        Exception? walked = null;
        try
        {
            // Reading decodes blobs in place: each reader gets its own copy.
            var reader = new KinesisDocumentReader(format, input.ToArray());
            Walk(ref reader);
        }
        catch (KinesisSerializationException e)
        {
            walked = e;
        }

        try
        {
            var reader = new KinesisDocumentReader(format, input.ToArray());
            using var request = PutRecordsWireRequest.Read(ref reader);
            Assert.InRange(request.Records.Length, 0, PutRecordsWireRequest.MaxEntries);
        }
        catch (KinesisSerializationException e)
        {
            walked ??= e;
        }
        catch (KinesisException e) when (e.Code == KinesisErrorCode.Validation)
        {
            walked ??= e;
        }

        return walked;
    }

    /// <summary>Reads every token and converts every value, as an operation would.</summary>
    private static void Walk(ref KinesisDocumentReader reader)
    {
        reader.ReadStartObject();
        var depth = 1;
        while (depth > 0)
        {
            if (!reader.Read())
            {
                KinesisSerializationException.Throw("ended early");
            }

            switch (reader.TokenType)
            {
                case KinesisTokenType.StartObject or KinesisTokenType.StartArray:
                    depth++;
                    break;
                case KinesisTokenType.EndObject or KinesisTokenType.EndArray:
                    depth--;
                    break;
                case KinesisTokenType.PropertyName:
                    _ = reader.GetString();
                    break;
                case KinesisTokenType.String:
                    if (reader.Format == KinesisWireFormat.Json && reader.GetString().Length % 4 == 0)
                    {
                        _ = reader.GetBlob();
                    }
                    else
                    {
                        _ = reader.GetString();
                    }

                    break;
                case KinesisTokenType.Blob:
                    _ = reader.GetBlob();
                    break;
                case KinesisTokenType.Number:
                    _ = reader.GetDouble();
                    break;
                case KinesisTokenType.Timestamp:
                    _ = reader.GetTimestampMilliseconds();
                    break;
                case KinesisTokenType.True or KinesisTokenType.False:
                    _ = reader.GetBoolean();
                    break;
            }
        }

        reader.ReadEndOfDocument();
    }

    private static void DecodeWithinBounds(byte[] input)
    {
        var watch = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = EventStreamCodec.TryDecode(input, out var message, out var consumed, out var error);
        var segmented = EventStreamCodec.TryDecode(Split(input), out _, out var segmentedConsumed, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        watch.Stop();

        Assert.Equal(status, segmented);
        Assert.Equal(consumed, segmentedConsumed);
        Assert.Equal(status == EventStreamDecodeStatus.Done, message is not null);
        Assert.Equal(status == EventStreamDecodeStatus.Invalid, error is not null);
        Assert.InRange(consumed, 0, input.Length);

        // The message's copies (payload, header names and values) and, segmented, one copy of the input.
        var bound = (16 * 1024) + (16L * input.Length);
        Assert.True(allocated <= bound, $"{allocated} bytes allocated for {input.Length} input bytes (bound {bound})");
        Assert.True(watch.Elapsed < CaseBudget, $"{watch.Elapsed.TotalMilliseconds} ms for {input.Length} bytes");
    }

    private static ReadOnlySequence<byte> Split(byte[] input)
    {
        if (input.Length < 2)
        {
            return new ReadOnlySequence<byte>(input);
        }

        var first = new Segment(input.AsMemory(0, input.Length / 2));
        var last = first.Append(input.AsMemory(input.Length / 2));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>A random request document in JSON text: PutRecords-like, with unknown members, nesting, escapes and numbers.</summary>
    private static string RandomRequestJson(Random random)
    {
        var root = new JsonObject { ["StreamName"] = RandomString(random) };
        var records = new JsonArray();
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            var data = new byte[random.Next(0, 64)];
            random.NextBytes(data);
            var record = new JsonObject { ["Data"] = Convert.ToBase64String(data), ["PartitionKey"] = RandomString(random) };
            if (random.Next(4) == 0)
            {
                record["ExplicitHashKey"] = random.NextInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            records.Add(record);
        }

        root["Records"] = records;
        for (var i = random.Next(0, 4); i > 0; i--)
        {
            root["Extra" + i] = RandomValue(random, depth: 0);
        }

        return root.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 4 ? 5 : 7) switch
    {
        0 => JsonValue.Create(RandomString(random)),
        1 => JsonValue.Create(random.NextInt64(long.MinValue, long.MaxValue)),
        2 => JsonValue.Create(random.NextDouble() * Math.Pow(10, random.Next(-300, 300))),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => null,
        5 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth + 1))]),
        _ => new JsonObject(Enumerable.Range(0, random.Next(0, 4)).Select(i => KeyValuePair.Create("m" + i, RandomValue(random, depth + 1)))),
    };

    private static string RandomString(Random random)
    {
        var builder = new StringBuilder();
        for (var i = random.Next(1, 24); i > 0; i--)
        {
            builder.Append(random.Next(6) switch
            {
                0 => ((char)random.Next(0x20, 0x7f)).ToString(),
                1 => ((char)random.Next(0xa0, 0x800)).ToString(),
                2 => char.ConvertFromUtf32(random.Next(0x10000, 0x10ffff)),
                3 => "\"\\/\n",
                4 => ((char)random.Next(0x3000, 0xd7ff)).ToString(),
                _ => "abc",
            });
        }

        return builder.ToString();
    }

    private static byte[] Mutate(byte[] input, Random random, int mutations)
    {
        var bytes = new List<byte>(input);
        for (var i = 0; i < mutations; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 16)));
                    break;
                case 3 when bytes.Count > 0:
                    // Repeat a slice: nests deeper, lengthens strings, duplicates entries.
                    var length = Math.Min(bytes.Count - at, random.Next(1, 64));
                    var slice = bytes.GetRange(at, length);
                    for (var r = random.Next(1, 40); r > 0; r--)
                    {
                        bytes.InsertRange(at, slice);
                    }

                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    if (bytes.Count > 0)
                    {
                        bytes[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] RandomEventStreamMessage(Random random)
    {
        var headers = new List<EventStreamHeader>();
        for (var i = random.Next(0, 6); i > 0; i--)
        {
            // Distinct names: the decoder refuses a repeated header.
            var name = ":h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var value = random.Next(9) switch
            {
                0 => EventStreamHeaderValue.FromBoolean(random.Next(2) == 0),
                1 => EventStreamHeaderValue.FromByte((sbyte)random.Next(-128, 128)),
                2 => EventStreamHeaderValue.FromInt16((short)random.Next(short.MinValue, short.MaxValue)),
                3 => EventStreamHeaderValue.FromInt32(random.Next()),
                4 => EventStreamHeaderValue.FromInt64(random.NextInt64()),
                5 => EventStreamHeaderValue.FromBytes(RandomBytes(random, 32)),
                6 => EventStreamHeaderValue.FromTimestamp(random.NextInt64(0, 4_000_000_000_000)),
                7 => EventStreamHeaderValue.FromUuid(Guid.NewGuid()),
                _ => EventStreamHeaderValue.FromString(RandomString(random)),
            };
            headers.Add(new EventStreamHeader(name, value));
        }

        var output = new ArrayBufferWriter<byte>();
        EventStreamCodec.Encode(output, [.. headers], RandomBytes(random, 256));
        return output.WrittenSpan.ToArray();
    }

    private static byte[] RandomBytes(Random random, int max)
    {
        var bytes = new byte[random.Next(0, max)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static uint Crc32Of(ReadOnlySpan<byte> bytes) => Crc32.Compute(bytes);

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
