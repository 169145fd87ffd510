using System.Text.Json;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Interop;

/// <summary>The AWS SDK for JavaScript v3 (HTTP/2 with prior knowledge on an http:// endpoint) against the front door. Handlers are stubs registered through the handler seam.</summary>
public sealed class JsSdkInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JsSdk_ListGetPutOverH2c_ServedWithHttp2()
    {
        RequireNode();
        await using var stub = await StubKinesis.StartAsync();
        string Args(string op, object parameters) => JsonSerializer.Serialize(new { endpoint = stub.Endpoint.ToString(), op, @params = parameters });

        var listed = await InteropTools.RunNodeAsync("js_call.cjs", [Args("ListStreams", new { })], Ct);
        var got = await InteropTools.RunNodeAsync("js_call.cjs", [Args("GetRecords", new { ShardIterator = "it" })], Ct);
        var data = Wire.HotPathTests.RecordData(7, 300);
        var put = await InteropTools.RunNodeAsync("js_call.cjs", [Args("PutRecords", new
        {
            StreamName = "s",
            Records = new[] { new Dictionary<string, object> { ["Data"] = new Dictionary<string, string> { ["$bytes"] = Convert.ToBase64String(data) }, ["PartitionKey"] = "k" } },
        })], Ct);

        Assert.Equal(["alpha", "beta"], listed.GetProperty("result").GetProperty("StreamNames").EnumerateArray().Select(e => e.GetString()));
        var records = got.GetProperty("result").GetProperty("Records");
        Assert.Equal(StubKinesis.StoredData[1], Convert.FromBase64String(records[1].GetProperty("Data").GetProperty("$bytes").GetString()!));
        Assert.Equal(StubKinesis.ArrivalMs + 1, records[1].GetProperty("ApproximateArrivalTimestamp").GetProperty("$ms").GetInt64());
        Assert.Equal("1000", put.GetProperty("result").GetProperty("Records")[0].GetProperty("SequenceNumber").GetString());
        Assert.Equal(data, Assert.Single(stub.Records).Data);
        Assert.All(stub.Calls, call => Assert.Equal("HTTP/2", call.Protocol));
        Assert.Equal(3, stub.Calls.Count);
    }

    [Fact]
    public async Task JsSdk_VerifyMode_SignatureOverH2cVerified()
    {
        RequireNode();
        await using var stub = await StubKinesis.StartAsync(o =>
        {
            o.AuthMode = KinesisAuthMode.Verify;
            o.Credentials = [new KinesisCredential { AccessKeyId = "AKIDJS", SecretAccessKey = "js/secret" }];
        });
        string Args(string secret) => JsonSerializer.Serialize(new { endpoint = stub.Endpoint.ToString(), accessKeyId = "AKIDJS", secretAccessKey = secret, op = "ListStreams", @params = new { } });

        var ok = await InteropTools.RunNodeAsync("js_call.cjs", [Args("js/secret")], Ct);
        var rejected = await InteropTools.RunNodeAsync("js_call.cjs", [Args("wrong")], Ct);

        Assert.True(ok.TryGetProperty("result", out _), ok.ToString());
        var call = Assert.Single(stub.Calls);
        Assert.Equal("HTTP/2", call.Protocol);
        Assert.Equal("AKIDJS", call.AccessKeyId);
        Assert.Equal("InvalidSignatureException", rejected.GetProperty("error").GetProperty("name").GetString());
    }

    [Fact]
    public async Task JsSdk_ServiceError_NameMessageAndStatus()
    {
        RequireNode();
        await using var stub = await StubKinesis.StartAsync();
        var result = await InteropTools.RunNodeAsync("js_call.cjs", [JsonSerializer.Serialize(new { endpoint = stub.Endpoint.ToString(), op = "DescribeStreamSummary", @params = new { StreamName = "orders" } })], Ct);

        var error = result.GetProperty("error");
        Assert.Equal("ResourceNotFoundException", error.GetProperty("name").GetString());
        Assert.Equal("Stream orders under account 000000000000 not found.", error.GetProperty("message").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
    }

    private static void RequireNode()
    {
        if (InteropTools.Node is null)
        {
            Prerequisite.Missing("node or the npm packages of tests/interop are missing (make npm).");
        }
    }
}
