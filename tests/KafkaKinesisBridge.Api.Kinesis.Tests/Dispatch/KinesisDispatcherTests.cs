using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Api.Kinesis.Tests.Networking;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Dispatch;

/// <summary>The dispatcher's framing and error paths over a real sniffed port, with HTTP/1.1 and h2c.</summary>
public sealed class KinesisDispatcherTests
{
    private const string Json = "application/x-amz-json-1.1";
    private const string Cbor = "application/x-amz-cbor-1.1";

    public static TheoryData<string> Versions => ["1.1", "2.0"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task UnknownOperation_WellFormedJson_400UnknownOperationExceptionWithRequestIds(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreamz", Json, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{\"__type\":\"UnknownOperationException\"}", await response.Content.ReadAsStringAsync(Ct));
        AssertRequestIds(response);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task UnknownService_400UnknownOperationException(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "DynamoDB_20120810.ListTables", Json, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnknownOperationException", await ErrorTypeAsync(response));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task MissingTarget_JsonContentType_400UnknownOperationException(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, target: null, Json, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UnknownOperationException", await ErrorTypeAsync(response));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task UnsupportedContentType_WithTarget_404BareXmlUnknownOperation(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", "text/plain", "{}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentType);
        Assert.Equal("<UnknownOperationException/>\n", await response.Content.ReadAsStringAsync(Ct));
        AssertRequestIds(response);
        Assert.Empty(stub.Calls);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task UnsupportedContentType_WithoutTarget_403XmlAccessDenied(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, target: null, "application/x-amz-json-1.0", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentType);
        Assert.Equal(
            "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task GetRoot_403XmlAccessDenied(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var client = SniffedPortTests.CreateClient(Version.Parse(version));
        using var request = new HttpRequestMessage(HttpMethod.Get, stub.Endpoint)
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentType);
        Assert.Equal(
            "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n",
            await response.Content.ReadAsStringAsync(Ct));
        AssertRequestIds(response);
        Assert.Empty(stub.Calls);
    }

    [Theory]
    [InlineData("ListStreams", 2048, false)]
    [InlineData("PutRecord", 2048, true)]
    [InlineData("PutRecords", 2048, true)]
    public async Task BodyLimit_PerOperation_SmallOperationsRefuseWhatPutRecordsAccepts(string operation, int padding, bool accepted)
    {
        await using var stub = await StubKinesis.StartAsync(o =>
        {
            o.MaxOtherBodyBytes = 1024;
            o.MaxPutRecordBodyBytes = 4096;
            o.MaxPutRecordsBodyBytes = 4096;
        });
        // A valid request of each operation, padded by its data (or by a member the operation does not have).
        var pad = new string('A', padding);
        var payload = operation switch
        {
            "PutRecord" => "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"" + pad + "\"}",
            "PutRecords" => "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"k\",\"Data\":\"" + pad + "\"}]}",
            _ => "{\"Pad\":\"" + pad + "\"}",
        };
        using var response = await SendAsync(stub, "1.1", "Kinesis_20131202." + operation, Json, payload);
        if (accepted)
        {
            Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Single(stub.Calls);
        }
        else
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("RequestEntityTooLarge", await ErrorTypeAsync(response));
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task MalformedJson_KnownOperation_400SerializationExceptionBeforeTheHandler(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Json, "{\"Limit\": ");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("SerializationException", await ErrorTypeAsync(response));
        Assert.Equal("{\"__type\":\"SerializationException\"}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(stub.Calls);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task MalformedJson_UnknownOperation_400SerializationException(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.Nope", Json, "hello");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"__type\":\"SerializationException\"}", await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task EmptyBody_ValidTarget_400SerializationException(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Json, string.Empty);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"__type\":\"SerializationException\"}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(stub.Calls);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task WrongMemberType_400SerializationExceptionWithMessage(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.DescribeStreamSummary", Json, "{\"StreamName\": 12}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("SerializationException", error.RootElement.GetProperty("__type").GetString());
        Assert.Equal(
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String",
            error.RootElement.GetProperty("Message").GetString());
    }

