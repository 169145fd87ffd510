using System.Buffers;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Cbor;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Serialization;

public sealed class KinesisDocumentTests
{
    [Fact]
    public void Json_TypicalRequest_MembersReadAndUnknownOnesSkipped()
    {
        var body = Utf8("""
            {"StreamName":"orders","Unknown":{"nested":[1,{"x":null}],"more":"x"},"ShardCount":4,
             "Limit":10000,"Enabled":true,"Ratio":0.5,"Tags":null,"List":["a","b"]}
            """);
        var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
        string? name = null;
        int? count = null;
        long? limit = null;
        bool? enabled = null;
        double? ratio = null;
        var list = new List<string>();
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamName"u8))
            {
                name = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardCount"u8))
            {
                count = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("Limit"u8))
            {
                limit = reader.ReadInt64();
            }
            else if (reader.PropertyNameEquals("Enabled"u8))
            {
                enabled = reader.ReadBoolean();
            }
            else if (reader.PropertyNameEquals("Ratio"u8))
            {
                ratio = reader.ReadDouble();
            }
            else if (reader.PropertyNameEquals("Tags"u8))
            {
                Assert.False(reader.ReadStartNestedObject());
            }
            else if (reader.PropertyNameEquals("List"u8))
            {
                Assert.True(reader.ReadStartArray());
                while (reader.ReadArrayElement())
                {
                    list.Add(reader.GetString());
                }
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        Assert.Equal("orders", name);
        Assert.Equal(4, count);
        Assert.Equal(10000L, limit);
        Assert.True(enabled);
        Assert.Equal(0.5, ratio);
        Assert.Equal(["a", "b"], list);
    }

    [Fact]
    public void Cbor_SameRequest_ReadThroughTheSameApi()
    {
        var body = Cbor(w =>
        {
            w.WriteStartMap(4);
            w.WriteTextString("StreamName"u8);
            w.WriteTextString("orders"u8);
            w.WriteTextString("Unknown"u8);
            w.WriteStartIndefiniteMap();
            w.WriteTextString("nested"u8);
            w.WriteStartArray(2);
            w.WriteInt64(1);
            w.WriteStartMap(1);
            w.WriteTextString("x"u8);
            w.WriteNull();
            w.WriteBreak();
            w.WriteTextString("ShardCount"u8);
            w.WriteInt64(4);
            w.WriteTextString("Ratio"u8);
            w.WriteHalf((Half)0.5);
        });
        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, body);
        string? name = null;
        int? count = null;
        double? ratio = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamName"u8))
            {
                name = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardCount"u8))
            {
                count = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("Ratio"u8))
            {
                ratio = reader.ReadDouble();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        Assert.Equal("orders", name);
        Assert.Equal(4, count);
        Assert.Equal(0.5, ratio);
    }

    [Theory]
    [InlineData("\"aGVsbG8=\"", "hello")]
    [InlineData("\"aGk=\"", "hi")]
    [InlineData("\"\"", "")]
    [InlineData("\"+/+/\"", "\u00fb\u00ff\u00bf")]
    [InlineData("\"\\u002B\\/\\u002b\\/\"", "\u00fb\u00ff\u00bf")]
    public void Json_Blob_DecodedInPlace(string json, string expected)
    {
        var body = Utf8("{\"Data\":" + json + ",\"After\":\"x\"}");
        var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
        reader.ReadStartObject();
        Assert.True(reader.ReadProperty());
        var blob = reader.ReadBlob()!.Value;
        Assert.Equal(Encoding.Latin1.GetBytes(expected), blob.ToArray());
        if (blob.Length > 0)
        {
            // In place: the blob's memory is the body's own.
            Assert.True(body.Span.Overlaps(blob.Span));
        }

        Assert.True(reader.ReadProperty());
        Assert.Equal("x", reader.ReadString());
        Assert.False(reader.ReadProperty());
        reader.ReadEndOfDocument();
    }

    [Theory]
    [InlineData("\"a\"")]
    [InlineData("\"a==b\"")]
    [InlineData("\"!!!!\"")]
    [InlineData("12")]
    public void Json_InvalidBlob_SerializationError(string json)
    {
        var body = Utf8("{\"Data\":" + json + "}");
        var error = Assert.Throws<KinesisSerializationException>(() =>
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
            reader.ReadStartObject();
            reader.ReadProperty();
            reader.ReadBlob();
        });
        Assert.Contains("Data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cbor_Blob_SlicedFromBodyIncludingIndefiniteChunks()
    {
        // {"DataA": (_ h'0102', h'030405'), "A": h'01'}
        var body = Convert.FromHexString("a2654461746141" + "5f42010243030405ff" + "6141" + "4101");
        var memory = new Memory<byte>(body);
        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, memory);
        reader.ReadStartObject();
        Assert.True(reader.ReadProperty());
        Assert.True(reader.PropertyNameEquals("DataA"u8));
        var blob = reader.ReadBlob()!.Value;
        Assert.Equal("0102030405", Convert.ToHexStringLower(blob.Span));
        Assert.True(memory.Span.Overlaps(blob.Span));
        Assert.True(reader.ReadProperty());
        Assert.Equal("01", Convert.ToHexStringLower(reader.ReadBlob()!.Value.Span));
        Assert.False(reader.ReadProperty());
        reader.ReadEndOfDocument();
    }

    [Theory]
    [InlineData("1712345678.123", 1712345678123L)]
    [InlineData("1.712345678123E9", 1712345678123L)]
    [InlineData("1.712345678123e+9", 1712345678123L)]
    [InlineData("1712345678", 1712345678000L)]
    [InlineData("1712345678.1239", 1712345678123L)]
    [InlineData("0", 0L)]
    [InlineData("\"1712345678.5\"", 1712345678500L)]
    [InlineData("\"2024-04-05T19:34:38.123Z\"", 1712345678123L)]
    public void Json_Timestamp_EpochSecondsInEveryClientForm(string json, long expectedMs)
    {
        var body = Utf8("{\"Timestamp\":" + json + "}");
        var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
        reader.ReadStartObject();
        reader.ReadProperty();
        Assert.Equal(expectedMs, reader.ReadTimestamp());
    }

    [Fact]
    public void Cbor_Timestamp_Tag1EpochMillisecondsAsTheJavaSdkSendsIt()
    {
        // What software.amazon.awssdk.protocols.cbor.internal.SdkCborGenerator writes: tag 1 + toEpochMilli().
        var body = Convert.FromHexString("a16954696d657374616d70c11b0000018eb0b1e74b");
        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, body);
        reader.ReadStartObject();
        reader.ReadProperty();
        Assert.Equal(0x18eb0b1e74bL, reader.ReadTimestamp());
        Assert.Equal(KinesisTokenType.Timestamp, reader.TokenType);
    }

    [Fact]
    public void Writer_Timestamp_JsonSecondsAndCborTag1Millis()
    {
        var json = Write(KinesisWireFormat.Json, w =>
        {
            w.WriteStartObject();
            w.WriteTimestamp("T"u8, 1712345678123L);
            w.WriteTimestamp("Z"u8, 1712345678000L);
            w.WriteTimestamp("E"u8, 5L);
            w.WriteEndObject();
        });
        Assert.Equal("{\"T\":1712345678.123,\"Z\":1712345678.000,\"E\":0.005}", Encoding.UTF8.GetString(json));

        var cbor = Write(KinesisWireFormat.Cbor, w =>
        {
            w.WriteStartObject();
            w.WriteTimestamp("T"u8, 1712345678123L);
            w.WriteEndObject();
        });

        // bf 61 'T' c1 (tag 1) 1b (uint64) <millis> ff: an integer, never a float (the Java SDK parses it with Long.parseLong).
        Assert.Equal("bf6154c11b" + 1712345678123L.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "ff", Convert.ToHexStringLower(cbor));
    }

    [Fact]
    public void Writer_Blob_JsonBase64UnescapedAndCborByteString()
    {
        byte[] data = [0xFB, 0xFF, 0xBF, 0x00];
        var json = Write(KinesisWireFormat.Json, w =>
        {
            w.WriteStartObject();
            w.WriteBlob("Data"u8, data);
            w.WriteString("PartitionKey"u8, "a+b<c>\u00e9");
            w.WriteEndObject();
        });
        Assert.Equal("{\"Data\":\"+/+/AA==\",\"PartitionKey\":\"a+b<c>\u00e9\"}", Encoding.UTF8.GetString(json));

        var cbor = Write(KinesisWireFormat.Cbor, w =>
        {
            w.WriteStartObject();
            w.WriteBlob("Data"u8, data);
            w.WriteEndObject();
        });
        Assert.Equal("bf644461746144fbffbf00ff", Convert.ToHexStringLower(cbor));
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void WriterThenReader_EveryValueKind_RoundTrips(KinesisWireFormat format)
    {
        var bytes = Write(format, w =>
        {
            w.WriteStartObject();
            w.WriteString("S"u8, "h\u00e9llo \"x\"");
            w.WriteNumber("I"u8, -42L);
            w.WriteNumber("L"u8, long.MaxValue);
            w.WriteNumber("D"u8, 2.25);
            w.WriteBoolean("B"u8, true);
            w.WritePropertyName("N"u8);
            w.WriteNullValue();
            w.WriteBlob("X"u8, [1, 2, 3, 250]);
            w.WriteTimestamp("T"u8, 1712345678123L);
            w.WritePropertyName("A"u8);
            w.WriteStartArray();
            w.WriteStringValue("one");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });

        var reader = new KinesisDocumentReader(format, bytes);
        reader.ReadStartObject();
        Assert.True(reader.ReadProperty());
        Assert.Equal("h\u00e9llo \"x\"", reader.ReadString());
        Assert.True(reader.ReadProperty());
        Assert.Equal(-42L, reader.ReadInt64());
        Assert.True(reader.ReadProperty());
        Assert.Equal(long.MaxValue, reader.ReadInt64());
        Assert.True(reader.ReadProperty());
        Assert.Equal(2.25, reader.ReadDouble());
        Assert.True(reader.ReadProperty());
        Assert.True(reader.ReadBoolean());
        Assert.True(reader.ReadProperty());
        Assert.Null(reader.ReadString());
        Assert.True(reader.ReadProperty());
        Assert.Equal([1, 2, 3, 250], reader.ReadBlob()!.Value.ToArray());
        Assert.True(reader.ReadProperty());
        Assert.Equal(1712345678123L, reader.ReadTimestamp());
        Assert.True(reader.ReadProperty());
        Assert.True(reader.ReadStartArray());
        Assert.True(reader.ReadArrayElement());
        Assert.Equal("one", reader.GetString());
        Assert.True(reader.ReadArrayElement());
        Assert.Equal(KinesisTokenType.StartObject, reader.TokenType);
        Assert.False(reader.ReadProperty());
        Assert.False(reader.ReadArrayElement());
        Assert.False(reader.ReadProperty());
        reader.ReadEndOfDocument();
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":1} x")]
    [InlineData("{/*comment*/}")]
    [InlineData("{'a':1}")]
    public void Json_Malformed_SerializationError(string text)
    {
        Assert.False(KinesisDocumentReader.IsWellFormedObject(KinesisWireFormat.Json, Encoding.UTF8.GetBytes(text)));
        Assert.Throws<KinesisSerializationException>(() =>
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, Utf8(text));
            reader.ReadStartObject();
            while (reader.ReadProperty())
            {
                reader.SkipValue();
            }

            reader.ReadEndOfDocument();
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]               // an array, not a map
    [InlineData("a1")]               // map missing its pair
    [InlineData("a16161")]           // key without value
    [InlineData("a10101")]           // integer key
    [InlineData("bf616101")]         // indefinite map without break
    [InlineData("a0a0")]             // trailing item
    [InlineData("a1616162c328")]     // invalid UTF-8
    public void Cbor_Malformed_SerializationError(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.False(KinesisDocumentReader.IsWellFormedObject(KinesisWireFormat.Cbor, bytes));
        Assert.Throws<KinesisSerializationException>(() =>
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, bytes);
            reader.ReadStartObject();
            while (reader.ReadProperty())
            {
                reader.SkipValue();
            }

            reader.ReadEndOfDocument();
        });
    }

