using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// One access policy on both front doors (issue 8): with <c>--auth Verify</c>, a gRPC call needs the
/// same keys as the Kinesis door (bearer credentials in the <c>authorization</c> metadata), and a
/// key's permissions hold on both doors (AccessDeniedException).
/// </summary>
public sealed class AccessPolicyScenarioTests(VerifyingGatewayProcessFixture fixture) : IClassFixture<VerifyingGatewayProcessFixture>
{
    private const string Service = "/kafkakinesisbridge.streams.v1.KinesisStreams/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Boto3_RestrictedKey_AccessDeniedOutsideItsPermissions()
    {
        var report = await KinesisClients.RunBoto3Async(
            fixture,
            GatewayHost.NewStreamName(VerifyingGatewayProcessFixture.RestrictedStreamPrefix + "boto3"),
            "--scenario", "permissions",
            "--access-key", VerifyingGatewayProcessFixture.AccessKeyId,
            "--secret-key", fixture.SecretAccessKey,
            "--restricted-key", VerifyingGatewayProcessFixture.RestrictedAccessKeyId,
            "--restricted-secret", fixture.RestrictedSecretAccessKey,
            "--other-stream", GatewayHost.NewStreamName("other"));

        report.AssertPassed([
            "permissions_create_streams", "permissions_allowed_put_get", "permissions_put_other_stream_denied",
            "permissions_delete_denied", "permissions_list_streams_filtered", "permissions_admin_delete_streams"]);
        Assert.Equal("AccessDeniedException", report.Detail("permissions_put_other_stream_denied", "code").GetString());
        Assert.Contains(
            $"User: {VerifyingGatewayProcessFixture.RestrictedAccessKeyId} is not authorized to perform: kinesis:DeleteStream",
            report.Detail("permissions_delete_denied", "message").GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boto3Firehose_RestrictedKey_AccessDeniedOutsideItsPermissions()
    {
        var python = await KinesisClients.PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
            return;
        }

        var result = await ExternalProcess.RunAsync(
            python,
            [
                Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "firehose", "access_policy_boto3.py"),
                "--endpoint", fixture.Endpoint,
                "--admin-key", VerifyingGatewayProcessFixture.AccessKeyId, "--admin-secret", fixture.SecretAccessKey,
                "--restricted-key", VerifyingGatewayProcessFixture.RestrictedAccessKeyId, "--restricted-secret", fixture.RestrictedSecretAccessKey,
                "--prefix", VerifyingGatewayProcessFixture.RestrictedStreamPrefix,
            ],
            environment: KinesisClients.Environment(),
            timeout: TimeSpan.FromMinutes(2),
            cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result + "\n--- gateway ---\n" + fixture.Gateway.Output);
        Assert.Contains("\"ok\": true", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "MissingAuthenticationTokenException")]
    [InlineData("Basic abc", "IncompleteSignatureException")]
    [InlineData("Bearer AKIAKKBINTEROP000001:wrong-secret", "UnrecognizedClientException")]
    [InlineData("Bearer AKIANOSUCHKEY0000000:wrong-secret", "UnrecognizedClientException")]
    public async Task Grpc_WithoutValidCredentials_Unauthenticated(string? authorization, string errorName)
    {
        var (status, type, message) = await CallGrpcAsync(Service + "ListStreams", [], authorization);
        Assert.Equal("16", status);
        Assert.Equal(errorName, type);
        Assert.False(string.IsNullOrEmpty(message));
    }

    [Fact]
    public async Task GrpcHealth_WithoutCredentials_ServingWhileOtherServicesRefuse()
    {
        // grpc.health.v1.Health/Check with an empty HealthCheckRequest: probes cannot send credentials,
        // and health tells no more than the open GET /ready. Reflection stays behind authentication.
        var (healthStatus, _, _) = await CallGrpcAsync("/grpc.health.v1.Health/Check", [], authorization: null);
        var (reflectionStatus, reflectionType, _) = await CallGrpcAsync("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", [], authorization: null);

        Assert.Equal("0", healthStatus);
        Assert.Equal("16", reflectionStatus);
        Assert.Equal("MissingAuthenticationTokenException", reflectionType);
    }

