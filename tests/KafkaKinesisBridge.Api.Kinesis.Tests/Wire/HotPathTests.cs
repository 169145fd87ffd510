using System.Buffers;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Cbor;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Wire;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Wire;

/// <summary>PutRecords parsing and GetRecords/PutRecords writing: correctness and allocation budgets.</summary>
public sealed class HotPathTests
{
    private const int RecordCount = 500;
    private const int RecordSize = 1024;

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void PutRecords_500Records_ParsedWithDataInPlace(KinesisWireFormat format)
    {
        var body = BuildPutRecords(format, RecordCount, RecordSize);
        var memory = new Memory<byte>(body);
        var reader = new KinesisDocumentReader(format, memory);
        using var request = PutRecordsWireRequest.Read(ref reader);

        Assert.Equal("stream-1", request.StreamName);
        Assert.Null(request.StreamARN);
        Assert.True(request.HasRecords);
        Assert.Equal(RecordCount, request.Records.Length);
        for (var i = 0; i < RecordCount; i++)
        {
            var entry = request.Records.Span[i];
            Assert.Equal($"pk-{i:D4}", entry.PartitionKey);
            Assert.Equal(i % 7 == 0 ? $"{i + 1}000" : null, entry.ExplicitHashKey);
            Assert.Equal(RecordSize, entry.Data.Length);
            Assert.True(entry.Data.Span.SequenceEqual(RecordData(i, RecordSize)), $"record {i} data differs");
            Assert.True(memory.Span.Overlaps(entry.Data.Span), "record data must stay in the request buffer");
        }
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void PutRecords_500Records_AllocatesOnlyPartitionKeysAndFixedOverhead(KinesisWireFormat format)
    {
        var template = BuildPutRecords(format, RecordCount, RecordSize);
        var body = new byte[template.Length];

        // Warm up (JIT, pools), then measure one parse on this thread.
        for (var i = 0; i < 3; i++)
        {
            template.CopyTo(body, 0);
            Parse(format, body);
        }

        template.CopyTo(body, 0);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var count = Parse(format, body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(RecordCount, count);

        // 500 partition keys ("pk-0000", ~40 bytes each), 72 explicit hash keys, the request object and
        // a few strings: about 25 KB. Copying each record's 1 KiB of data would cost over 500 KB.
        Assert.True(allocated < 48 * 1024, $"PutRecords parse allocated {allocated} bytes for {RecordCount} records.");
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void GetRecords_Writer_ProducesKinesisShape(KinesisWireFormat format)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new KinesisDocumentWriter(format, output))
        {
            var response = new GetRecordsResponseWriter(writer);
            response.WriteStart();
            response.WriteRecord("49590338271490256608559692538361571095921575989136588898"u8, 1712345678123L, [0xFB, 0xFF, 0x00], "key-\u00e9"u8.ToArray());
            response.WriteRecord("49590338271490256608559692538361571095921575989136588899"u8, 1712345678124L, [], "k2"u8, encryptionType: "KMS");
            response.WriteEndRecords("AAAAAAAAAAE=", 0);
            response.WriteStartChildShards();
            response.WriteChildShard("shardId-000000000002", ["shardId-000000000000", "shardId-000000000001"], "0", "340282366920938463463374607431768211455");
            response.WriteEndChildShards();
            response.WriteEnd();
            writer.Flush();
        }

        if (format == KinesisWireFormat.Json)
        {
            Assert.Equal(
                """{"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ApproximateArrivalTimestamp":1712345678.123,"Data":"+/8A","PartitionKey":"key-é"},{"SequenceNumber":"49590338271490256608559692538361571095921575989136588899","ApproximateArrivalTimestamp":1712345678.124,"Data":"","PartitionKey":"k2","EncryptionType":"KMS"}],"NextShardIterator":"AAAAAAAAAAE=","MillisBehindLatest":0,"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000","shardId-000000000001"],"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340282366920938463463374607431768211455"}}]}""",
                Encoding.UTF8.GetString(output.WrittenSpan));
            return;
        }

        var reader = new KinesisDocumentReader(format, output.WrittenSpan.ToArray());
        reader.ReadStartObject();
        Assert.True(reader.ReadProperty());
        Assert.True(reader.PropertyNameEquals("Records"u8));
        Assert.True(reader.ReadStartArray());
        Assert.True(reader.ReadArrayElement());
        Assert.True(reader.ReadProperty());
        Assert.Equal("49590338271490256608559692538361571095921575989136588898", reader.ReadString());
        Assert.True(reader.ReadProperty());
        Assert.Equal(1712345678123L, reader.ReadTimestamp());
        Assert.Equal(KinesisTokenType.Timestamp, reader.TokenType);
        Assert.True(reader.ReadProperty());
        Assert.Equal([0xFB, 0xFF, 0x00], reader.ReadBlob()!.Value.ToArray());
        Assert.True(reader.ReadProperty());
        Assert.Equal("key-\u00e9", reader.ReadString());
        Assert.False(reader.ReadProperty());
    }

    [Theory]
    [InlineData(KinesisWireFormat.Json)]
    [InlineData(KinesisWireFormat.Cbor)]
    public void GetRecords_Writer_500Records_NoAllocationPerRecord(KinesisWireFormat format)
    {
        var data = new byte[RecordSize];
        var output = new ArrayBufferWriter<byte>(2 * 1024 * 1024);
        var sequence = "49590338271490256608559692538361571095921575989136588898"u8.ToArray();
        var key = "partition-key"u8.ToArray();
        for (var round = 0; round < 4; round++)
        {
            output.ResetWrittenCount();
            var before = GC.GetAllocatedBytesForCurrentThread();
            using (var writer = new KinesisDocumentWriter(format, output))
            {
                var response = new GetRecordsResponseWriter(writer);
                response.WriteStart();
                for (var i = 0; i < RecordCount; i++)
                {
                    response.WriteRecord(sequence, 1712345678123L + i, data, key);
                }

                response.WriteEndRecords("iterator", 0);
                response.WriteEnd();
                writer.Flush();
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 3)
            {
                // The writer itself (Utf8JsonWriter and its options) costs a few hundred bytes; nothing per record.
                Assert.True(allocated < 4 * 1024, $"GetRecords writer allocated {allocated} bytes for {RecordCount} records.");
            }
        }

        Assert.True(output.WrittenCount > RecordCount * RecordSize);
    }

    [Fact]
    public void PutRecords_ResponseWriter_FailedCountAfterRecords()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new KinesisDocumentWriter(KinesisWireFormat.Json, output))
        {
            var response = new PutRecordsResponseWriter(writer);
            response.WriteStart();
            response.WriteSuccess("1"u8, "shardId-000000000000"u8);
            response.WriteFailure("ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000.");
            response.WriteEnd(1);
            writer.Flush();
        }

