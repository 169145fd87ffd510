using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// Enhanced fan-out with real, independent clients against the real gateway process: the AWS SDK for
/// JavaScript v3 (SubscribeToShardCommand, async iteration of the event stream over its default
/// HTTP/2 handler, and over HTTP/1.1), boto3 (<c>subscribe_to_shard</c>, its EventStream read from a
/// chunked HTTP/1.1 response) and the AWS CLI (consumer registration; it has no subscribe-to-shard).
/// Each registers consumers, subscribes, receives what the other SDK puts from its own process,
/// resubscribes with the ContinuationSequenceNumber (also on a shard that delivered nothing yet),
/// reads from TRIM_HORIZON, AT_SEQUENCE_NUMBER and AT_TIMESTAMP, checks the errors, and follows a
/// split into the child shards when the gateway supports SplitShard
/// (tests/interop/kinesis/subscribe_js.cjs and subscribe_boto3.py).
/// </summary>
public sealed class SubscribeToShardScenarioTests(AcceptAnyGatewayProcessFixture fixture) : IClassFixture<AcceptAnyGatewayProcessFixture>
{
    /// <summary>The steps both scripts run.</summary>
    internal static readonly string[] Steps =
    [
        "create_stream",
        "register_consumers",
        "subscribe_receives_put",
        "resubscribe_with_continuation",
        "continuation_on_empty_shard",
        "subscribe_trim_horizon",
        "subscribe_at_sequence_number",
        "subscribe_at_timestamp",
        "error_unknown_consumer",
        "error_second_subscription",
        "follow_split",
        "deregister_consumers",
        "delete_stream",
    ];

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task JsSdkDefaultHandler_SubscribeToShard_EveryStepPassesOverH2c()
    {
        var report = await RunJsAsync("h2", GatewayHost.NewStreamName("efo-js-h2"));

        report.AssertPassed([.. Steps, "transport"]);
        Assert.True(report.Detail("transport", "http2_sessions").GetInt32() > 0);
        Assert.Equal(0, report.Detail("transport", "http1_requests").GetInt32());
        Assert.Equal("ResourceNotFoundException", report.Detail("error_unknown_consumer", "code").GetString());
    }

    [Fact]
    public async Task JsSdkHttp1Handler_SubscribeToShard_EveryStepPasses()
    {
        var report = await RunJsAsync("http1", GatewayHost.NewStreamName("efo-js-h1"));

        report.AssertPassed([.. Steps, "transport"]);
        Assert.Equal(0, report.Detail("transport", "http2_sessions").GetInt32());
        Assert.True(report.Detail("transport", "http1_requests").GetInt32() > 0);
    }

    [Fact]
    public async Task Boto3_SubscribeToShard_EveryStepPasses()
    {
        var report = await RunBoto3Async(GatewayHost.NewStreamName("efo-boto3"));

        report.AssertPassed(Steps);
        Assert.Equal("ResourceNotFoundException", report.Detail("error_unknown_consumer", "code").GetString());
        Assert.Equal(400, report.Detail("error_unknown_consumer", "status").GetInt32());
    }

    [Fact]
    public async Task AwsCliConsumersBoto3Subscription_EveryStepPasses()
    {
        if (KinesisClients.Aws is not { } aws)
        {
            Prerequisite.Missing("the AWS CLI is not installed (Debian awscli; run `make deps`)");
            return;
        }

        var report = await RunBoto3Async(GatewayHost.NewStreamName("efo-cli"), "--consumers-with-cli", aws);

        report.AssertPassed(Steps);
        Assert.True(report.Detail("register_consumers", "with_cli").GetBoolean());
    }

    private async Task<ScenarioReport> RunJsAsync(string handler, string stream)
    {
        var (node, skip) = KinesisClients.FindNode();
        if (node is null)
        {
            Prerequisite.Missing(skip!);
        }

        // The other client that puts: boto3 in its own process.
        var python = await KinesisClients.PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
        }

        return await KinesisClients.RunAsync(
            fixture,
            node!,
            [Path.Combine(KinesisClients.ScriptsDirectory, "subscribe_js.cjs"), "--endpoint", fixture.Endpoint, "--stream", stream, "--handler", handler, "--python", python!],
            Timeout);
    }

    private async Task<ScenarioReport> RunBoto3Async(string stream, params string[] extra)
    {
        var python = await KinesisClients.PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
        }

        // The other client that puts: the AWS SDK for JavaScript v3 in its own process.
        var (node, skip) = KinesisClients.FindNode();
        if (node is null)
        {
            Prerequisite.Missing(skip!);
        }

        return await KinesisClients.RunAsync(
            fixture,
            python!,
            [Path.Combine(KinesisClients.ScriptsDirectory, "subscribe_boto3.py"), "--endpoint", fixture.Endpoint, "--stream", stream, "--node", node!, .. extra],
            Timeout);
    }
}