    [Fact]
    public async Task Metrics_LoopbackScrapeWithAuthenticationOn_Served()
    {
        // Remote scrapers get 404 while authentication is on (Metrics:AllowRemoteScrape); this test
        // can only reach the gateway over loopback, which is served.
        using var client = new HttpClient();
        using var response = await client.GetAsync(new Uri(fixture.Gateway.Address, "/metrics"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Grpc_ValidBearer_AllowedAndPermissionsApplied()
    {
        var admin = $"Bearer {VerifyingGatewayProcessFixture.AccessKeyId}:{fixture.SecretAccessKey}";
        var restricted = $"Bearer {VerifyingGatewayProcessFixture.RestrictedAccessKeyId}:{fixture.RestrictedSecretAccessKey}";
        Assert.Equal("0", (await CallGrpcAsync(Service + "ListStreams", [], admin)).Status);
        Assert.Equal("0", (await CallGrpcAsync(Service + "ListStreams", [], restricted)).Status);

        // DescribeStreamSummary of a stream outside the restricted key's pattern: refused before the
        // stream is looked up (it does not exist), PERMISSION_DENIED with the Kinesis error name.
        var (status, type, message) = await CallGrpcAsync(Service + "DescribeStreamSummary", StringField(1, "not-perm-stream"), restricted);
        Assert.Equal("7", status);
        Assert.Equal("AccessDeniedException", type);
        Assert.Contains("kinesis:DescribeStreamSummary", message, StringComparison.Ordinal);

        // The full-access key gets the core's own answer for the same call.
        Assert.Equal("ResourceNotFoundException", (await CallGrpcAsync(Service + "DescribeStreamSummary", StringField(1, "not-perm-stream"), admin)).Type);
    }

    [Fact]
    public async Task Grpcio_BearerMetadata_AuthenticatedAndPermissionsApplied()
    {
        var python = await FindPythonWithGrpcAsync();
        if (python is null || ExternalProcess.Find("protoc") is null)
        {
            Prerequisite.Missing("python3 with grpc and google.protobuf (Debian python3-grpcio, python3-protobuf) and protoc (protobuf-compiler)");
            return;
        }

        var result = await ExternalProcess.RunAsync(
            python,
            [
                Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "grpc-gateway", "kinesis_grpc_auth.py"),
                fixture.Gateway.Address.Authority,
                VerifyingGatewayProcessFixture.AccessKeyId,
                fixture.SecretAccessKey,
                VerifyingGatewayProcessFixture.RestrictedAccessKeyId,
                fixture.RestrictedSecretAccessKey,
                "not-perm-stream",
            ],
            environment: new Dictionary<string, string?> { ["PYTHONIOENCODING"] = "utf-8", ["PYTHONDONTWRITEBYTECODE"] = "1" },
            timeout: TimeSpan.FromMinutes(1),
            cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("UnrecognizedClientException", report.RootElement.GetProperty("wrong_secret").GetProperty("kinesis_error_type").GetString());
        Assert.Equal("PERMISSION_DENIED", report.RootElement.GetProperty("restricted_other_stream").GetProperty("code").GetString());
    }

    private static async Task<string?> FindPythonWithGrpcAsync()
    {
        // Debian's python3-grpcio lives in the system interpreter; try /usr/bin/python3 first.
        foreach (var candidate in new[] { "/usr/bin/python3", ExternalProcess.Find("python3") })
        {
            if (candidate is not null && ExternalProcess.Find(candidate) is not null
                && (await ExternalProcess.RunAsync(candidate, ["-c", "import grpc, google.protobuf"], timeout: TimeSpan.FromSeconds(30))).ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>One unary gRPC call over h2c with HttpClient (gRPC PROTOCOL-HTTP2 framing by hand): status, kinesis-error-type, message.</summary>
    private async Task<(string? Status, string? Type, string? Message)> CallGrpcAsync(string path, byte[] message, string? authorization)
    {
        using var client = new HttpClient();
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Gateway.Address, path))
        {
            Content = new ByteArrayContent(frame),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _ = await response.Content.ReadAsByteArrayAsync(Ct);
        string? Get(string name) =>
            response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.First()
            : response.Headers.TryGetValues(name, out var header) ? header.First() : null;
        return (Get("grpc-status"), Get("kinesis-error-type"), Uri.UnescapeDataString(Get("grpc-message") ?? string.Empty));
    }

    private static byte[] StringField(int number, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return [(byte)(number << 3 | 2), (byte)bytes.Length, .. bytes];
    }
}
