using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Malformed;
using KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Fidelity;

/// <summary>
/// How requests are refused, byte for byte, over raw HTTP/1.1 against the real core: the error
/// type, order and words Kinesis answers (as recorded against the service by kinesalite's tests and
/// the conformance suite built on them). One test class per issue-12 class: serialization errors,
/// validation, service exceptions, the protocol's edge, CORS.
/// </summary>
public sealed class ErrorFidelityTests
{
    private const string Json = "application/x-amz-json-1.1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- 1. Serialization errors: capital Message, Coral's words ----

    [Theory]
    [InlineData("AddTagsToStream", """{"StreamName":1,"Tags":{"a":"b"}}""", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")]
    [InlineData("AddTagsToStream", """{"StreamName":false,"Tags":{"a":"b"}}""", "class java.lang.Boolean can not be converted to an String")]
    [InlineData("AddTagsToStream", """{"StreamName":"s","Tags":[]}""", "Start of list found where not expected")]
    [InlineData("RemoveTagsFromStream", """{"StreamName":"s","TagKeys":"a"}""", "Expected list or null")]
    [InlineData("PutRecord", """{"StreamName":"s","PartitionKey":"k","Data":"23456"}""", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5")]
    [InlineData("ListStreams", """{"Limit":"1"}""", "class java.lang.String can not be converted to an Integer")]
    public async Task Serialization_WrongType_CapitalMessageWithCoralText(string operation, string body, string message)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await PostAsync(host, operation, body);

        AssertJson(response, 400, "{\"__type\":\"SerializationException\",\"Message\":\"" + message + "\"}");
    }

    [Fact]
    public async Task Serialization_NotJson_BareType()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        AssertJson(await PostAsync(host, "ListStreams", "hello"), 400, """{"__type":"SerializationException"}""");
    }

    // ---- 2. Validation: every violation, before anything else runs ----

    [Fact]
    public async Task Validation_AddTagsToStreamWithoutTags_TagsMustNotBeNull()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        AssertJson(
            await PostAsync(host, "AddTagsToStream", """{"StreamName":"s"}"""),
            400,
            """{"__type":"ValidationException","message":"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"}""");
    }

    [Fact]
    public async Task Validation_TooManyTagsOnUnknownStream_ValidationNotResourceNotFound()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var tags = string.Join(",", Enumerable.Range(0, 201).Select(i => string.Create(CultureInfo.InvariantCulture, $"\"k{i}\":\"v\"")));

        var response = await PostAsync(host, "AddTagsToStream", "{\"StreamName\":\"no-such-stream\",\"Tags\":{" + tags + "}}");

        Assert.Equal(400, response.Status);
        Assert.StartsWith("{\"__type\":\"ValidationException\",\"message\":\"1 validation error detected: Value '{k0=v, k1=v,", Text(response), StringComparison.Ordinal);
        Assert.EndsWith("k200=v}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200\"}", Text(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_PutRecordEverythingWrong_AllInServiceOrder()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        AssertJson(
            await PostAsync(host, "PutRecord", """{"StreamName":"bad name!","PartitionKey":"","SequenceNumberForOrdering":"x"}"""),
            400,
            """{"__type":"ValidationException","message":"4 validation errors detected: """
            + """Value 'x' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); """
            + """Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; """
            + """Value null at 'data' failed to satisfy constraint: Member must not be null; """
            + """Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"}""");
    }

    [Fact]
    public async Task Validation_GetShardIteratorOnUnknownStream_ValidationFirst()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        AssertJson(
            await PostAsync(host, "GetShardIterator", """{"StreamName":"nope","ShardId":"shardId-000000000000","ShardIteratorType":"OLDEST"}"""),
            400,
            """{"__type":"ValidationException","message":"1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"}""");
    }

    // ---- 3. Service exceptions: lower-case message, the service's sentences ----

    [Theory]
    [InlineData("""{"StreamName":"s","Tags":{"tab\tkey":"v"}}""")]
    [InlineData("""{"StreamName":"s","Tags":{"k":"new\nline"}}""")]
    public async Task ServiceException_TagWithTabOrNewline_InvalidArgumentWithKinesisText(string body)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(KinesisWireFormat.Json, "s");

        AssertJson(
            await PostAsync(host, "AddTagsToStream", body),
            400,
            """{"__type":"InvalidArgumentException","message":"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :."}""");
    }

