using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The gateway verifying SigV4 against a configured key (<c>--auth Verify</c>,
/// <c>KinesisApi:Credentials</c>): real clients signing with that key work end to end (create, put,
/// get, delete), and the errors Kinesis gives reach them for a wrong secret
/// (InvalidSignatureException, "The request signature we calculated does not match…") and an
/// unknown access key id (UnrecognizedClientException).
/// </summary>
public sealed class KinesisAuthScenarioTests(VerifyingGatewayProcessFixture fixture) : IClassFixture<VerifyingGatewayProcessFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Boto3_VerifyingGateway_RightKeyWorksAndWrongSecretIsRejected()
    {
        var report = await KinesisClients.RunBoto3Async(
            fixture,
            GatewayHost.NewStreamName("auth-boto3"),
            "--scenario", "auth", "--access-key", VerifyingGatewayProcessFixture.AccessKeyId, "--secret-key", fixture.SecretAccessKey);

        report.AssertPassed(["auth_valid_key_create_stream", "auth_valid_key_put_get", "auth_wrong_secret_rejected", "auth_unknown_key_rejected", "auth_valid_key_delete_stream"]);
        foreach (var call in new[] { "list_streams", "put_record" })
        {
            Assert.Equal("InvalidSignatureException", report.Detail("auth_wrong_secret_rejected", call, "code").GetString());
            Assert.Equal(400, report.Detail("auth_wrong_secret_rejected", call, "status").GetInt32());
            Assert.Equal("UnrecognizedClientException", report.Detail("auth_unknown_key_rejected", call, "code").GetString());
        }
    }

    [Fact]
    public async Task JsSdkDefaultHandler_VerifyingGateway_SignatureOverH2cVerifies()
    {
        // Over HTTP/2 the SDK signs a host header that travels as :authority: the verifier must
        // canonicalize it the same way.
        var report = await KinesisClientScenarioTests.RunJsAsync(
            fixture,
            "h2",
            "auth",
            GatewayHost.NewStreamName("auth-js"),
            "--access-key",
            VerifyingGatewayProcessFixture.AccessKeyId,
            "--secret-key",
            fixture.SecretAccessKey);

        report.AssertPassed(["auth_valid_key_create_stream", "auth_valid_key_put_get", "auth_wrong_secret_rejected", "auth_valid_key_delete_stream", "transport"]);
        Assert.Equal("InvalidSignatureException", report.Detail("auth_wrong_secret_rejected", "list_streams", "code").GetString());
        Assert.Equal(["h2c"], report.Detail("transport", "alpn").EnumerateArray().Select(p => p.GetString()));
    }
}
