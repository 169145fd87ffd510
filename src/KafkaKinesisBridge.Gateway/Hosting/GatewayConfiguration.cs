using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// Where the gateway's settings come from, in increasing precedence: appsettings.json,
/// appsettings.{Environment}.json, environment variables (<c>Section__Key</c>, plus the conventional
/// <c>KAFKA_BOOTSTRAP_SERVERS</c>), then the command line (<c>--Section:Key=value</c> or the short
/// switches below).
/// </summary>
public static class GatewayConfiguration
{
    /// <summary>Short command-line switches and the configuration keys they set.</summary>
    public static IReadOnlyDictionary<string, string> Switches { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--port"] = "Gateway:Port",
        ["--address"] = "Gateway:Address",
        ["--tls-certificate"] = "Gateway:CertificatePath",
        ["--tls-certificate-password"] = "Gateway:CertificatePassword",
        ["--data-dir"] = "Storage:Embedded:DataDirectory",
        ["--fsync"] = "Storage:Embedded:FsyncOnAppend",
        ["--storage"] = "Storage:Backend",
        ["--kafka-bootstrap-servers"] = "Storage:Kafka:BootstrapServers",
        ["--quotas"] = "Kinesis:Quotas:Enabled",
        ["--auth"] = "KinesisApi:AuthMode",
        ["--log-format"] = "Logging:Console:FormatterName",
        // Firehose sink worker: this process only delivers delivery streams (SinkOptions.SinkOnly).
        ["--sink-only"] = "Firehose:Sink:SinkOnly",
    };

    /// <summary>Environment variables read under a conventional name, and the keys they set.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = "Storage:Kafka:BootstrapServers",
    };

    /// <summary>Adds the aliases and the command line (with <see cref="Switches"/>) to <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The builder's configuration, with its default sources (JSON files, environment variables).</param>
    /// <param name="args">The command line.</param>
    /// <param name="environment">Reads an environment variable for the aliases (default: the process environment).</param>
    public static void AddGatewaySources(this IConfigurationManager configuration, string[] args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var aliases = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in EnvironmentAliases)
        {
            if (environment(variable) is { Length: > 0 } value)
            {
                aliases[key] = value;
            }
        }

        // Configuration sources added later win. The aliases go just before the unprefixed
        // environment variables, so an explicit Section__Key variable (and the command line, re-added
        // last with the switch mappings) overrides them.
        var sources = configuration.Sources;
        var commandLine = sources.OfType<CommandLineConfigurationSource>().ToList();
        foreach (var source in commandLine)
        {
            sources.Remove(source);
        }

        var environmentIndex = sources
            .Select((source, index) => (source, index))
            .LastOrDefault(p => p.source is EnvironmentVariablesConfigurationSource { Prefix: null or "" }).index;
        var aliasSource = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = aliases };
        sources.Insert(Math.Max(environmentIndex, 0), aliasSource);

        configuration.AddCommandLine(args, Switches.ToDictionary(kv => kv.Key, kv => kv.Value));
    }
}