    [Fact]
    public async Task ServiceException_MoreThanFiftyTagsOnAStream_KinesisText()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        await host.CreateStreamAsync(KinesisWireFormat.Json, "s");
        for (var batch = 0; batch < 5; batch++)
        {
            var tags = string.Join(",", Enumerable.Range(batch * 10, 10).Select(i => string.Create(CultureInfo.InvariantCulture, $"\"k{i}\":\"v\"")));
            Assert.Equal(200, (await PostAsync(host, "AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{" + tags + "}}")).Status);
        }

        AssertJson(
            await PostAsync(host, "AddTagsToStream", """{"StreamName":"s","Tags":{"one-more":"v"}}"""),
            400,
            """{"__type":"InvalidArgumentException","message":"Failed to add tags to stream s under account 000000000000 because a given stream cannot have more than 50 tags associated with it."}""");
    }

    // ---- 4. The edge of the protocol ----

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Edge_NotPost_XmlAccessDenied(string method)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await RawHttp.SendAsync(host.Port, RawHttp.Head(method), closeSend: false, Ct);

        AssertXml(response, 403, "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n");
    }

    [Fact]
    public async Task Edge_BodyWithoutContentTypeOrTarget_XmlAccessDenied()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await SendAsync(host, "{}", "Content-Length: 2");

        AssertXml(response, 403, "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n");
    }

    [Theory]
    [InlineData(null, null, "UnknownOperationException")]
    [InlineData("application/x-amz-json-1.0", null, "UnknownOperationException")]
    [InlineData("application/x-amz-json-1.1asdf", null, "UnknownOperationException")]
    [InlineData(null, "Kinesis_20131202.ListStream", "UnknownOperationException")]
    [InlineData(null, "Kinesis_20131202.ListStreams", "SerializationException")]
    [InlineData("application/json", null, "UnknownOperationException")]
    [InlineData("application/json", "Kinesis_20131202.ListStreams", "SerializationException")]
    public async Task Edge_EmptyBodyWithoutAwsJsonContentType_CborError(string? contentType, string? target, string type)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var headers = new List<string> { "Content-Length: 0" };
        if (contentType is not null)
        {
            headers.Add("Content-Type: " + contentType);
        }

        if (target is not null)
        {
            headers.Add("X-Amz-Target: " + target);
        }

        var response = await SendAsync(host, string.Empty, [.. headers]);

        // bf 66 "__type" 78 19 / 76 "<type>" ff: an indefinite CBOR map, as the service writes it.
        byte[] expected = [0xbf, 0x66, .. "__type"u8, .. type.Length >= 24 ? new byte[] { 0x78, (byte)type.Length } : [(byte)(0x60 + type.Length)], .. Encoding.ASCII.GetBytes(type), 0xff];
        Assert.Equal(400, response.Status);
        Assert.Equal("application/x-amz-cbor-1.1", response.ContentType);
        Assert.Equal(expected, response.Body);
    }

    [Theory]
    [InlineData(null, """{"__type":"UnknownOperationException"}""")]
    [InlineData("Kinesis_20131202.ListStreams", """{"__type":"SerializationException"}""")]
    public async Task Edge_EmptyJsonBody_JsonBareType(string? target, string expected)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        string[] headers = target is null
            ? ["Content-Type: " + Json, "Content-Length: 0"]
            : ["Content-Type: " + Json, "Content-Length: 0", "X-Amz-Target: " + target];

        AssertJson(await SendAsync(host, string.Empty, headers), 400, expected);
    }

    [Theory]
    [InlineData("{}", """{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}""")]
    [InlineData("hello", """{"Output":{"__type":"com.amazon.coral.service#SerializationException","Message":null},"Version":"1.0"}""")]
    public async Task Edge_ApplicationJson_LegacyEnvelope(string body, string expected)
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await SendAsync(host, body, "Content-Type: application/json", "X-Amz-Target: Kinesis_20131202.ListStreams", "Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(200, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Equal(expected, Text(response));
    }

    [Theory]
    [InlineData("X", null, "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X")]
    [InlineData("AWS4- Signature=b Credential=a", "Date: a", "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a")]
    public async Task Edge_MalformedAuthorizationUnverified_IncompleteSignature(string authorization, string? extra, string message)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var headers = new List<string> { "Content-Type: " + Json, "X-Amz-Target: Kinesis_20131202.ListStreams", "Content-Length: 2", "Authorization: " + authorization };
        if (extra is not null)
        {
            headers.Add(extra);
        }

        AssertJson(await SendAsync(host, "{}", [.. headers]), 400, "{\"__type\":\"IncompleteSignatureException\",\"message\":\"" + message + "\"}");
    }

    // ---- 5. CORS ----

    [Fact]
    public async Task Cors_Preflight_200WithAllowHeaders()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await RawHttp.SendAsync(
            host.Port,
            RawHttp.Head("OPTIONS", "Origin: http://app.example", "Access-Control-Request-Headers: content-type, x-amz-target", "Access-Control-Request-Method: POST"),
            closeSend: false,
            Ct);

        Assert.Equal(200, response.Status);
        Assert.Equal("*", response.Headers["access-control-allow-origin"]);
        Assert.Equal("content-type, x-amz-target", response.Headers["access-control-allow-headers"]);
        Assert.Equal("POST", response.Headers["access-control-allow-methods"]);
        Assert.Equal("172800", response.Headers["access-control-max-age"]);
        Assert.Equal("0", response.Headers["content-length"]);
        Assert.True(response.Headers.ContainsKey("x-amzn-RequestId"));
        Assert.False(response.Headers.ContainsKey("x-amz-id-2"));
        Assert.Null(response.ContentType);
        Assert.Empty(response.Body);
    }

    [Fact]
    public async Task Cors_RequestWithOrigin_AllowOriginAndExposedHeaders()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        var response = await SendAsync(host, "{}", "Origin: http://app.example", "Content-Type: " + Json, "X-Amz-Target: Kinesis_20131202.ListStreams", "Content-Length: 2");

        Assert.Equal(200, response.Status);
        Assert.Equal("*", response.Headers["access-control-allow-origin"]);
        Assert.Contains("x-amzn-RequestId", response.Headers["access-control-expose-headers"], StringComparison.Ordinal);
        Assert.Contains("x-amz-id-2", response.Headers["access-control-expose-headers"], StringComparison.Ordinal);
    }

    private static Task<RawResponse> PostAsync(KinesisCoreHost host, string operation, string body) =>
        SendAsync(host, body, "Content-Type: " + Json, "X-Amz-Target: Kinesis_20131202." + operation, "Content-Length: " + Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture));

    private static Task<RawResponse> SendAsync(KinesisCoreHost host, string body, params string[] headers) =>
        RawHttp.SendAsync(host.Port, [.. RawHttp.Head("POST", headers), .. Encoding.UTF8.GetBytes(body)], closeSend: false, Ct);

    private static string Text(RawResponse response) => Encoding.UTF8.GetString(response.Body);

    private static void AssertJson(RawResponse response, int status, string body)
    {
        Assert.Equal(body, Text(response));
        Assert.Equal(status, response.Status);
        Assert.Equal(Json, response.ContentType);
        Assert.True(response.Headers.ContainsKey("x-amzn-RequestId"));
    }

    private static void AssertXml(RawResponse response, int status, string body)
    {
        Assert.Equal(body, Text(response));
        Assert.Equal(status, response.Status);
        Assert.Null(response.ContentType);
        Assert.True(response.Headers.ContainsKey("x-amzn-RequestId"));
        Assert.True(response.Headers.ContainsKey("x-amz-id-2"));
    }
}