    [Theory]
    [InlineData("1.1", true)]
    [InlineData("1.1", false)]
    [InlineData("2.0", true)]
    [InlineData("2.0", false)]
    public async Task BodyOverLimit_413WithKinesisShapedBody(string version, bool declareLength)
    {
        await using var stub = await StubKinesis.StartAsync(o => o.MaxRequestBodyBytes = 4096);
        var payload = "{\"Data\":\"" + new string('A', 8192) + "\"}";
        using var client = SniffedPortTests.CreateClient(Version.Parse(version));
        using var request = new HttpRequestMessage(HttpMethod.Post, stub.Endpoint)
        {
            Version = Version.Parse(version),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.PutRecords");
        HttpContent content = declareLength
            ? new StringContent(payload)
            : new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(payload)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(Json);
        request.Content = content;
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("RequestEntityTooLarge", error.RootElement.GetProperty("__type").GetString());
        Assert.Contains("4096", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        AssertRequestIds(response);
        Assert.Empty(stub.Calls);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task BodyJustUnderLimit_Dispatched(string version)
    {
        await using var stub = await StubKinesis.StartAsync(o => o.MaxRequestBodyBytes = 4096);
        var payload = "{\"Pad\":\"" + new string('A', 4096 - 10) + "\"}";
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(payload));
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Json, payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("1.1", KinesisWireFormat.Json)]
    [InlineData("2.0", KinesisWireFormat.Json)]
    [InlineData("1.1", KinesisWireFormat.Cbor)]
    [InlineData("2.0", KinesisWireFormat.Cbor)]
    public async Task LargePutRecords_500RecordsOf10KiB_EveryByteReachesTheHandler(string version, KinesisWireFormat format)
    {
        const int Count = 500;
        const int Size = 10 * 1024;
        await using var stub = await StubKinesis.StartAsync();
        var body = Wire.HotPathTests.BuildPutRecords(format, Count, Size);
        Assert.True(body.Length > 5 * 1024 * 1024 || format == KinesisWireFormat.Cbor);
        using var response = await SendAsync(stub, version, "Kinesis_20131202.PutRecords", format == KinesisWireFormat.Json ? Json : Cbor, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = stub.Records.ToArray();
        Assert.Equal(Count, records.Length);
        for (var i = 0; i < Count; i++)
        {
            Assert.Equal($"pk-{i:D4}", records[i].PartitionKey);
            Assert.True(records[i].Data.AsSpan().SequenceEqual(Wire.HotPathTests.RecordData(i, Size)), $"record {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task KnownOperationWithoutHandler_400UnknownOperationWithMessage(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.StartStreamEncryption", Json, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("UnknownOperationException", error.RootElement.GetProperty("__type").GetString());
        Assert.Equal("The operation StartStreamEncryption is not supported by this gateway.", error.RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task HandlerThrows_500InternalFailureAndLogged(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.CreateStream", Json, "{\"StreamName\":\"boom\",\"ShardCount\":1}");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("InternalFailure", await ErrorTypeAsync(response));
        Assert.Single(stub.Host.Logs.WithId(1201));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task HandlerError_AnsweredWithItsTypeStatusAndMessage(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.DescribeStreamSummary", Json, "{\"StreamName\":\"orders\"}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "{\"__type\":\"ResourceNotFoundException\",\"message\":\"Stream orders under account 000000000000 not found.\"}",
            await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Success_200WithContentTypeLengthAndProtocol(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Json, "{}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal("{\"StreamNames\":[\"alpha\",\"beta\"],\"HasMoreStreams\":false}", body);
        Assert.Equal(Json, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), response.Content.Headers.ContentLength);
        AssertRequestIds(response);
        var call = Assert.Single(stub.Calls);
        Assert.Equal(version == "2.0" ? "HTTP/2" : "HTTP/1.1", call.Protocol);
        Assert.Equal(KinesisWireFormat.Json, call.Format);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Cbor_Request_AnsweredInCbor(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Cbor, Convert.FromHexString("a0"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Cbor, response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, bytes);
        reader.ReadStartObject();
        Assert.True(reader.ReadProperty());
        Assert.True(reader.PropertyNameEquals("StreamNames"u8));
        Assert.Equal(KinesisWireFormat.Cbor, Assert.Single(stub.Calls).Format);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Cbor_UnknownOperation_ErrorIsACborMap(string version)
    {
        await using var stub = await StubKinesis.StartAsync();
        using var response = await SendAsync(stub, version, "Kinesis_20131202.Nope", Cbor, Convert.FromHexString("a0"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(Cbor, response.Content.Headers.ContentType?.MediaType);

        // {_ "__type": "UnknownOperationException"}: the bytes kinesalite sends (bf 66 __type 78 19 ... ff).
        Assert.Equal(
            "bf" + "665f5f74797065" + "7819" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes("UnknownOperationException")) + "ff",
            Convert.ToHexStringLower(await response.Content.ReadAsByteArrayAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task VerifyMode_Unsigned_MissingAuthenticationToken(string version)
    {
        await using var stub = await StubKinesis.StartAsync(o =>
        {
            o.AuthMode = KinesisAuthMode.Verify;
            o.Credentials = [new KinesisCredential { AccessKeyId = "AKIDTEST", SecretAccessKey = "secret" }];
        });
        using var response = await SendAsync(stub, version, "Kinesis_20131202.ListStreams", Json, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "{\"__type\":\"MissingAuthenticationTokenException\",\"message\":\"Missing Authentication Token\"}",
            await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(stub.Calls);
    }

    [Fact]
    public async Task AcceptAnyMode_SignedWithDummyKey_AccessKeyIdReachesHandler()
    {
        await using var stub = await StubKinesis.StartAsync();
        using var client = SniffedPortTests.CreateClient(HttpVersion.Version11);
        using var request = Request(stub, HttpVersion.Version11, "Kinesis_20131202.ListStreams", Json, Encoding.UTF8.GetBytes("{}"));
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDDUMMY/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20240101T000000Z");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("AKIDDUMMY", Assert.Single(stub.Calls).AccessKeyId);
    }

    [Fact]
    public void Options_Invalid_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new KinesisApiOptions { MaxRequestBodyBytes = 10 }.Validate());
        Assert.Throws<ArgumentException>(() => new KinesisApiOptions { Region = " " }.Validate());
        Assert.Throws<ArgumentException>(() => new KinesisApiOptions { AuthMode = KinesisAuthMode.Verify }.Validate());
        Assert.Throws<ArgumentException>(() => new KinesisApiOptions
        {
            Credentials = [new KinesisCredential { AccessKeyId = "A", SecretAccessKey = "s" }, new KinesisCredential { AccessKeyId = "A", SecretAccessKey = "t" }],
        }.Validate());
        new KinesisApiOptions().Validate();
    }

    [Fact]
    public void AddKinesisApi_FromConfiguration_BindsAndValidates()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KinesisApi:AuthMode"] = "Verify",
            ["KinesisApi:Region"] = "eu-west-1",
            ["KinesisApi:MaxRequestBodyBytes"] = "2097152",
            ["KinesisApi:Credentials:0:AccessKeyId"] = "AKIDCONFIG",
            ["KinesisApi:Credentials:0:SecretAccessKey"] = "s3cr3t",
        }).Build();
        using var services = new ServiceCollection().AddKinesisApi(configuration).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<KinesisApiOptions>>().Value;

        Assert.Equal(KinesisAuthMode.Verify, options.AuthMode);
        Assert.Equal("eu-west-1", options.Region);
        Assert.Equal(2097152, options.MaxRequestBodyBytes);
        Assert.Equal("AKIDCONFIG", Assert.Single(options.Credentials).AccessKeyId);

        var invalid = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["KinesisApi:AuthMode"] = "Verify" }).Build();
        using var invalidServices = new ServiceCollection().AddKinesisApi(invalid).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() =>
        {
            _ = invalidServices.GetRequiredService<IOptions<KinesisApiOptions>>().Value;
        });
    }

    [Theory]
    [InlineData("Kinesis_20131202.PutRecords", KinesisTargetStatus.Valid, KinesisOperation.PutRecords)]
    [InlineData(" Kinesis_20131202.SubscribeToShard ", KinesisTargetStatus.Valid, KinesisOperation.SubscribeToShard)]
    [InlineData("Kinesis_20131202.putrecords", KinesisTargetStatus.Unknown, default(KinesisOperation))]
    [InlineData("Kinesis_20131203.PutRecords", KinesisTargetStatus.Unknown, default(KinesisOperation))]
    [InlineData("Kinesis_20131202.", KinesisTargetStatus.Missing, default(KinesisOperation))]
    [InlineData("PutRecords", KinesisTargetStatus.Missing, default(KinesisOperation))]
    [InlineData("", KinesisTargetStatus.Missing, default(KinesisOperation))]
    public void ParseTarget_Forms(string target, KinesisTargetStatus status, KinesisOperation operation)
    {
        Assert.Equal(status, KinesisOperations.ParseTarget(target, out var parsed));
        if (status == KinesisTargetStatus.Valid)
        {
            Assert.Equal(operation, parsed);
            Assert.Equal(target.Trim(), parsed.GetTarget());
        }
    }

    [Fact]
    public void Operations_EveryNameRoundTrips()
    {
        foreach (var operation in Enum.GetValues<KinesisOperation>())
        {
            Assert.Equal(KinesisTargetStatus.Valid, KinesisOperations.ParseTarget(operation.GetTarget(), out var parsed));
            Assert.Equal(operation, parsed);
            Assert.Equal(operation.ToString(), operation.GetName());
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(StubKinesis stub, string version, string? target, string contentType, string body) =>
        await SendAsync(stub, version, target, contentType, Encoding.UTF8.GetBytes(body));

    private static async Task<HttpResponseMessage> SendAsync(StubKinesis stub, string version, string? target, string contentType, byte[] body)
    {
        using var client = SniffedPortTests.CreateClient(Version.Parse(version));
        using var request = Request(stub, Version.Parse(version), target, contentType, body);
        return await client.SendAsync(request, Ct);
    }

    private static HttpRequestMessage Request(StubKinesis stub, Version version, string? target, string contentType, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, stub.Endpoint)
        {
            Content = new ByteArrayContent(body),
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        return request;
    }

    private static async Task<string?> ErrorTypeAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return document.RootElement.GetProperty("__type").GetString();
    }

    private static void AssertRequestIds(HttpResponseMessage response)
    {
        Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
        Assert.Equal(72, Convert.FromBase64String(response.Headers.GetValues("x-amz-id-2").Single()).Length);
    }

    /// <summary>A stream without a length, so HttpClient sends the body chunked (HTTP/1.1) or without content-length (h2).</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
