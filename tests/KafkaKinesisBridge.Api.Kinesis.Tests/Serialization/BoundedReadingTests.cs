using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Wire;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Serialization;

/// <summary>
/// The readers refuse what Kinesis refuses while they read: bad UTF-8 and lone surrogates in JSON
/// strings, unpadded base64, and PutRecords bodies of more than 500 entries, stopped at the 501st
/// (issue 8: a 14 MiB CBOR body of 15 million empty maps took 1.6 GiB).
/// </summary>
public sealed class BoundedReadingTests
{
    public static TheoryData<string> InvalidUtf8Strings => new()
    {
        // Raw bytes spliced into the JSON text below (latin-1 decoded): a lone continuation byte,
        // a truncated sequence, an overlong encoding, an encoded surrogate.
        "a\u0080b",
        "a\u00c3",
        "\u00c0\u00af",
        "\u00ed\u00b2\u0080",
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Strings))]
    public void Json_InvalidUtf8InStringValue_SerializationException(string latin1)
    {
        var body = Latin1("{\"StreamName\":\"x\",\"PartitionKey\":\"" + latin1 + "\"}");
        var e = Assert.Throws<KinesisSerializationException>(() => ReadAll(KinesisWireFormat.Json, body));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8Strings))]
    public void Json_InvalidUtf8InSkippedMemberOrName_SerializationException(string latin1)
    {
        Assert.Throws<KinesisSerializationException>(() => ReadAll(KinesisWireFormat.Json, Latin1("{\"Unknown\":{\"x\":[\"" + latin1 + "\"]}}")));
        Assert.Throws<KinesisSerializationException>(() => ReadAll(KinesisWireFormat.Json, Latin1("{\"" + latin1 + "\":1}")));
    }

    [Theory]
    [InlineData("\\udc80")]
    [InlineData("\\ud800")]
    [InlineData("a\\ud800\\u0041")]
    public void Json_EscapedLoneSurrogate_SerializationException(string escaped)
    {
        var body = Encoding.UTF8.GetBytes("{\"PartitionKey\":\"" + escaped + "\"}");
        var e = Assert.Throws<KinesisSerializationException>(() => ReadAll(KinesisWireFormat.Json, body));
        Assert.Contains("surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_EscapedSurrogatePairAndLongEscapedString_Read()
    {
        var longValue = string.Concat(Enumerable.Repeat("\\u00e9", 200));
        var body = Encoding.UTF8.GetBytes("{\"A\":\"\\ud83d\\ude00\",\"B\":\"" + longValue + "\"}");
        var values = ReadAll(KinesisWireFormat.Json, body);
        Assert.Equal(["\U0001F600", new string('é', 200)], values);
    }

    [Theory]
    [InlineData("abc", "3")]
    [InlineData("23456", "5")]
    [InlineData("YWJjZA", "6")]
    public void Json_UnpaddedBase64_SerializationExceptionAsKinesisWordsIt(string text, string length)
    {
        var body = Encoding.UTF8.GetBytes("{\"Data\":\"" + text + "\"}");
        var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
        reader.ReadStartObject();
        reader.ReadProperty();
        KinesisSerializationException? caught = null;
        try
        {
            reader.ReadBlob();
        }
        catch (KinesisSerializationException e)
        {
            caught = e;
        }

        Assert.NotNull(caught);
        Assert.Contains("Base64 encoded length is expected a multiple of 4 bytes but found: " + length, caught.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json, 500, true)]
    [InlineData(KinesisWireFormat.Json, 501, false)]
    [InlineData(KinesisWireFormat.Cbor, 500, true)]
    [InlineData(KinesisWireFormat.Cbor, 501, false)]
    public void PutRecords_EntryCount_500ReadAnd501Refused(KinesisWireFormat format, int count, bool accepted)
    {
        var body = EmptyEntries(format, count);
        var reader = new KinesisDocumentReader(format, body);
        if (accepted)
        {
            using var request = PutRecordsWireRequest.Read(ref reader);
            Assert.Equal(count, request.Records.Length);
            return;
        }

        var e = Assert.Throws<KinesisException>(() =>
        {
            var r = new KinesisDocumentReader(format, body);
            using var request = PutRecordsWireRequest.Read(ref r);
        });
        Assert.Equal(KinesisErrorCode.Validation, e.Code);
        Assert.Contains("less than or equal to 500", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void PutRecords_MillionsOfEmptyEntries_StopsEarlyWithoutAllocatingPerEntry(KinesisWireFormat format)
    {
        // The attack, scaled to 2 million entries: reading stops at the 501st.
        var body = EmptyEntries(format, 2_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<KinesisException>(() =>
        {
            var reader = new KinesisDocumentReader(format, body);
            using var request = PutRecordsWireRequest.Read(ref reader);
        });
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    /// <summary><c>{"StreamName":"s","Records":[{},{},...]}</c> with <paramref name="count"/> empty entries.</summary>
    internal static byte[] EmptyEntries(KinesisWireFormat format, int count)
    {
        if (format == KinesisWireFormat.Json)
        {
            var builder = new StringBuilder("{\"StreamName\":\"s\",\"Records\":[", (count * 3) + 40);
            for (var i = 0; i < count; i++)
            {
                builder.Append(i == 0 ? "{}" : ",{}");
            }

            return Encoding.UTF8.GetBytes(builder.Append("]}").ToString());
        }

        // bf 6a "StreamName" 61 "s" 67 "Records" 9f a0... ff ff (indefinite map and array, empty maps).
        var head = new List<byte> { 0xbf, 0x6a };
        head.AddRange("StreamName"u8.ToArray());
        head.Add(0x61);
        head.Add((byte)'s');
        head.Add(0x67);
        head.AddRange("Records"u8.ToArray());
        head.Add(0x9f);
        var bytes = new byte[head.Count + count + 2];
        head.CopyTo(bytes);
        bytes.AsSpan(head.Count, count).Fill(0xa0);
        bytes[^2] = 0xff;
        bytes[^1] = 0xff;
        return bytes;
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Reads every member, strings as strings, everything else skipped; returns the strings.</summary>
    private static List<string> ReadAll(KinesisWireFormat format, byte[] body)
    {
        var values = new List<string>();
        var reader = new KinesisDocumentReader(format, body);
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            _ = reader.GetString();
            if (!reader.Read())
            {
                break;
            }

            if (reader.TokenType == KinesisTokenType.String)
            {
                values.Add(reader.GetString());
            }
            else if (reader.TokenType is KinesisTokenType.StartObject or KinesisTokenType.StartArray)
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return values;
    }
}
