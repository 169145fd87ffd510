using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Interop;

/// <summary>
/// Resharding with real clients (issue 9, item 6): boto3, the AWS CLI v2 and the AWS SDK for
/// JavaScript v3 each run tests/interop/kinesis/scenario_reshard*: SplitShard, MergeShards and
/// UpdateShardCount with records written between them under many partition keys, the Kinesis
/// refusals, UpdateStreamMode, and a read of every shard in lineage order that must return every
/// acknowledged record exactly once with each key's records in order.
/// </summary>
public sealed class ReshardClientScenarioTests(AcceptAnyGatewayProcessFixture fixture) : IClassFixture<AcceptAnyGatewayProcessFixture>
{
    internal static readonly string[] Steps =
    [
        "create_stream",
        "put_before",
        "split_shard",
        "put_after_split",
        "merge_shards",
        "put_after_merge",
        "update_shard_count",
        "put_after_update",
        "reshard_errors",
        "read_lineage",
        "update_stream_mode",
        "delete_stream",
    ];

    [Fact]
    public async Task Boto3_SplitMergeUpdateShardCount_ReadsEveryRecordOnceInKeyOrderAcrossTheLineage()
    {
        var python = await KinesisClients.PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
            return;
        }

        var report = await RunScriptAsync(fixture, python, "boto3", GatewayHost.NewStreamName("rs-boto3"), "reshard", TimeSpan.FromMinutes(2));

        report.AssertPassed(Steps);
        AssertLineage(report);
    }

    /// <summary>Every call is an `aws` process (about a second each, more on a loaded machine): the slowest client here.</summary>
    [Fact]
    public async Task AwsCli_SplitMergeUpdateShardCount_ReadsEveryRecordOnceInKeyOrderAcrossTheLineage()
    {
        if (KinesisClients.Aws is not { } aws)
        {
            Prerequisite.Missing("the AWS CLI is not installed (Debian awscli; run `make deps`)");
            return;
        }

        var python = ExternalProcess.Find("/usr/bin/python3") ?? ExternalProcess.Find("python3");
        if (python is null)
        {
            Prerequisite.Missing("python3 is not installed");
            return;
        }

        var report = await RunScriptAsync(fixture, python, "cli", GatewayHost.NewStreamName("rs-cli"), "reshard", TimeSpan.FromMinutes(10), "--aws", aws);

        report.AssertPassed([.. Steps, "cli_invocations"]);
        AssertLineage(report);
    }

    [Fact]
    public async Task JsSdk_SplitMergeUpdateShardCount_ReadsEveryRecordOnceInKeyOrderAcrossTheLineage()
    {
        var (node, skip) = KinesisClients.FindNode();
        if (node is null)
        {
            Prerequisite.Missing(skip!);
            return;
        }

        var report = await KinesisClients.RunAsync(
            fixture,
            node,
            [Path.Combine(KinesisClients.ScriptsDirectory, "scenario_reshard_js.cjs"), "--endpoint", fixture.Endpoint, "--stream", GatewayHost.NewStreamName("rs-js")],
            TimeSpan.FromMinutes(2));

        report.AssertPassed(Steps);
        AssertLineage(report);
    }

    /// <summary>Runs scenario_reshard.py with one client backend.</summary>
    internal static Task<ScenarioReport> RunScriptAsync(
        KinesisGatewayProcessFixture gateway,
        string python,
        string client,
        string stream,
        string scenario,
        TimeSpan timeout,
        params string[] extra) =>
        KinesisClients.RunAsync(
            gateway,
            python,
            [Path.Combine(KinesisClients.ScriptsDirectory, "scenario_reshard.py"), "--endpoint", gateway.Endpoint, "--stream", stream, "--client", client, "--scenario", scenario, .. extra],
            timeout);

    private static void AssertLineage(ScenarioReport report)
    {
        // 64 keys, 2 records each, written in four rounds.
        Assert.Equal(64 * 2 * 4, report.Detail("read_lineage", "records").GetInt32());
        Assert.Equal(64, report.Detail("read_lineage", "keys").GetInt32());
        var order = report.Detail("read_lineage", "shards_read").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.True(order.IndexOf("shardId-000000000000") < order.IndexOf(report.Detail("split_shard", "children")[0].GetString()), "a parent was read after its child");
        Assert.Equal("LimitExceededException", report.Detail("update_stream_mode", "third_switch", "code").GetString());
    }
}

/// <summary>
/// A gateway whose ON_DEMAND streams scale within seconds: 50 records/s per shard, hot after 1 s above
/// 75% of it, sampled every 200 ms.
/// </summary>
public sealed class FastOnDemandGatewayProcessFixture : KinesisGatewayProcessFixture
{
    /// <summary>The per-shard write limit configured (records per second).</summary>
    public const int RecordsPerSecond = 50;

    /// <inheritdoc />
    protected override IEnumerable<string> Arguments =>
    [
        // The scaler measures write demand through the per-shard quota layer, which the test gateway turns off by default.
        "--quotas", "true",
        "--Logging:LogLevel:KafkaKinesisBridge.Core.Streams.OnDemand=Information",
        $"--Kinesis:Quotas:WriteRecordsPerSecond={RecordsPerSecond}",
        "--Kinesis:OnDemand:SampleInterval=00:00:00.200",
        "--Kinesis:OnDemand:SplitWindow=00:00:01",
        "--Kinesis:OnDemand:Cooldown=00:00:01",
    ];
}

/// <summary>
/// On-demand mode with real clients: an ON_DEMAND stream written above the split share of its
/// per-shard limit is split by the gateway itself (no SplitShard from the client), and the lineage
/// read returns every acknowledged record exactly once in key order.
/// </summary>
public sealed class OnDemandClientScenarioTests(FastOnDemandGatewayProcessFixture fixture) : IClassFixture<FastOnDemandGatewayProcessFixture>
{
    [Fact]
    public async Task Boto3_SustainedWritesToOneShard_GatewaySplitsItAndNothingIsLost()
    {
        var python = await KinesisClients.PythonWithBoto3Async();
        if (python is null)
        {
            Prerequisite.Missing("no python3 with boto3 (Debian python3-boto3; run `make deps`)");
            return;
        }

        var report = await ReshardClientScenarioTests.RunScriptAsync(
            fixture,
            python,
            "boto3",
            GatewayHost.NewStreamName("od-boto3"),
            "ondemand",
            TimeSpan.FromMinutes(2),
            "--records-per-second",
            (FastOnDemandGatewayProcessFixture.RecordsPerSecond * 2).ToString(System.Globalization.CultureInfo.InvariantCulture));

        report.AssertPassed(["create_on_demand_stream", "sustained_writes_split", "read_lineage", "delete_stream"]);
        Assert.Equal("InvalidArgumentException", report.Detail("create_on_demand_stream", "shard_count_refused", "code").GetString());
        Assert.True(report.Detail("sustained_writes_split", "open_shards").GetInt32() >= 5);
        Assert.Contains("On-demand stream", fixture.Gateway.Output, StringComparison.Ordinal);
    }
}
