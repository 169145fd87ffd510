using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Operations;
using KafkaKinesisBridge.Api.Kinesis.Tests.Serialization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Malformed;

/// <summary>
/// The malformed requests of issue 8's attack, kept as a test: about a hundred requests sent over raw
/// TCP to the real front door over the real core. Each gets a 4xx with a Kinesis-shaped body
/// (<c>__type</c>, in the request's encoding, JSON when that is unknown), nothing is logged as an
/// error, and the server keeps serving: records acknowledged before the barrage read back intact
/// after it, next to a new one.
/// </summary>
public sealed class MalformedInputCorpusTests
{
    private const string Stream = "corpus";
    private const string JsonType = "Content-Type: application/x-amz-json-1.1";
    private const string CborType = "Content-Type: application/x-amz-cbor-1.1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Corpus_EveryMalformedRequest_4xxKinesisShapedAndServerKeepsServing()
    {
        // A body that stops arriving is refused after a 1.5 s grace (Kestrel's default is 5 s) so the
        // truncated-body cases answer 408 quickly.
        await using var host = await KinesisCoreHost.StartAsync(configureKestrel: k =>
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(1.5)));
        await host.CreateStreamAsync(KinesisWireFormat.Json, Stream);
        var before = new[] { "Zmlyc3Q=", "c2Vjb25k", "dGhpcmQ=" };
        foreach (var data in before)
        {
            await host.OkAsync(KinesisWireFormat.Json, "PutRecord", $$"""{"StreamName":"{{Stream}}","PartitionKey":"k","Data":"{{data}}"}""");
        }

