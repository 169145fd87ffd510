using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The independent Kinesis clients on this machine and how to run the scenario scripts
/// (tests/interop/kinesis) with them: the AWS CLI v2 (Debian awscli), boto3 (Debian python3-boto3,
/// which pyenv's python3 lacks, hence /usr/bin/python3 first) and the AWS SDK for JavaScript v3
/// (npm, tests/interop/node_modules).
/// </summary>
internal static class KinesisClients
{
    /// <summary>The npm packages scenario_js.cjs loads.</summary>
    private static readonly string[] NodePackages = ["@aws-sdk/client-kinesis", "@smithy/node-http-handler"];

    private static readonly Lazy<Task<string?>> PythonWithBoto3Lazy = new(FindPythonWithBoto3Async);

    /// <summary>tests/interop/kinesis.</summary>
    public static string ScriptsDirectory => Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "kinesis");

    /// <summary>The AWS CLI: Debian's /usr/bin/aws, else the first on PATH.</summary>
    public static string? Aws => ExternalProcess.Find("/usr/bin/aws") ?? ExternalProcess.Find("aws");

    /// <summary>The first of /usr/bin/python3 and python3 that imports boto3, or null.</summary>
    public static Task<string?> PythonWithBoto3Async() => PythonWithBoto3Lazy.Value;

    /// <summary>Environment for every client: fake credentials, no user configuration, no pager, no .pyc files in the repository.</summary>
    public static Dictionary<string, string?> Environment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDINTEROPEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "interop-secret",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_PAGER"] = string.Empty,
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["PYTHONIOENCODING"] = "utf-8",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
    };

    /// <summary>node, or the reason the JavaScript scenario cannot run here.</summary>
    public static (string? Node, string? SkipReason) FindNode()
    {
        var node = ExternalProcess.Find("node");
        if (node is null)
        {
            return (null, "node is not installed");
        }

        var modules = Path.Combine(ExternalProcess.RepositoryRoot, "tests", "interop", "node_modules");
        foreach (var package in NodePackages)
        {
            if (!Directory.Exists(Path.Combine(modules, package)))
            {
                return (null, $"npm package {package} is not installed under tests/interop (run `make npm`)");
            }
        }

        return (node, null);
    }

    /// <summary>
    /// Runs scenario_boto3.py against <paramref name="gateway"/> with <paramref name="arguments"/> after
    /// --endpoint and --stream; skips (or under `make test` fails) when no python3 has boto3.
    /// </summary>
    public static async Task<ScenarioReport> RunBoto3Async(KinesisGatewayProcessFixture gateway, string stream, params string[] arguments)
    {
        var python = await PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
        }

        return await RunAsync(
            gateway,
            python,
            [Path.Combine(ScriptsDirectory, "scenario_boto3.py"), "--endpoint", gateway.Endpoint, "--stream", stream, .. arguments],
            TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs a scenario script against <paramref name="gateway"/> and parses its report.</summary>
    public static async Task<ScenarioReport> RunAsync(
        KinesisGatewayProcessFixture gateway,
        string program,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = Environment();
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var result = await ExternalProcess.RunAsync(
            program,
            arguments,
            environment: variables,
            workingDirectory: ScriptsDirectory,
            timeout: timeout,
            cancellationToken: TestContext.Current.CancellationToken);
        var report = ScenarioReport.Parse(result, gateway.Gateway.Output);
        TestContext.Current.TestOutputHelper?.WriteLine(report.Timings());
        return report;
    }

    private static async Task<string?> FindPythonWithBoto3Async()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            if (ExternalProcess.Find(candidate) is not { } python)
            {
                continue;
            }

            var probe = await ExternalProcess.RunAsync(python, ["-c", "import boto3"], environment: Environment(), timeout: TimeSpan.FromSeconds(30));
            if (probe.ExitCode == 0)
            {
                return python;
            }
        }

        return null;
    }
}
