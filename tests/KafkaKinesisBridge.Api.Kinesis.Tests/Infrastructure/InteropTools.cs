using System.Text.Json;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;

/// <summary>Finds and runs the independent clients used by interoperability tests (tests/interop/kinesis).</summary>
public static class InteropTools
{
    private static readonly Lazy<string?> PythonWithBoto3 = new(() => FindPython());

    /// <summary>The AWS CLI: v2 from Debian (/usr/bin/aws) when present, else whatever is on PATH.</summary>
    public static string? AwsCli => File.Exists("/usr/bin/aws") ? "/usr/bin/aws" : ExternalProcess.Find("aws");

    /// <summary>A python3 that can import boto3 (Debian's /usr/bin/python3 first).</summary>
    public static string? Python => PythonWithBoto3.Value;

    /// <summary>node, when the npm packages of tests/interop are installed.</summary>
    public static string? Node =>
        Directory.Exists(Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules", "@aws-sdk", "client-kinesis"))
            ? ExternalProcess.Find("node")
            : null;

    /// <summary>Environment for AWS clients: dummy credentials, no config files, no metadata service, no pager, no retries.</summary>
    public static Dictionary<string, string?> AwsEnvironment(string accessKey = "AKIDEXAMPLE", string secretKey = "dummy-secret") => new()
    {
        ["AWS_ACCESS_KEY_ID"] = accessKey,
        ["AWS_SECRET_ACCESS_KEY"] = secretKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_PAGER"] = string.Empty,
        ["AWS_MAX_ATTEMPTS"] = "1",
        ["AWS_RETRY_MODE"] = "standard",
    };

    /// <summary>Path of a script in tests/interop/kinesis.</summary>
    public static string Script(string name) => Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "kinesis", name);

    /// <summary>Runs a python script with one JSON argument and parses its JSON output.</summary>
    public static async Task<JsonElement> RunPythonAsync(string script, object argument, CancellationToken cancellationToken) =>
        await RunJsonAsync(Python!, [Script(script), JsonSerializer.Serialize(argument)], cancellationToken);

    /// <summary>Runs a node script with arguments and parses its JSON output.</summary>
    public static async Task<JsonElement> RunNodeAsync(string script, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        await RunJsonAsync(Node!, [Script(script), .. arguments], cancellationToken);

    /// <summary>Runs a program and parses its standard output as JSON (fails with its output otherwise).</summary>
    public static async Task<JsonElement> RunJsonAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await ExternalProcess.RunAsync(program, arguments, AwsEnvironment(), timeout: TimeSpan.FromSeconds(60), cancellationToken: cancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
        try
        {
            using var document = JsonDocument.Parse(result.StandardOutput);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Not JSON: {result}", e);
        }
    }

    private static string? FindPython()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", ExternalProcess.Find("python3") })
        {
            if (candidate is null || !File.Exists(candidate))
            {
                continue;
            }

            var probe = ExternalProcess.RunAsync(candidate, ["-c", "import boto3, botocore.eventstream"], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (probe.ExitCode == 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