        var cases = Corpus().ToList();
        Assert.True(cases.Count >= 90, $"{cases.Count} cases");
        var failures = new List<string>();
        foreach (var c in cases)
        {
            RawResponse response;
            try
            {
                response = await RawHttp.SendAsync(host.Port, c.Request, c.CloseSend, Ct);
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
            {
                failures.Add($"{c.Name}: no response ({e.Message})");
                continue;
            }

            var problem = Check(c, response);
            if (problem is not null)
            {
                failures.Add($"{c.Name}: {problem}; got {response}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures) + "\nwarnings and errors logged:\n" + string.Join("\n", host.Logs.Events.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Category} {e.EventId}: {e.Message} {e.Exception?.GetType()}")));

        // Still serving: a new record, then all four in order.
        await host.OkAsync(KinesisWireFormat.Json, "PutRecord", $$"""{"StreamName":"{{Stream}}","PartitionKey":"k","Data":"YWZ0ZXI="}""");
        var iterator = await host.IteratorAsync(KinesisWireFormat.Json, Stream, "shardId-000000000000", "TRIM_HORIZON");
        var records = (await host.OkAsync(KinesisWireFormat.Json, "GetRecords", $$"""{"ShardIterator":"{{iterator}}"}"""))!["Records"]!.AsArray();
        Assert.Equal([.. before, "YWZ0ZXI="], records.Select(r => (string)r!["Data"]!));

        var errors = host.Logs.Events.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category} {e.EventId}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, "logged as errors:\n" + string.Join("\n", errors));
    }

    private static string? Check(Case c, RawResponse response)
    {
        if (response.Status is < 400 or > 499)
        {
            return "not a 4xx";
        }

        if (c.Status is { } status && response.Status != status)
        {
            return $"expected HTTP {status}";
        }

        if (response.ContentType is null && response.Body is [(byte)'<', ..])
        {
            // What the service answers requests that are not AWS JSON: bare XML named for the error.
            var xml = Encoding.UTF8.GetString(response.Body);
            var name = xml[1..xml.IndexOfAny(['>', '/'])];
            return c.Type is { } expectedXml && name != expectedXml ? $"expected {expectedXml}" : null;
        }

        var cbor = response.ContentType?.StartsWith(KinesisContentTypes.Cbor, StringComparison.Ordinal) == true;
        if (!cbor && response.ContentType?.StartsWith(KinesisContentTypes.Json, StringComparison.Ordinal) != true)
        {
            return "not a Kinesis content type";
        }

        string? type;
        if (cbor)
        {
            type = WireDocuments.Decode(KinesisWireFormat.Cbor, response.Body)["__type"]?.GetValue<string>();
        }
        else
        {
            try
            {
                type = JsonNode.Parse(response.Body)?["__type"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                return "body is not JSON";
            }
        }

        if (string.IsNullOrEmpty(type))
        {
            return "no __type";
        }

        return c.Type is { } expected && type != expected ? $"expected {expected}" : null;
    }

    private sealed record Case(string Name, byte[] Request, bool CloseSend = false, int? Status = null, string? Type = null);

    private static IEnumerable<Case> Corpus()
    {
        const string Ser = "SerializationException";
        const string Val = "ValidationException";

        // --- Bad JSON (PutRecord) ------------------------------------------------------------
        string[] badJson =
        [
            "{", "}", "[1,2]", "\"str\"", "123", "null", "true", "{\"StreamName\":}", "{\"StreamName\":\"a\",}",
            "{\"a\":1}{\"b\":2}", "{'a':1}", "{\"a\":tru}", "{\"a\":1 \"b\":2}", "{\"a\":\"unterminated}", "{\"a\":\"\u0001\"}",
            "{\"a\":\"\\q\"}", "{\"a\":NaN}", "{\"a\":01}", "{\"a\":1}garbage", "{/*c*/}", "{\"a\":[1,}", "{\"a\":-}", "{\"a\":\"\\u12\"}",
        ];
        foreach (var json in badJson)
        {
            yield return Post("bad json " + json, "PutRecord", json, type: Ser);
        }

        // --- Wrong member types --------------------------------------------------------------
        (string Op, string Json)[] wrongTypes =
        [
            ("PutRecord", "{\"StreamName\":12,\"PartitionKey\":\"k\",\"Data\":\"\"}"),
            ("PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":true,\"Data\":\"\"}"),
            ("PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"k\",\"Data\":5}"),
            ("PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"k\",\"Data\":{}}"),
            ("PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"k\",\"Data\":[]}"),
            ("PutRecords", "{\"StreamName\":\"corpus\",\"Records\":\"x\"}"),
            ("PutRecords", "{\"StreamName\":\"corpus\",\"Records\":{}}"),
            ("PutRecords", "{\"StreamName\":\"corpus\",\"Records\":[1]}"),
            ("PutRecords", "{\"StreamName\":\"corpus\",\"Records\":[[]]}"),
            ("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":\"10\"}"),
            ("GetRecords", "{\"ShardIterator\":\"x\",\"Limit\":1.5}"),
            ("CreateStream", "{\"StreamName\":\"x\",\"ShardCount\":\"2\"}"),
            ("AddTagsToStream", "{\"StreamName\":\"corpus\",\"Tags\":[]}"),
            ("RemoveTagsFromStream", "{\"StreamName\":\"corpus\",\"TagKeys\":\"k\"}"),
            ("ListStreams", "{\"Limit\":false}"),
        ];
        foreach (var (op, json) in wrongTypes)
        {
            yield return Post($"wrong type {op} {json}", op, json, type: Ser);
        }

        // --- Huge numbers --------------------------------------------------------------------
        string[] hugeNumbers =
        [
            "{\"Limit\":1e400}", "{\"Limit\":99999999999999999999999}", "{\"Limit\":-99999999999999999999}",
            "{\"Limit\":1e-400}", "{\"Limit\":" + new string('9', 10_000) + "}", "{\"Limit\":2147483648}",
        ];
        foreach (var json in hugeNumbers)
        {
            // Coral truncates a number to the member's type and saturates at its range
            // (TruncatingBigNumber), so an out-of-range Limit fails validation, as on Kinesis.
            yield return Post("huge number " + json[..Math.Min(json.Length, 30)], "ListStreams", json, type: Val);
        }

        yield return Post(
            "huge timestamp",
            "GetShardIterator",
            "{\"StreamName\":\"corpus\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":1e309}",
            type: Ser);

        // --- Deep nesting --------------------------------------------------------------------
        yield return Post("65 nested arrays", "ListStreams", "{\"x\":" + new string('[', 65) + new string(']', 65) + "}", type: Ser);
        yield return Post("10000 open arrays", "ListStreams", "{\"x\":" + new string('[', 10_000), type: Ser);
        yield return Post("1000 nested objects", "ListStreams", string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000), type: Ser);
        yield return PostBytes("CBOR 100 nested arrays", "ListStreams", CborType, [0xa1, 0x61, (byte)'x', .. Enumerable.Repeat((byte)0x81, 100), 0x00], type: Ser);

        // --- Invalid UTF-8 and lone surrogates -------------------------------------------------
        (string Name, string Op, string Latin1)[] badUtf8 =
        [
            ("PartitionKey 0x80", "PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"a\u0080\",\"Data\":\"\"}"),
            ("StreamName 0xC3", "PutRecord", "{\"StreamName\":\"c\u00c3\",\"PartitionKey\":\"k\",\"Data\":\"\"}"),
            ("tag value 0xFF", "AddTagsToStream", "{\"StreamName\":\"corpus\",\"Tags\":{\"k\":\"\u00ff\"}}"),
            ("member name 0xFE", "ListStreams", "{\"\u00fe\":1}"),
            ("encoded surrogate", "PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"\u00ed\u00b2\u0080\",\"Data\":\"\"}"),
            ("overlong slash", "DescribeStreamSummary", "{\"StreamName\":\"\u00c0\u00af\"}"),
            ("escaped \\udc80 key", "PutRecord", "{\"StreamName\":\"corpus\",\"PartitionKey\":\"\\udc80\",\"Data\":\"\"}"),
            ("escaped \\ud800 stream", "DescribeStreamSummary", "{\"StreamName\":\"\\ud800\"}"),
            ("escaped \\udc80 tag", "AddTagsToStream", "{\"StreamName\":\"corpus\",\"Tags\":{\"k\":\"a\\udc80\"}}"),
            ("escaped \\ud800 in PutRecords", "PutRecords", "{\"StreamName\":\"corpus\",\"Records\":[{\"PartitionKey\":\"\\ud800x\",\"Data\":\"\"}]}"),
        ];
        foreach (var (name, op, latin1) in badUtf8)
        {
            yield return PostBytes("utf-8 " + name, op, JsonType, Encoding.Latin1.GetBytes(latin1), type: Ser);
        }

        yield return PostBytes("CBOR text 0xFF", "DescribeStreamSummary", CborType, [0xa1, 0x6a, .. "StreamName"u8, 0x62, 0x61, 0xff], type: Ser);

        // --- Bad chunking --------------------------------------------------------------------
        var chunkHead = new[] { "X-Amz-Target: Kinesis_20131202.ListStreams", JsonType, "Transfer-Encoding: chunked" };
        string[] badChunks =
        [
            "FFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
            "zz\r\n{}\r\n0\r\n\r\n",
            "2\r\n{}XX0\r\n\r\n",
            "-1\r\n{}\r\n0\r\n\r\n",
            "2 {}\r\n0\r\n\r\n",
            "5\r\n{}\r\n0\r\n\r\n",
        ];
        for (var i = 0; i < badChunks.Length; i++)
        {
            yield return new Case($"bad chunking {i}", [.. RawHttp.Head("POST", chunkHead), .. Encoding.ASCII.GetBytes(badChunks[i])], Status: 400, Type: Ser);
        }

        // --- Truncated bodies: the client stops sending and waits (a client that closes its side
        // has closed the connection for Kestrel, and nobody is left to answer) ------------------
        const string Timeout = "RequestTimeoutException";
        yield return new Case("chunked body cut short", [.. RawHttp.Head("POST", chunkHead), .. "2\r\n{}\r\n"u8], Status: 408, Type: Timeout);
        yield return new Case(
            "content-length longer than sent",
            [.. RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202.ListStreams", JsonType, "Content-Length: 100"), .. "{\"Limit\":"u8],
            Status: 408,
            Type: Timeout);
        yield return new Case(
            "PutRecords content-length longer than sent",
            [.. RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202.PutRecords", CborType, "Content-Length: 5000"), .. new byte[] { 0xbf, 0x67 }],
            Status: 408,
            Type: Timeout);
        yield return Post("truncated JSON", "DescribeStreamSummary", "{\"StreamName\":\"corp", type: Ser);
        yield return PostBytes("truncated CBOR map", "DescribeStreamSummary", CborType, [0xa2, 0x6a, .. "StreamName"u8], type: Ser);
        yield return PostBytes("truncated CBOR text", "DescribeStreamSummary", CborType, [0xa1, 0x6a, .. "StreamName"u8, 0x78, 0x20, 0x61], type: Ser);

        // --- Other malformed CBOR ------------------------------------------------------------
        yield return PostBytes("CBOR reserved info 28", "ListStreams", CborType, [0xa1, 0x61, (byte)'x', 0x1c], type: Ser);
        yield return PostBytes("CBOR byte-string key", "ListStreams", CborType, [0xa1, 0x41, (byte)'x', 0x01], type: Ser);
        yield return PostBytes("CBOR huge text length", "ListStreams", CborType, [0xa1, 0x61, (byte)'x', 0x7b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], type: Ser);
        yield return PostBytes("CBOR array root", "ListStreams", CborType, [0x80], type: Ser);
        yield return PostBytes("CBOR break at root", "ListStreams", CborType, [0xff], type: Ser);
        yield return PostBytes("CBOR indefinite text with a byte chunk", "ListStreams", CborType, [0xa1, 0x61, (byte)'x', 0x7f, 0x41, 0x61, 0xff], type: Ser);
        yield return PostBytes("CBOR trailing bytes", "ListStreams", CborType, [0xa0, 0x00], type: Ser);

        // --- Methods -------------------------------------------------------------------------
        foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS" })
        {
            yield return new Case("method " + method, RawHttp.Head(method, "X-Amz-Target: Kinesis_20131202.ListStreams", JsonType, "Content-Length: 0"), Status: 403);
        }

        // --- Content types -------------------------------------------------------------------
        foreach (var contentType in new[] { null, "text/plain", "application/xml", "application/x-amz-json-1.0", "multipart/form-data; boundary=x", "application/x-amz-json-1.1x" })
        {
            var headers = new List<string> { "X-Amz-Target: Kinesis_20131202.ListStreams", "Content-Length: 2" };
            if (contentType is not null)
            {
                headers.Add("Content-Type: " + contentType);
            }

            yield return new Case("content type " + (contentType ?? "none"), [.. RawHttp.Head("POST", [.. headers]), .. "{}"u8], Status: 404);
        }

        yield return new Case("content type none, no target", [.. RawHttp.Head("POST", "Content-Length: 2"), .. "{}"u8], Status: 403);

        // --- Targets -------------------------------------------------------------------------
        foreach (var target in new[] { null, string.Empty, "Kinesis_20131202.", "Kinesis_20131202.Nope", "DynamoDB_20120810.ListTables", "Kinesis_20131202.ListStreams.Extra", "Kinesis_20131202", ".ListStreams", "Kinesis_20131202.ListStreams\u00e9" })
        {
            var headers = new List<string> { JsonType, "Content-Length: 2" };
            if (target is not null)
            {
                headers.Add("X-Amz-Target: " + target);
            }

            yield return new Case("target " + (target ?? "none"), [.. Head(headers), .. "{}"u8], Status: 400);
        }

        // --- Base64 --------------------------------------------------------------------------
        foreach (var data in new[] { "abc", "23456", "YWJjZA", "!!!!", "YW=j", "YWJjZA===", "YWJj\\n", "Y", "=abc" })
        {
            yield return Post("base64 " + data, "PutRecord", $$"""{"StreamName":"corpus","PartitionKey":"k","Data":"{{data}}"}""", type: Ser);
        }

        yield return Post("base64 in PutRecords", "PutRecords", "{\"StreamName\":\"corpus\",\"Records\":[{\"PartitionKey\":\"k\",\"Data\":\"abc\"}]}", type: Ser);

        // --- Too many entries (refused while reading) ----------------------------------------------
        yield return PostBytes("PutRecords 501 entries", "PutRecords", JsonType, BoundedReadingTests.EmptyEntries(KinesisWireFormat.Json, 501), type: Val);
        yield return PostBytes("PutRecords 1M CBOR entries", "PutRecords", CborType, BoundedReadingTests.EmptyEntries(KinesisWireFormat.Cbor, 1_000_000), type: Val);
        yield return Post(
            "201 tags",
            "AddTagsToStream",
            "{\"StreamName\":\"corpus\",\"Tags\":{" + string.Join(",", Enumerable.Range(0, 201).Select(i => $"\"k{i}\":\"v\"")) + "}}",
            type: Val);
        yield return Post(
            "51 tag keys",
            "RemoveTagsFromStream",
            "{\"StreamName\":\"corpus\",\"TagKeys\":[" + string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\"")) + "]}",
            type: Val);

        // --- Oversized bodies ----------------------------------------------------------------
        yield return new Case(
            "declared 2 GB",
            [.. RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202.PutRecords", JsonType, "Content-Length: 2000000000"), .. "{"u8],
            Status: 413,
            Type: "RequestEntityTooLarge");
        yield return new Case(
            "ListStreams declared 2 MiB",
            RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202.ListStreams", JsonType, "Content-Length: 2097152"),
            Status: 413,
            Type: "RequestEntityTooLarge");
        yield return new Case(
            "CBOR PutRecord declared 15 MiB",
            RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202.PutRecord", CborType, "Content-Length: 15728640"),
            Status: 413,
            Type: "RequestEntityTooLarge");
        var bigChunk = new byte[(1024 * 1024) + 4096];
        bigChunk.AsSpan().Fill((byte)' ');
        yield return new Case(
            "ListStreams chunked past 1 MiB",
            [.. RawHttp.Head("POST", chunkHead), .. Encoding.ASCII.GetBytes(bigChunk.Length.ToString("X", CultureInfo.InvariantCulture) + "\r\n"), .. bigChunk, .. "\r\n0\r\n\r\n"u8],
            Status: 413,
            Type: "RequestEntityTooLarge");

        // --- Empty bodies ----------------------------------------------------------------------
        yield return Post("empty PutRecord", "PutRecord", string.Empty, type: Ser);
        yield return PostBytes("empty CBOR GetRecords", "GetRecords", CborType, [], type: Ser);
    }

    private static byte[] Head(List<string> headers) => RawHttp.Head("POST", [.. headers]);

    private static Case Post(string name, string operation, string json, string? type = null) =>
        PostBytes(name, operation, JsonType, Encoding.UTF8.GetBytes(json), type);

    private static Case PostBytes(string name, string operation, string contentType, byte[] body, string? type = null) => new(
        name,
        [.. RawHttp.Head("POST", "X-Amz-Target: Kinesis_20131202." + operation, contentType, "Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture)), .. body],
        Status: type == "RequestEntityTooLarge" ? 413 : 400,
        Type: type);
}