    [Theory]
    [InlineData("{\"StreamName\":5}")]
    [InlineData("{\"StreamName\":{}}")]
    [InlineData("{\"StreamName\":[\"a\"]}")]
    [InlineData("{\"StreamName\":true}")]
    public void Json_WrongMemberType_SerializationErrorNamingTheMember(string text)
    {
        var error = Assert.Throws<KinesisSerializationException>(() =>
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, Utf8(text));
            reader.ReadStartObject();
            reader.ReadProperty();
            reader.ReadString();
        });
        Assert.Contains("'StreamName'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_NonIntegralOrOversizedInteger_SerializationError()
    {
        Assert.Throws<KinesisSerializationException>(() => ReadSingle("{\"N\":1.5}", r => r.ReadInt32()));
        Assert.Throws<KinesisSerializationException>(() => ReadSingle("{\"N\":3000000000}", r => r.ReadInt32()));
        Assert.Equal(3000000000L, ReadSingle("{\"N\":3000000000}", r => r.ReadInt64()));
    }

    [Fact]
    public void WellFormed_Objects_Accepted()
    {
        Assert.True(KinesisDocumentReader.IsWellFormedObject(KinesisWireFormat.Json, " {\"a\":[1,2,{}]} \n"u8));
        Assert.True(KinesisDocumentReader.IsWellFormedObject(KinesisWireFormat.Cbor, Convert.FromHexString("bf61610161629f0203ffff")));
    }

    private static long? ReadSingle(string json, Func<KinesisDocumentReaderBox, long?> read) => read(new KinesisDocumentReaderBox(json));

    private static Memory<byte> Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Cbor(Action<CborWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new CborWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Write(KinesisWireFormat format, Action<KinesisDocumentWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new KinesisDocumentWriter(format, buffer))
        {
            write(writer);
            writer.Flush();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads the single member of a small JSON object (a ref struct cannot be captured in a lambda).</summary>
    public sealed class KinesisDocumentReaderBox(string json)
    {
        public long? ReadInt32()
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, Encoding.UTF8.GetBytes(json));
            reader.ReadStartObject();
            reader.ReadProperty();
            return reader.ReadInt32();
        }

        public long? ReadInt64()
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, Encoding.UTF8.GetBytes(json));
            reader.ReadStartObject();
            reader.ReadProperty();
            return reader.ReadInt64();
        }
    }
}
