using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The gateway process with a certificate (<c>--tls-certificate</c>): one TLS port for the Kinesis API
/// over HTTP/1.1 and HTTP/2 (ALPN) and for gRPC. The certificate is issued by a test CA the clients
/// are told to trust, so they verify it as they would in production.
/// </summary>
public sealed class TlsGatewayProcessFixture : KinesisGatewayProcessFixture
{
    private readonly TempDirectory _certificates = new("kkb-tls");

    /// <summary>PEM of the test CA, for clients (boto3 verify=, NODE_EXTRA_CA_CERTS).</summary>
    public string CaPemPath => Path.Combine(_certificates.Path, "ca.pem");

    /// <summary>The test CA.</summary>
    public X509Certificate2 Ca { get; private set; } = null!;

    private string PfxPath => Path.Combine(_certificates.Path, "gateway.pfx");

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments => ["--tls-certificate", PfxPath, "--tls-certificate-password", "test-password"];

    /// <inheritdoc />
    public override async ValueTask InitializeAsync()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=KafkaKinesisBridge test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(7));

        using var leafKey = RSA.Create(2048);
        var leafRequest = new CertificateRequest("CN=127.0.0.1", leafKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        using var leaf = leafRequest.Create(Ca, now.AddDays(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(16));
        using var leafWithKey = leaf.CopyWithPrivateKey(leafKey);

        await File.WriteAllBytesAsync(PfxPath, leafWithKey.Export(X509ContentType.Pfx, "test-password"), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(CaPemPath, Ca.ExportCertificatePem(), TestContext.Current.CancellationToken);
        await base.InitializeAsync();
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Ca?.Dispose();
        _certificates.Dispose();
    }

    /// <summary>Accepts the gateway's certificate only if it chains to the test CA (and names the host).</summary>
    public bool Validate(X509Certificate2 certificate, SslPolicyErrors errors)
    {
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

/// <summary>Real clients against the gateway over TLS, each verifying the certificate.</summary>
public sealed class TlsScenarioTests(TlsGatewayProcessFixture fixture) : IClassFixture<TlsGatewayProcessFixture>
{
    [Fact]
    public void Endpoint_WithCertificate_IsHttps()
    {
        Assert.StartsWith("https://127.0.0.1:", fixture.Endpoint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Boto3_FullScenarioOverTls_EveryStepPasses()
    {
        var report = await KinesisClients.RunBoto3Async(fixture, GatewayHost.NewStreamName("tls-boto3"), "--ca-bundle", fixture.CaPemPath);

        report.AssertPassed(KinesisScenarioSteps.Common);
        KinesisScenarioSteps.AssertErrors(report);
    }

    [Fact]
    public async Task JsSdkDefaultHandler_FullScenarioOverTls_NegotiatesH2()
    {
        var report = await KinesisClientScenarioTests.RunJsAsync(
            fixture,
            "h2",
            "full",
            GatewayHost.NewStreamName("tls-js"),
            new Dictionary<string, string?> { ["NODE_EXTRA_CA_CERTS"] = fixture.CaPemPath });

        report.AssertPassed([.. KinesisScenarioSteps.Common, "transport"]);
        KinesisScenarioSteps.AssertErrors(report);
        Assert.Equal(["h2"], report.Detail("transport", "alpn").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Grpc_OverTls_PutAndGetRecords()
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            certificate is X509Certificate2 x509 && fixture.Validate(x509, errors);
        using var channel = KinesisStreamsClient.CreateChannel(new Uri(fixture.Endpoint), handler);
        var kinesis = new KinesisStreamsClient(channel);
        var name = GatewayHost.NewStreamName("tls-grpc");

        await kinesis.CreateStreamAsync(name, 1);
        var put = await kinesis.PutRecordsAsync(new PutRecordsRequest
        {
            StreamName = name,
            Records = { new PutRecordsRequestEntry { PartitionKey = "k", Data = ByteString.CopyFromUtf8("over tls") } },
        });
        var iterator = await kinesis.GetShardIteratorAsync(name, "shardId-000000000000", ShardIteratorType.TrimHorizon);
        var records = await kinesis.GetRecordsAsync(new GetRecordsRequest { ShardIterator = iterator });

        Assert.Equal(0, put.FailedRecordCount);
        Assert.Equal("over tls", Assert.Single(records.Records).Data.ToStringUtf8());
    }

    [Fact]
    public async Task UntrustedClient_RefusesTheCertificate()
    {
        // Without the test CA a client must not get through: the certificate is really checked.
        using var client = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(fixture.Endpoint + "/health"), TestContext.Current.CancellationToken));
    }
}
