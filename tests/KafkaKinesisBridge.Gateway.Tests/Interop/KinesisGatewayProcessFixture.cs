using System.Security.Cryptography;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The real gateway executable (<c>dotnet KafkaKinesisBridge.Gateway.dll</c>) as a child process on
/// the embedded log in a temporary directory, port 0 on 127.0.0.1, shared by the tests of a class:
/// the independent clients talk to it exactly as they would to a deployed gateway.
/// </summary>
public abstract class KinesisGatewayProcessFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new("kkb-kinesis-interop");
    private GatewayProcess? _gateway;

    /// <summary>The gateway process.</summary>
    public GatewayProcess Gateway => _gateway ?? throw new InvalidOperationException("The gateway is not started.");

    /// <summary>The endpoint URL clients are given (<c>http://127.0.0.1:port</c>, or https with a certificate).</summary>
    public string Endpoint => Gateway.Address.GetLeftPart(UriPartial.Authority);

    /// <summary>Command-line arguments after the test defaults.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync()
    {
        var assembly = GatewayProcess.FindGatewayAssembly()
            ?? throw new InvalidOperationException("KafkaKinesisBridge.Gateway.dll with its runtimeconfig was not found next to the tests or in the Gateway project's build output.");
        _gateway = await GatewayProcess.StartAsync(assembly, _data.Path, Arguments, TestContext.Current.CancellationToken);
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _data.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The gateway with its default authentication: any SigV4 signature is accepted (local development).</summary>
public sealed class AcceptAnyGatewayProcessFixture : KinesisGatewayProcessFixture;

/// <summary>
/// The gateway verifying SigV4 (<c>--auth Verify</c>) against two configured keys
/// (<c>KinesisApi:Credentials</c>): one with full access, one restricted by permissions; secrets
/// fresh for each run.
/// </summary>
public sealed class VerifyingGatewayProcessFixture : KinesisGatewayProcessFixture
{
    /// <summary>The access key id the gateway knows.</summary>
    public const string AccessKeyId = "AKIAKKBINTEROP000001";

    /// <summary>Its secret.</summary>
    public string SecretAccessKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <summary>A second key, allowed only to read and write streams named <see cref="RestrictedStreamPrefix"/>*.</summary>
    public const string RestrictedAccessKeyId = "AKIAKKBINTEROP000002";

    /// <summary>The streams <see cref="RestrictedAccessKeyId"/> may read and write.</summary>
    public const string RestrictedStreamPrefix = "perm-";

    /// <summary>The restricted key's secret.</summary>
    public string RestrictedSecretAccessKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments =>
    [
        "--auth", "Verify",
        $"--KinesisApi:Credentials:0:AccessKeyId={AccessKeyId}",
        $"--KinesisApi:Credentials:0:SecretAccessKey={SecretAccessKey}",
        $"--KinesisApi:Credentials:1:AccessKeyId={RestrictedAccessKeyId}",
        $"--KinesisApi:Credentials:1:SecretAccessKey={RestrictedSecretAccessKey}",
        $"--KinesisApi:Credentials:1:Permissions:0:Streams={RestrictedStreamPrefix}*",
        "--KinesisApi:Credentials:1:Permissions:0:Actions=read,write",
    ];
}
