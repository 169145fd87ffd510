using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Interop;

/// <summary>The AWS CLI v2 (botocore, AWS JSON 1.1 over HTTP/1.1) against the front door. Handlers are stubs registered through the handler seam.</summary>
public sealed class AwsCliInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AwsCli_ListStreams_ReadsTheResponseOverHttp11()
    {
        var aws = RequireAwsCli();
        await using var stub = await StubKinesis.StartAsync();
        var result = await RunAwsAsync(aws, stub, "kinesis", "list-streams");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var output = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal(["alpha", "beta"], output.RootElement.GetProperty("StreamNames").EnumerateArray().Select(e => e.GetString()));
        var call = Assert.Single(stub.Calls);
        Assert.Equal("HTTP/1.1", call.Protocol);
        Assert.Equal(KinesisWireFormat.Json, call.Format);
        Assert.Equal("AKIDEXAMPLE", call.AccessKeyId);
    }

    [Fact]
    public async Task AwsCli_ServiceError_ReportsKinesisTypeAndMessage()
    {
        var aws = RequireAwsCli();
        await using var stub = await StubKinesis.StartAsync();
        var result = await RunAwsAsync(aws, stub, "kinesis", "describe-stream-summary", "--stream-name", "orders");

        Assert.NotEqual(0, result.ExitCode);
        // "An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation[ (reached max retries: 0)]: <message>"
        Assert.True(
            result.StandardError.Contains("An error occurred (ResourceNotFoundException) when calling the DescribeStreamSummary operation", StringComparison.Ordinal)
            && result.StandardError.Contains(": Stream orders under account 000000000000 not found.", StringComparison.Ordinal),
            result.ToString());
    }

    [Fact]
    public async Task AwsCli_OperationWithoutHandler_UnknownOperationException()
    {
        var aws = RequireAwsCli();
        await using var stub = await StubKinesis.StartAsync();
        var result = await RunAwsAsync(aws, stub, "kinesis", "split-shard", "--stream-name", "s", "--shard-to-split", "shardId-000000000000", "--new-starting-hash-key", "1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("(UnknownOperationException)", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("The operation SplitShard is not supported by this gateway.", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AwsCli_PutRecord_Base64BlobReachesTheHandlerDecoded()
    {
        var aws = RequireAwsCli();
        await using var stub = await StubKinesis.StartAsync();
        var data = new byte[] { 0xFB, 0xFF, 0xBF, 0x00, (byte)'k' };

        // AWS CLI v2 takes blobs as base64 (cli_binary_format=base64).
        var result = await RunAwsAsync(aws, stub, "kinesis", "put-record", "--stream-name", "s", "--partition-key", "pk-\u00e9", "--data", Convert.ToBase64String(data));

        Assert.True(result.ExitCode == 0, result.ToString());
        using var output = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("shardId-000000000000", output.RootElement.GetProperty("ShardId").GetString());
        var record = Assert.Single(stub.Records);
        Assert.Equal(data, record.Data);
        Assert.Equal("pk-\u00e9", record.PartitionKey);
    }

    private static async Task<ProcessResult> RunAwsAsync(string aws, StubKinesis stub, params string[] arguments) =>
        await ExternalProcess.RunAsync(aws, [.. arguments, "--endpoint-url", stub.Endpoint.ToString(), "--output", "json"], InteropTools.AwsEnvironment(), timeout: TimeSpan.FromSeconds(60), cancellationToken: Ct);

    private static string RequireAwsCli()
    {
        var aws = InteropTools.AwsCli;
        if (aws is null)
        {
            Prerequisite.Missing("The AWS CLI is not installed (Debian package awscli).");
        }

        return aws;
    }
}
