using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// The steps every client scenario runs against the gateway (tests/interop/kinesis:
/// scenario_common.py for boto3 and the AWS CLI, scenario_js.cjs for the JavaScript SDK), written
/// from the Kinesis API reference: create a 2-shard stream, wait with the SDK's waiter, describe it
/// four ways, put single (hash-key routing, ExplicitHashKey) and batched records (binary data,
/// non-ASCII and 256-character keys, a KPL aggregated record), read them with TRIM_HORIZON,
/// AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, LATEST and AT_TIMESTAMP (data, keys, order, sequence
/// numbers), four error cases, tags, retention, delete and wait until gone.
/// </summary>
internal static class KinesisScenarioSteps
{
    public static readonly string[] Common =
    [
        "create_stream",
        "wait_stream_exists",
        "describe_stream",
        "describe_stream_summary",
        "list_shards",
        "list_streams",
        "put_record",
        "put_record_explicit_hash_key",
        "put_records",
        "get_trim_horizon",
        "kpl_aggregate_roundtrip",
        "get_at_sequence_number",
        "get_after_sequence_number",
        "get_latest",
        "get_at_timestamp",
        "error_unknown_stream",
        "error_oversized_record",
        "error_bad_iterator",
        "error_batch_too_large",
        "tags_round_trip",
        "retention_increase",
        "delete_stream",
        "wait_stream_not_exists",
    ];

    /// <summary>
    /// The error cases as the client surfaced them (the scripts check them too; restated here so the
    /// contract is visible in the test): the Kinesis error type of each, HTTP 400, and for the
    /// 501-record batch, which no client rejects before sending, the gateway's request id.
    /// </summary>
    public static void AssertErrors(ScenarioReport report, bool statusKnown = true)
    {
        AssertError(report, "ResourceNotFoundException", statusKnown, "error_unknown_stream", "describe_stream_summary");
        AssertError(report, "ResourceNotFoundException", statusKnown, "error_unknown_stream", "put_record");
        AssertError(report, "ValidationException", statusKnown: false, "error_oversized_record", "put_record");
        AssertError(report, "ValidationException", statusKnown: false, "error_oversized_record", "put_records");
        AssertError(report, "InvalidArgumentException", statusKnown, "error_bad_iterator", "get_records");
        AssertError(report, "ValidationException", statusKnown, "error_batch_too_large", "put_records");
        Assert.False(string.IsNullOrEmpty(report.Detail("error_batch_too_large", "put_records", "request_id").GetString()));
        Assert.Contains("Member must have length less than or equal to 500", report.Detail("error_batch_too_large", "put_records", "message").GetString(), StringComparison.Ordinal);
    }

    private static void AssertError(ScenarioReport report, string code, bool statusKnown, string step, string call)
    {
        Assert.Equal(code, report.Detail(step, call, "code").GetString());
        if (statusKnown)
        {
            Assert.Equal(400, report.Detail(step, call, "status").GetInt32());
        }
    }
}

