using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using static KafkaKinesisBridge.Api.Kinesis.Tests.Operations.WireDocuments;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>
/// The data plane through real HTTP against the real core, in AWS JSON 1.1 and AWS CBOR 1.1: put,
/// iterate, read back byte-identical, and the error cases Kinesis defines for them.
/// </summary>
public sealed class RecordOperationsTests
{
    public static TheoryData<KinesisWireFormat> Formats => [KinesisWireFormat.Json, KinesisWireFormat.Cbor];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecord_ThenGetRecords_ExactShapesAndBytes(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "data");
        byte[] payload = [0xFB, 0xFF, 0xBF, 0x00, 0x01, 0x7F];

        var put = await host.OkAsync(format, "PutRecord", $$"""{"StreamName":"data","PartitionKey":"key-1","Data":"{{Convert.ToBase64String(payload)}}"}""");
        Assert.Equal(["EncryptionType", "SequenceNumber", "ShardId"], SortedMembers(put));
        Assert.Equal("shardId-000000000000", (string?)put!["ShardId"]);
        Assert.Equal("NONE", (string?)put["EncryptionType"]);
        var sequenceNumber = (string)put["SequenceNumber"]!;
        Assert.Matches("^[1-9][0-9]{29}$", sequenceNumber);

        var iterator = await host.IteratorAsync(format, "data", "shardId-000000000000", "TRIM_HORIZON");
        host.Time.Advance(TimeSpan.FromMilliseconds(1500));
        var get = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{iterator}}"}""");
        Assert.Equal(["MillisBehindLatest", "NextShardIterator", "Records"], SortedMembers(get));
        var record = get!["Records"]!.AsArray().Single()!;
        Assert.Equal(["ApproximateArrivalTimestamp", "Data", "PartitionKey", "SequenceNumber"], SortedMembers(record));
        Assert.Equal(sequenceNumber, (string?)record["SequenceNumber"]);
        Assert.Equal(payload, Convert.FromBase64String((string)record["Data"]!));
        Assert.Equal("key-1", (string?)record["PartitionKey"]);
        Assert.Equal(KinesisCoreHost.StartMs, (long)record["ApproximateArrivalTimestamp"]!);
        Assert.Equal(0, (long)get["MillisBehindLatest"]!);
        Assert.NotEqual(iterator, (string?)get["NextShardIterator"]);

        var after = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{(string?)get["NextShardIterator"]}}","Limit":10}""");
        Assert.Empty(after!["Records"]!.AsArray());
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecords_500Records_AllStoredInOrderAndReadBack(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "batch", shards: 2);
        var records = Enumerable.Range(0, 500).Select(i => (Key: $"pk-{i}", Data: RecordData(i, 100))).ToArray();

        var put = await host.OkAsync(format, "PutRecords", PutRecordsJson("batch", records));
        Assert.Equal(["EncryptionType", "FailedRecordCount", "Records"], SortedMembers(put));
        Assert.Equal(0, (int)put!["FailedRecordCount"]!);
        Assert.Equal("NONE", (string?)put["EncryptionType"]);
        var results = put["Records"]!.AsArray();
        Assert.Equal(500, results.Count);
        Assert.All(results, r => Assert.Equal(["SequenceNumber", "ShardId"], SortedMembers(r)));

        var read = new Dictionary<string, (string Key, byte[] Data)>();
        foreach (var shard in new[] { "shardId-000000000000", "shardId-000000000001" })
        {
            var get = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{await host.IteratorAsync(format, "batch", shard, "TRIM_HORIZON")}}"}""");
            var previous = "0";
            foreach (var record in get!["Records"]!.AsArray())
            {
                var sequence = (string)record!["SequenceNumber"]!;
                Assert.True(string.CompareOrdinal(sequence, previous) > 0, "sequence numbers increase within a shard");
                previous = sequence;
                read[sequence] = ((string)record["PartitionKey"]!, Convert.FromBase64String((string)record["Data"]!));
            }
        }

        Assert.Equal(500, read.Count);
        for (var i = 0; i < records.Length; i++)
        {
            var result = results[i]!;
            var (key, data) = read[(string)result["SequenceNumber"]!];
            Assert.Equal(records[i].Key, key);
            Assert.Equal(records[i].Data, data);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecords_501Records_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "limits");
        var records = Enumerable.Range(0, 501).Select(i => (Key: $"pk-{i}", Data: RecordData(i, 10))).ToArray();
        var appends = host.Store.AppendCalls;
        var message = await host.ErrorAsync(format, "PutRecords", PutRecordsJson("limits", records), "ValidationException");
        Assert.StartsWith("1 validation error detected: Value '", message, StringComparison.Ordinal);
        Assert.EndsWith("at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", message, StringComparison.Ordinal);
        Assert.Equal(appends, host.Store.AppendCalls);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecords_WithoutRecords_ValidationExceptionNull(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "limits");
        var message = await host.ErrorAsync(format, "PutRecords", """{"StreamName":"limits"}""", "ValidationException");
        Assert.Equal("1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null", message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecord_DataOver1MiB_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "sizes");
        var appends = host.Store.AppendCalls;
        var data = Convert.ToBase64String(new byte[(1024 * 1024) + 1]);
        var message = await host.ErrorAsync(format, "PutRecord", $$"""{"StreamName":"sizes","PartitionKey":"k","Data":"{{data}}"}""", "ValidationException");
        Assert.Contains("at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576", message, StringComparison.Ordinal);

        // Data within 1 MiB but data + partition key over it: InvalidArgumentException (core's rule).
        data = Convert.ToBase64String(new byte[1024 * 1024]);
        await host.ErrorAsync(format, "PutRecord", $$"""{"StreamName":"sizes","PartitionKey":"kk","Data":"{{data}}"}""", "InvalidArgumentException");

        var records = new[] { (Key: "a", Data: new byte[(1024 * 1024) + 1]) };
        message = await host.ErrorAsync(format, "PutRecords", PutRecordsJson("sizes", records), "ValidationException");
        Assert.Contains("at 'records.1.member.data' failed to satisfy constraint", message, StringComparison.Ordinal);
        Assert.Equal(appends, host.Store.AppendCalls);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecord_UnknownStream_ResourceNotFoundException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var message = await host.ErrorAsync(format, "PutRecord", """{"StreamName":"nowhere","PartitionKey":"k","Data":"AA=="}""", "ResourceNotFoundException");
        Assert.Equal($"Stream nowhere under account {KinesisCoreHost.Account} not found.", message);
        await host.ErrorAsync(format, "PutRecords", PutRecordsJson("nowhere", [("k", [1])]), "ResourceNotFoundException");
        await host.ErrorAsync(format, "GetShardIterator", """{"StreamName":"nowhere","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}""", "ResourceNotFoundException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecordAndPutRecords_ByStreamArn_Stored(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "arned");
        var arn = KinesisCoreHost.Arn("arned");
        await host.OkAsync(format, "PutRecord", $$"""{"StreamARN":"{{arn}}","PartitionKey":"k","Data":"{{Base64("one")}}"}""");
        await host.OkAsync(format, "PutRecords", $$"""{"StreamARN":"{{arn}}","Records":[{"PartitionKey":"k","Data":"{{Base64("two")}}"}]}""");

        var iterator = await IteratorByArnAsync(host, format, arn);
        var get = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{iterator}}","StreamARN":"{{arn}}"}""");
        Assert.Equal(["one", "two"], get!["Records"]!.AsArray().Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!))));

        await host.ErrorAsync(format, "PutRecord", $$"""{"StreamName":"other","StreamARN":"{{arn}}","PartitionKey":"k","Data":"AA=="}""", "InvalidArgumentException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task GetShardIterator_EveryType_StartsWhereKinesisSays(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "types");
        var sequenceNumbers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var put = await host.OkAsync(format, "PutRecord", $$"""{"StreamName":"types","PartitionKey":"k","Data":"{{Base64("r" + i)}}"}""");
            sequenceNumbers.Add((string)put!["SequenceNumber"]!);
            host.Time.Advance(TimeSpan.FromSeconds(10));
        }

        const string shard = "shardId-000000000000";
        Assert.Equal(["r0", "r1", "r2"], await ReadAllAsync(await host.IteratorAsync(format, "types", shard, "TRIM_HORIZON")));
        Assert.Equal(["r1", "r2"], await ReadAllAsync(await host.IteratorAsync(format, "types", shard, "AT_SEQUENCE_NUMBER", $$""","StartingSequenceNumber":"{{sequenceNumbers[1]}}" """)));
        Assert.Equal(["r2"], await ReadAllAsync(await host.IteratorAsync(format, "types", shard, "AFTER_SEQUENCE_NUMBER", $$""","StartingSequenceNumber":"{{sequenceNumbers[1]}}" """)));
        var second = (KinesisCoreHost.StartMs + 10_000) / 1000m;
        Assert.Equal(["r1", "r2"], await ReadAllAsync(await host.IteratorAsync(format, "types", shard, "AT_TIMESTAMP", $$""","Timestamp":{{second.ToString(CultureInfo.InvariantCulture)}}""")));

        var latest = await host.IteratorAsync(format, "types", shard, "LATEST");
        await host.OkAsync(format, "PutRecord", """{"StreamName":"types","PartitionKey":"k","Data":"cjM="}""");
        Assert.Equal(["r3"], await ReadAllAsync(latest));

        async Task<List<string>> ReadAllAsync(string iterator)
        {
            var get = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{iterator}}"}""");
            return [.. get!["Records"]!.AsArray().Select(r => Encoding.UTF8.GetString(Convert.FromBase64String((string)r!["Data"]!)))];
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task GetShardIterator_UnknownType_ValidationException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "types");
        var message = await host.ErrorAsync(format, "GetShardIterator", """{"StreamName":"types","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"}""", "ValidationException");
        Assert.Equal(
            "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
            message);
        await host.ErrorAsync(format, "GetShardIterator", """{"StreamName":"types","ShardId":"shardId-000000000007","ShardIteratorType":"LATEST"}""", "ResourceNotFoundException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task GetRecords_BadIterator_InvalidArgumentException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "iter");
        var iterator = await host.IteratorAsync(format, "iter", "shardId-000000000000", "TRIM_HORIZON");
        var tampered = (iterator[0] == 'A' ? "B" : "A") + iterator[1..];

        Assert.Equal("Invalid ShardIterator.", await host.ErrorAsync(format, "GetRecords", $$"""{"ShardIterator":"{{tampered}}"}""", "InvalidArgumentException"));
        await host.ErrorAsync(format, "GetRecords", """{"ShardIterator":"not-an-iterator"}""", "InvalidArgumentException");
        await host.ErrorAsync(format, "GetRecords", "{}", "ValidationException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task GetRecords_IteratorOlderThanFiveMinutes_ExpiredIteratorException(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "iter");
        var iterator = await host.IteratorAsync(format, "iter", "shardId-000000000000", "TRIM_HORIZON");
        host.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        await host.ErrorAsync(format, "GetRecords", $$"""{"ShardIterator":"{{iterator}}"}""", "ExpiredIteratorException");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task PutRecords_OverShardQuota_FailsPerRecordNotWholeCall(KinesisWireFormat format)
    {
        // Kinesis: 1,000 records/s per shard; PutRecords reports throttled records in their result
        // entries (ErrorCode ProvisionedThroughputExceededException) and the call succeeds.
        await using var host = await KinesisCoreHost.StartAsync(quotas: true);
        await host.CreateStreamAsync(format, "hot");
        var records = Enumerable.Range(0, 500).Select(i => (Key: $"pk-{i}", Data: RecordData(i, 100))).ToArray();

        for (var call = 0; call < 2; call++)
        {
            Assert.Equal(0, (int)(await host.OkAsync(format, "PutRecords", PutRecordsJson("hot", records)))!["FailedRecordCount"]!);
        }

        var response = await host.CallAsync(format, "PutRecords", PutRecordsJson("hot", records));
        Assert.Equal(HttpStatusCode.OK, response.Status);
        var document = response.Document!;
        Assert.Equal(500, (int)document["FailedRecordCount"]!);
        foreach (var result in document["Records"]!.AsArray())
        {
            Assert.Equal(["ErrorCode", "ErrorMessage"], SortedMembers(result));
            Assert.Equal("ProvisionedThroughputExceededException", (string?)result!["ErrorCode"]);
            Assert.Equal($"Rate exceeded for shard shardId-000000000000 in stream hot under account {KinesisCoreHost.Account}.", (string?)result["ErrorMessage"]);
        }

        // A single PutRecord over the quota fails whole, with HTTP 400.
        await host.ErrorAsync(format, "PutRecord", """{"StreamName":"hot","PartitionKey":"k","Data":"AA=="}""", "ProvisionedThroughputExceededException");

        // The bucket refills with time.
        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (int)(await host.OkAsync(format, "PutRecords", PutRecordsJson("hot", records)))!["FailedRecordCount"]!);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task KplAggregatedRecord_PutAndGet_ByteIdentical(KinesisWireFormat format)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(format, "kpl");
        var aggregated = KplAggregate([("user-1", Encoding.UTF8.GetBytes("first")), ("user-2", [0x00, 0xF3, 0x89, 0xFF]), ("user-1", new byte[300])]);
        Assert.Equal([0xF3, 0x89, 0x9A, 0xC2], aggregated[..4]);

        await host.OkAsync(format, "PutRecord", $$"""{"StreamName":"kpl","PartitionKey":"agg-1","Data":"{{Convert.ToBase64String(aggregated)}}"}""");
        await host.OkAsync(format, "PutRecords", PutRecordsJson("kpl", [("agg-2", aggregated)]));

        var get = await host.OkAsync(format, "GetRecords", $$"""{"ShardIterator":"{{await host.IteratorAsync(format, "kpl", "shardId-000000000000", "TRIM_HORIZON")}}"}""");
        var stored = get!["Records"]!.AsArray();
        Assert.Equal(2, stored.Count);
        Assert.All(stored, r => Assert.Equal(aggregated, Convert.FromBase64String((string)r!["Data"]!)));
        Assert.Equal(["agg-1", "agg-2"], stored.Select(r => (string)r!["PartitionKey"]!));
    }

    [Fact]
    public async Task PutRecords_OverHttp2_SameResult()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(KinesisWireFormat.Json, "h2");
        var response = await host.CallAsync(KinesisWireFormat.Json, "PutRecords", PutRecordsJson("h2", [("k", [1, 2, 3])]), HttpVersion.Version20);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(0, (int)response.Document!["FailedRecordCount"]!);
    }

    private static async Task<string> IteratorByArnAsync(KinesisCoreHost host, KinesisWireFormat format, string arn)
    {
        var document = await host.OkAsync(format, "GetShardIterator", $$"""{"StreamARN":"{{arn}}","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}""");
        return (string)document!["ShardIterator"]!;
    }

    private static string PutRecordsJson(string stream, IEnumerable<(string Key, byte[] Data)> records)
    {
        var array = new JsonArray();
        foreach (var (key, data) in records)
        {
            array.Add(new JsonObject { ["Data"] = Convert.ToBase64String(data), ["PartitionKey"] = key });
        }

        return new JsonObject { ["StreamName"] = stream, ["Records"] = array }.ToJsonString();
    }

    private static byte[] RecordData(int index, int size)
    {
        var data = new byte[size];
        for (var i = 0; i < size; i++)
        {
            data[i] = (byte)((index * 31) + (i * 7));
        }

        return data;
    }

    /// <summary>
    /// A KPL aggregated record (amazon-kinesis-producer aggregation-format.md): magic F3 89 9A C2, the
    /// protobuf AggregatedRecord { repeated string partition_key_table = 1; repeated Record records = 3 }
    /// with Record { uint64 partition_key_index = 1; bytes data = 3 }, then the MD5 of the protobuf.
    /// </summary>
    private static byte[] KplAggregate(IReadOnlyList<(string Key, byte[] Data)> records)
    {
        var keys = records.Select(r => r.Key).Distinct().ToList();
        using var body = new MemoryStream();
        foreach (var key in keys)
        {
            WriteBytesField(body, 1, Encoding.UTF8.GetBytes(key));
        }

        foreach (var (key, data) in records)
        {
            using var record = new MemoryStream();
            WriteVarint(record, (1 << 3) | 0);
            WriteVarint(record, (ulong)keys.IndexOf(key));
            WriteBytesField(record, 3, data);
            WriteBytesField(body, 3, record.ToArray());
        }

        var protobuf = body.ToArray();
        return [0xF3, 0x89, 0x9A, 0xC2, .. protobuf, .. MD5.HashData(protobuf)];
    }

    private static void WriteBytesField(Stream output, int field, byte[] value)
    {
        WriteVarint(output, (ulong)((field << 3) | 2));
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