        using var document = JsonDocument.Parse(output.WrittenMemory);
        Assert.Equal(1, document.RootElement.GetProperty("FailedRecordCount").GetInt32());
        Assert.Equal("shardId-000000000000", document.RootElement.GetProperty("Records")[0].GetProperty("ShardId").GetString());
        Assert.Equal("ProvisionedThroughputExceededException", document.RootElement.GetProperty("Records")[1].GetProperty("ErrorCode").GetString());
    }

    [Fact]
    public void PutRecords_RecordsNotAList_SerializationError()
    {
        var body = Encoding.UTF8.GetBytes("{\"StreamName\":\"s\",\"Records\":{\"Data\":\"AA==\"}}");
        Assert.Throws<KinesisSerializationException>(() =>
        {
            var reader = new KinesisDocumentReader(KinesisWireFormat.Json, body);
            using var request = PutRecordsWireRequest.Read(ref reader);
        });
    }

    private static int Parse(KinesisWireFormat format, byte[] body)
    {
        var reader = new KinesisDocumentReader(format, body);
        using var request = PutRecordsWireRequest.Read(ref reader);
        return request.Records.Length;
    }

    internal static byte[] RecordData(int index, int size)
    {
        var data = new byte[size];
        new Random(index).NextBytes(data);
        return data;
    }

    internal static byte[] BuildPutRecords(KinesisWireFormat format, int count, int size)
    {
        var output = new ArrayBufferWriter<byte>();
        if (format == KinesisWireFormat.Json)
        {
            using var json = new Utf8JsonWriter(output);
            json.WriteStartObject();
            json.WriteString("StreamName", "stream-1");
            json.WriteStartArray("Records");
            for (var i = 0; i < count; i++)
            {
                json.WriteStartObject();
                json.WriteBase64String("Data", RecordData(i, size));
                json.WriteString("PartitionKey", $"pk-{i:D4}");
                if (i % 7 == 0)
                {
                    json.WriteString("ExplicitHashKey", $"{i + 1}000");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
            return output.WrittenSpan.ToArray();
        }

        // As the AWS SDK for Java v2 (Jackson CBOR) writes it: definite-length strings, indefinite maps/arrays allowed.
        var cbor = new CborWriter(output);
        cbor.WriteStartIndefiniteMap();
        cbor.WriteTextString("StreamName"u8);
        cbor.WriteTextString("stream-1"u8);
        cbor.WriteTextString("Records"u8);
        cbor.WriteStartArray(count);
        for (var i = 0; i < count; i++)
        {
            cbor.WriteStartIndefiniteMap();
            cbor.WriteTextString("Data"u8);
            cbor.WriteByteString(RecordData(i, size));
            cbor.WriteTextString("PartitionKey"u8);
            cbor.WriteTextString($"pk-{i:D4}".AsSpan());
            if (i % 7 == 0)
            {
                cbor.WriteTextString("ExplicitHashKey"u8);
                cbor.WriteTextString($"{i + 1}000".AsSpan());
            }

            cbor.WriteBreak();
        }

        cbor.WriteBreak();
        return output.WrittenSpan.ToArray();
    }
}
