using KafkaKinesisBridge.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace KafkaKinesisBridge.Gateway.Tests.Hosting;

/// <summary>
/// Where settings come from (README, "Configure"): appsettings.json, then environment variables
/// (KAFKA_BOOTSTRAP_SERVERS as an alias), then the command line with its short switches, each
/// overriding the one before. Built as the gateway builds it (WebApplication.CreateBuilder).
/// </summary>
public sealed class GatewayConfigurationTests
{
    // A key no other test reads, so setting it in this process's environment is harmless.
    private const string ProbeVariable = "KkbConfigurationTest__Probe";

    [Fact]
    public void Switches_EachSetsItsSetting()
    {
        var configuration = Build(
            [
                "--port", "5000", "--address", "0.0.0.0", "--data-dir", "/var/lib/kkb", "--fsync", "true", "--storage", "kafka",
                "--kafka-bootstrap-servers", "b1:9092,b2:9092", "--quotas", "false", "--auth", "Verify", "--log-format", "json",
                "--tls-certificate", "/etc/kkb/cert.pfx", "--tls-certificate-password", "secret", "--sink-only", "true",
            ],
            _ => null);

        Assert.Equal("5000", configuration["Gateway:Port"]);
        Assert.Equal("0.0.0.0", configuration["Gateway:Address"]);
        Assert.Equal("/var/lib/kkb", configuration["Storage:Embedded:DataDirectory"]);
        Assert.Equal("true", configuration["Storage:Embedded:FsyncOnAppend"]);
        Assert.Equal("kafka", configuration["Storage:Backend"]);
        Assert.Equal("b1:9092,b2:9092", configuration["Storage:Kafka:BootstrapServers"]);
        Assert.Equal("false", configuration["Kinesis:Quotas:Enabled"]);
        Assert.Equal("Verify", configuration["KinesisApi:AuthMode"]);
        Assert.Equal("json", configuration["Logging:Console:FormatterName"]);
        Assert.Equal("/etc/kkb/cert.pfx", configuration["Gateway:CertificatePath"]);
        Assert.Equal("secret", configuration["Gateway:CertificatePassword"]);
        Assert.Equal("true", configuration["Firehose:Sink:SinkOnly"]);
    }

    [Fact]
    public void Defaults_ComeFromAppsettings()
    {
        var configuration = Build([], _ => null);

        // src/KafkaKinesisBridge.Gateway/appsettings.json: the gateway's defaults.
        Assert.Equal("4567", configuration["Gateway:Port"]);
        Assert.Equal("embedded", configuration["Storage:Backend"]);
    }

    [Fact]
    public void CommandLine_OverridesEnvironment_WhichOverridesAppsettings()
    {
        Environment.SetEnvironmentVariable(ProbeVariable, "from-environment");
        try
        {
            Assert.Equal("from-environment", Build([], _ => null)["KkbConfigurationTest:Probe"]);
            Assert.Equal("from-command-line", Build(["--KkbConfigurationTest:Probe=from-command-line"], _ => null)["KkbConfigurationTest:Probe"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ProbeVariable, null);
        }

        Assert.Equal("8080", Build(["--Gateway:Port=8080"], _ => null)["Gateway:Port"]);
    }

    [Fact]
    public void KafkaBootstrapServersAlias_SetsBrokersUnlessTheSettingIsGivenExplicitly()
    {
        string? Alias(string name) => name == "KAFKA_BOOTSTRAP_SERVERS" ? "alias:9092" : null;

        Assert.Equal("alias:9092", Build([], Alias)["Storage:Kafka:BootstrapServers"]);
        Assert.Equal("switch:9092", Build(["--kafka-bootstrap-servers", "switch:9092"], Alias)["Storage:Kafka:BootstrapServers"]);
    }

    private static IConfiguration Build(string[] args, Func<string, string?> environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = GatewayDirectory(),
        });
        builder.Configuration.AddGatewaySources(args, environment);
        return builder.Configuration;
    }

    /// <summary>Where the gateway's appsettings.json is copied with its build output.</summary>
    private static string GatewayDirectory() =>
        Path.GetDirectoryName(Infrastructure.GatewayProcess.FindGatewayAssembly() ?? typeof(GatewayApplication).Assembly.Location)!;
}