/// <summary>
/// boto3 and the AWS SDK for JavaScript v3 (both request handlers) run the whole Kinesis scenario
/// against the real gateway process.
/// </summary>
public sealed class KinesisClientScenarioTests(AcceptAnyGatewayProcessFixture fixture) : IClassFixture<AcceptAnyGatewayProcessFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Boto3_FullScenario_EveryStepPasses()
    {
        var report = await KinesisClients.RunBoto3Async(fixture, GatewayHost.NewStreamName("boto3"));

        report.AssertPassed(KinesisScenarioSteps.Common);
        KinesisScenarioSteps.AssertErrors(report);
    }

    [Fact]
    public async Task JsSdkDefaultHandler_FullScenario_EveryStepPassesOverH2c()
    {
        var report = await RunJsAsync(fixture, "h2", "full", GatewayHost.NewStreamName("js-h2"));

        report.AssertPassed([.. KinesisScenarioSteps.Common, "transport"]);
        KinesisScenarioSteps.AssertErrors(report);
        // The default handler really spoke cleartext HTTP/2 with prior knowledge.
        Assert.True(report.Detail("transport", "http2_sessions").GetInt32() > 0);
        Assert.Equal(["h2c"], report.Detail("transport", "alpn").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(0, report.Detail("transport", "http1_requests").GetInt32());
    }

    [Fact]
    public async Task JsSdkHttp1Handler_FullScenario_EveryStepPasses()
    {
        var report = await RunJsAsync(fixture, "http1", "full", GatewayHost.NewStreamName("js-h1"));

        report.AssertPassed([.. KinesisScenarioSteps.Common, "transport"]);
        KinesisScenarioSteps.AssertErrors(report);
        Assert.True(report.Detail("transport", "http1_requests").GetInt32() > 0);
        Assert.Equal(0, report.Detail("transport", "http2_sessions").GetInt32());
    }

    /// <summary>Runs scenario_js.cjs; skips the test when node or the npm packages are missing.</summary>
    internal static Task<ScenarioReport> RunJsAsync(KinesisGatewayProcessFixture gateway, string handler, string scenario, string stream, params string[] extra) =>
        RunJsAsync(gateway, handler, scenario, stream, environment: null, extra);

    /// <summary>As above, with extra environment variables for node (for example NODE_EXTRA_CA_CERTS).</summary>
    internal static async Task<ScenarioReport> RunJsAsync(
        KinesisGatewayProcessFixture gateway,
        string handler,
        string scenario,
        string stream,
        IReadOnlyDictionary<string, string?>? environment,
        params string[] extra)
    {
        var (node, skip) = KinesisClients.FindNode();
        if (node is null)
        {
            Prerequisite.Missing(skip!);
        }

        return await KinesisClients.RunAsync(
            gateway,
            node!,
            [Path.Combine(KinesisClients.ScriptsDirectory, "scenario_js.cjs"), "--endpoint", gateway.Endpoint, "--stream", stream, "--handler", handler, "--scenario", scenario, .. extra],
            Timeout,
            environment);
    }
}

/// <summary>
/// The AWS CLI v2 runs the whole Kinesis scenario against the real gateway process, every call a
/// real <c>aws kinesis</c> invocation (flags, <c>fileb://</c>, <c>--cli-input-json</c>,
/// <c>aws kinesis wait</c>); then boto3 reads what the CLI wrote. Its own class (and gateway) so it
/// runs alongside the other clients: each CLI process costs most of a second.
/// </summary>
public sealed class AwsCliScenarioTests(AcceptAnyGatewayProcessFixture fixture) : IClassFixture<AcceptAnyGatewayProcessFixture>
{
    [Fact]
    public async Task AwsCli_FullScenario_EveryStepPasses()
    {
        if (KinesisClients.Aws is not { } aws)
        {
            Prerequisite.Missing("the AWS CLI is not installed (Debian awscli; run `make deps`)");
            return;
        }

        // The script drives the CLI and needs only python3; with boto3 importable it also cross-reads.
        var boto3Python = await KinesisClients.PythonWithBoto3Async();
        var python = boto3Python ?? ExternalProcess.Find("/usr/bin/python3") ?? ExternalProcess.Find("python3");
        if (python is null)
        {
            Prerequisite.Missing("python3 is not installed");
            return;
        }

        var report = await KinesisClients.RunAsync(
            fixture,
            python,
            [Path.Combine(KinesisClients.ScriptsDirectory, "scenario_cli.py"), "--endpoint", fixture.Endpoint, "--stream", GatewayHost.NewStreamName("cli"), "--aws", aws],
            TimeSpan.FromMinutes(4));

        string[] expected = boto3Python is null ? [.. KinesisScenarioSteps.Common, "cli_invocations"] : [.. KinesisScenarioSteps.Common, "cross_read_boto3", "cli_invocations"];
        report.AssertPassed(expected);
        KinesisScenarioSteps.AssertErrors(report, statusKnown: true);
        Assert.True(report.Detail("cli_invocations", "aws_processes").GetInt32() >= expected.Length, "the CLI was not run for every step");
    }
}
