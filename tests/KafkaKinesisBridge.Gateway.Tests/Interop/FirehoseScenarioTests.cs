using System.Net;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.TestSupport;
using Proto = KafkaKinesisBridge.Contracts.Firehose.V1;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// Firehose through the real gateway process and real, independent clients (issue 10, item 7): the
/// AWS CLI, boto3 and the AWS SDK for JavaScript create delivery streams (DirectPut and from a Kinesis
/// stream), put records, and find the objects in a real S3-compatible server (s3rver), read back with
/// the AWS CLI / boto3 / @aws-sdk/client-s3 and decompressed with independent tools (gzip, python's
/// zipfile); plus Firehose's errors over raw HTTP.
/// </summary>
public sealed class FirehoseScenarioTests(FirehoseGatewayFixture fixture) : IClassFixture<FirehoseGatewayFixture>
{
    private const string Role = "arn:aws:iam::000000000000:role/firehose";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AwsCli_DirectPutGzip_ObjectsInS3EqualThePutBytesAfterGunzip()
    {
        RequireFixture();
        var aws = KinesisClients.Aws ?? Missing<string>("the AWS CLI is not installed (Debian awscli; run `make deps`)");
        using var work = new TempDirectory("kkb-firehose-cli");
        const string stream = "cli-direct";
        await AwsAsync(aws, work, fixture.Endpoint, "firehose", "create-delivery-stream", "--delivery-stream-name", stream,
            "--extended-s3-destination-configuration",
            $$$"""{"RoleARN":"{{{Role}}}","BucketARN":"arn:aws:s3:::cli-bucket","Prefix":"cli/","CompressionFormat":"GZIP","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":1}}""");
        using var described = JsonDocument.Parse(await AwsAsync(aws, work, fixture.Endpoint, "firehose", "describe-delivery-stream", "--delivery-stream-name", stream));
        var description = described.RootElement.GetProperty("DeliveryStreamDescription");
        Assert.Equal("ACTIVE", description.GetProperty("DeliveryStreamStatus").GetString());
        Assert.Equal("GZIP", description.GetProperty("Destinations")[0].GetProperty("ExtendedS3DestinationDescription").GetProperty("CompressionFormat").GetString());

        var records = Enumerable.Range(0, 50).Select(i => Encoding.UTF8.GetBytes($"{{\"event\":{i},\"pad\":\"{new string('z', i)}\"}}\n")).ToList();
        var entries = JsonSerializer.Serialize(records.Select(r => new Dictionary<string, string> { ["Data"] = Convert.ToBase64String(r) }));
        using var put = JsonDocument.Parse(await AwsAsync(aws, work, fixture.Endpoint, "firehose", "put-record-batch", "--cli-binary-format", "base64",
            "--delivery-stream-name", stream, "--records", entries));
        Assert.Equal(0, put.RootElement.GetProperty("FailedPutCount").GetInt32());
        Assert.Equal(records.Count, put.RootElement.GetProperty("RequestResponses").EnumerateArray().Select(r => r.GetProperty("RecordId").GetString()).Distinct().Count());

        var expected = records.SelectMany(r => r).ToArray();
        byte[] delivered = [];
        await Eventually.UntilAsync(
            async () =>
            {
                delivered = await ReadGzipObjectsWithCliAsync(aws, work, "cli-bucket", "cli/");
                return delivered.Length >= expected.Length;
            },
            TimeSpan.FromSeconds(60),
            "the delivery stream's objects appear in s3rver");
        Assert.Equal(expected, delivered);

        await AwsAsync(aws, work, fixture.Endpoint, "firehose", "delete-delivery-stream", "--delivery-stream-name", stream);
        using var listed = JsonDocument.Parse(await AwsAsync(aws, work, fixture.Endpoint, "firehose", "list-delivery-streams"));
        Assert.DoesNotContain(stream, listed.RootElement.GetProperty("DeliveryStreamNames").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Boto3_DirectPutZip_ObjectsInS3EqualThePutBytesThroughZipfile()
    {
        RequireFixture();
        var python = await KinesisClients.PythonWithBoto3Async() ?? Missing<string>("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
        var result = await ExternalProcess.RunAsync(
            python,
            [Script("scenario_boto3.py"), "--endpoint", fixture.Endpoint, "--s3-endpoint", fixture.S3Endpoint, "--stream", "boto3-direct", "--bucket", "boto3-bucket"],
            environment: KinesisClients.Environment(),
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result + "\n--- gateway ---\n" + fixture.Gateway.Output);
        Assert.Contains("\"ok\": true", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsSdk_KinesisStreamAsSource_RecordsOfTheStreamArriveAsLines()
    {
        RequireFixture();
        var node = ExternalProcess.Find("node") ?? Missing<string>("node is not installed");
        var result = await ExternalProcess.RunAsync(
            node,
            [Script("scenario_js.cjs"), fixture.Endpoint, fixture.S3Endpoint, "js-source", "js-bucket"],
            environment: KinesisClients.Environment(),
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result + "\n--- gateway ---\n" + fixture.Gateway.Output);
        Assert.Contains("\"ok\":true", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawHttp_Errors_FirehoseNamesStatusesAndMessages()
    {
        RequireFixture();
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Endpoint) };
        var destination = $$$"""{"RoleARN":"{{{Role}}}","BucketARN":"arn:aws:s3:::raw-bucket","BufferingHints":{"IntervalInSeconds":60}}""";

        await AssertErrorAsync(http, "DescribeDeliveryStream", """{"DeliveryStreamName":"raw-missing"}""", 400, "ResourceNotFoundException", "Firehose raw-missing under account 000000000000 not found.");
        await AssertErrorAsync(http, "DescribeDeliveryStream", "{}", 400, "ValidationException", "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
        await AssertErrorAsync(http, "CreateDeliveryStream", """{"DeliveryStreamName":"raw-s"}""", 400, "InvalidArgumentException", null);
        await AssertErrorAsync(http, "CreateDeliveryStream", """{"DeliveryStreamName":"raw-s","ExtendedS3DestinationConfiguration":{"RoleARN":"r","BucketARN":"arn:aws:s3:::raw-bucket"}}""", 400, "ValidationException", null);
        await AssertErrorAsync(http, "CreateDeliveryStream", $$"""{"DeliveryStreamName":"raw-s","ExtendedS3DestinationConfiguration":{{destination.Replace("60", "901", StringComparison.Ordinal)}}}""", 400, "ValidationException", null);
        await AssertErrorAsync(http, "ListStreams", "{}", 400, "UnknownOperationException", null);
        await AssertErrorAsync(http, "ListDeliveryStreams", "{\"Limit\":", 400, "SerializationException", null);

        using (var created = await PostAsync(http, "CreateDeliveryStream", $$"""{"DeliveryStreamName":"raw-s","ExtendedS3DestinationConfiguration":{{destination}}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        await AssertErrorAsync(http, "CreateDeliveryStream", $$"""{"DeliveryStreamName":"raw-s","ExtendedS3DestinationConfiguration":{{destination}}}""", 400, "ResourceInUseException", "Firehose raw-s under accountId 000000000000 already exists");
        await AssertErrorAsync(http, "UpdateDestination", """{"DeliveryStreamName":"raw-s","CurrentDeliveryStreamVersionId":"7","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"x/"}}""", 400, "ConcurrentModificationException", null);
        using (var updated = await PostAsync(http, "UpdateDestination", """{"DeliveryStreamName":"raw-s","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"x/"}}"""))
        {
            Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        }

        using (var described = await PostAsync(http, "DescribeDeliveryStream", """{"DeliveryStreamName":"raw-s"}"""))
        {
            using var document = JsonDocument.Parse(await described.Content.ReadAsStringAsync(Ct));
            Assert.Equal("2", document.RootElement.GetProperty("DeliveryStreamDescription").GetProperty("VersionId").GetString());
        }

        var tooMany = "{\"DeliveryStreamName\":\"raw-s\",\"Records\":[" + string.Join(',', Enumerable.Repeat("{\"Data\":\"YQ==\"}", 501)) + "]}";
        await AssertErrorAsync(http, "PutRecordBatch", tooMany, 400, "ValidationException", null);
        var tooLarge = "{\"DeliveryStreamName\":\"raw-s\",\"Record\":{\"Data\":\"" + Convert.ToBase64String(new byte[1_024_001]) + "\"}}";
        await AssertErrorAsync(http, "PutRecord", tooLarge, 400, "ValidationException", null);
        await AssertErrorAsync(http, "PutRecord", """{"DeliveryStreamName":"raw-missing","Record":{"Data":"YQ=="}}""", 400, "ResourceNotFoundException", null);
        await AssertErrorAsync(http, "TagDeliveryStream", """{"DeliveryStreamName":"raw-s","Tags":[{"Key":"aws:reserved","Value":"v"}]}""", 400, "ValidationException", null);

        using (var batch = await PostAsync(http, "PutRecordBatch", """{"DeliveryStreamName":"raw-s","Records":[{"Data":"YQ=="},{"Data":""}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
            using var document = JsonDocument.Parse(await batch.Content.ReadAsStringAsync(Ct));
            Assert.Equal(0, document.RootElement.GetProperty("FailedPutCount").GetInt32());
            Assert.Equal(2, document.RootElement.GetProperty("RequestResponses").GetArrayLength());
        }

        using (var deleted = await PostAsync(http, "DeleteDeliveryStream", """{"DeliveryStreamName":"raw-s"}"""))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        await AssertErrorAsync(http, "PutRecord", """{"DeliveryStreamName":"raw-s","Record":{"Data":"YQ=="}}""", 400, "ResourceNotFoundException", null);
    }

    [Fact]
    public async Task Grpc_SameOperationsAsJson_CreateDescribePutTagDelete()
    {
        RequireFixture();
        using var channel = KafkaKinesisBridge.Gateway.Tests.Infrastructure.KinesisStreamsClient.CreateChannel(new Uri(fixture.Endpoint));
        var client = new Proto.Firehose.FirehoseClient(channel);
        var destination = new Proto.S3DestinationConfiguration
        {
            RoleArn = Role,
            BucketArn = "arn:aws:s3:::raw-bucket",
            Prefix = "grpc/",
            CompressionFormat = "UNCOMPRESSED",
            BufferingHints = new Proto.BufferingHints { SizeInMbs = 1, IntervalInSeconds = 1 },
        };
        var created = await client.CreateDeliveryStreamAsync(
            new Proto.CreateDeliveryStreamRequest { DeliveryStreamName = "grpc-direct", ExtendedS3DestinationConfiguration = destination, Tags = { new Proto.Tag { Key = "door", Value = "grpc" } } },
            cancellationToken: Ct);
        Assert.EndsWith(":deliverystream/grpc-direct", created.DeliveryStreamArn, StringComparison.Ordinal);

        var description = (await client.DescribeDeliveryStreamAsync(new Proto.DescribeDeliveryStreamRequest { DeliveryStreamName = "grpc-direct" }, cancellationToken: Ct)).DeliveryStreamDescription;
        Assert.Equal(("ACTIVE", "DirectPut", "1"), (description.DeliveryStreamStatus, description.DeliveryStreamType, description.VersionId));
        Assert.Equal("grpc/", Assert.Single(description.Destinations).Prefix);

        var put = await client.PutRecordBatchAsync(
            new Proto.PutRecordBatchRequest { DeliveryStreamName = "grpc-direct", Records = { new Proto.Record { Data = Google.Protobuf.ByteString.CopyFromUtf8("a") }, new Proto.Record { Data = Google.Protobuf.ByteString.CopyFromUtf8("b") } } },
            cancellationToken: Ct);
        Assert.Equal(0, put.FailedPutCount);
        Assert.Equal(2, put.RequestResponses.Select(r => r.RecordId).Distinct().Count());

        var tags = await client.ListTagsForDeliveryStreamAsync(new Proto.ListTagsForDeliveryStreamRequest { DeliveryStreamName = "grpc-direct" }, cancellationToken: Ct);
        Assert.Equal("grpc", Assert.Single(tags.Tags).Value);

        await client.DeleteDeliveryStreamAsync(new Proto.DeleteDeliveryStreamRequest { DeliveryStreamName = "grpc-direct" }, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await client.DescribeDeliveryStreamAsync(new Proto.DescribeDeliveryStreamRequest { DeliveryStreamName = "grpc-direct" }, cancellationToken: Ct));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, error.StatusCode);
        Assert.Equal("ResourceNotFoundException", error.Trailers.GetValue("firehose-error-type"));
    }

    private static async Task AssertErrorAsync(HttpClient http, string operation, string body, int status, string type, string? message)
    {
        using var response = await PostAsync(http, operation, body);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True((int)response.StatusCode == status, $"{operation}: HTTP {(int)response.StatusCode} {text}");
        using var document = JsonDocument.Parse(text);
        Assert.Equal(type, document.RootElement.GetProperty("__type").GetString());
        if (message is not null)
        {
            Assert.Equal(message, document.RootElement.GetProperty("message").GetString());
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string operation, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Firehose_20150804." + operation);
        return await http.SendAsync(request, Ct);
    }

    /// <summary>Lists, downloads (AWS CLI s3api, path-style) and gunzips (gzip, not .NET) every object under the prefix, in key order.</summary>
    private async Task<byte[]> ReadGzipObjectsWithCliAsync(string aws, TempDirectory work, string bucket, string prefix)
    {
        var config = Path.Combine(work.Path, "s3-config");
        await File.WriteAllTextAsync(config, "[default]\nparameter_validation = false\ns3 =\n    addressing_style = path\n", Ct);
        var s3 = new Dictionary<string, string?> { ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER", ["AWS_CONFIG_FILE"] = config };
        var output = await AwsAsync(aws, work, fixture.S3Endpoint, s3, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix);
        if (string.IsNullOrWhiteSpace(output))
        {
            // The CLI prints nothing for an empty listing (no object delivered yet).
            return [];
        }

        using var listed = JsonDocument.Parse(output);
        if (!listed.RootElement.TryGetProperty("Contents", out var contents))
        {
            return [];
        }

        var gzip = ExternalProcess.Find("gzip") ?? Missing<string>("gzip is not installed");
        var content = new List<byte>();
        foreach (var key in contents.EnumerateArray().Select(o => o.GetProperty("Key").GetString()!).Order(StringComparer.Ordinal))
        {
            Assert.EndsWith(".gz", key, StringComparison.Ordinal);
            var file = Path.Combine(work.Path, Guid.NewGuid().ToString("N") + ".gz");
            await AwsAsync(aws, work, fixture.S3Endpoint, s3, "s3api", "get-object", "--bucket", bucket, "--key", key, file);
            var gunzip = await ExternalProcess.RunAsync(gzip, ["-d", file], timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct);
            Assert.True(gunzip.ExitCode == 0, gunzip.ToString());
            content.AddRange(await File.ReadAllBytesAsync(file[..^3], Ct));
        }

        return [.. content];
    }

    private static Task<string> AwsAsync(string aws, TempDirectory work, string endpoint, params string[] arguments) =>
        AwsAsync(aws, work, endpoint, null, arguments);

    private static async Task<string> AwsAsync(string aws, TempDirectory work, string endpoint, Dictionary<string, string?>? overrides, params string[] arguments)
    {
        var environment = KinesisClients.Environment();

        // Debian's AWS CLI carries an older Firehose model (IntervalInSeconds at least 60; Firehose
        // and the current model accept 0 to 900): client-side validation off, so 1 s can be sent.
        var config = Path.Combine(work.Path, "firehose-config");
        if (!File.Exists(config))
        {
            await File.WriteAllTextAsync(config, "[default]\nparameter_validation = false\n", Ct);
        }

        environment["AWS_CONFIG_FILE"] = config;
        foreach (var (key, value) in overrides ?? [])
        {
            environment[key] = value;
        }

        var result = await ExternalProcess.RunAsync(
            aws,
            ["--endpoint-url", endpoint, "--output", "json", .. arguments],
            environment: environment,
            workingDirectory: work.Path,
            timeout: TimeSpan.FromMinutes(1),
            cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', arguments)}: {result}");
        return result.StandardOutput;
    }

    private static string Script(string name) => Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "firehose", name);

    private void RequireFixture()
    {
        if (fixture.SkipReason is { } reason)
        {
            Prerequisite.Missing(reason);
        }
    }

    private static T Missing<T>(string reason)
    {
        Prerequisite.Missing(reason);
        return default!;
    }
}
