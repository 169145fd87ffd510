using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Auth;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Interop;

/// <summary>boto3 / botocore (HTTP/1.1) against the front door, and botocore's SigV4 signer against the verifier. Handlers are stubs registered through the handler seam.</summary>
public sealed class Boto3InteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Boto3_GetRecords_DataAndArrivalTimestampsDecoded()
    {
        RequirePython();
        await using var stub = await StubKinesis.StartAsync();
        var result = await InteropTools.RunPythonAsync("boto_call.py", new { endpoint = stub.Endpoint.ToString(), op = "get_records", @params = new { ShardIterator = "it" } }, Ct);

        var records = result.GetProperty("result").GetProperty("Records");
        Assert.Equal(StubKinesis.StoredData.Length, records.GetArrayLength());
        for (var i = 0; i < StubKinesis.StoredData.Length; i++)
        {
            Assert.Equal(StubKinesis.StoredData[i], Convert.FromBase64String(records[i].GetProperty("Data").GetProperty("$bytes").GetString()!));
            Assert.Equal(StubKinesis.ArrivalMs + i, records[i].GetProperty("ApproximateArrivalTimestamp").GetProperty("$ms").GetInt64());
            Assert.Equal($"key-{i}", records[i].GetProperty("PartitionKey").GetString());
        }

        Assert.Equal("next-iterator", result.GetProperty("result").GetProperty("NextShardIterator").GetString());
        Assert.True(Guid.TryParse(result.GetProperty("headers").GetProperty("x-amzn-requestid").GetString(), out _));
    }

    [Fact]
    public async Task Boto3_PutRecords_BinaryDataAndKeysReachTheHandler()
    {
        RequirePython();
        await using var stub = await StubKinesis.StartAsync();
        var records = Enumerable.Range(0, 5).Select(i => (Data: Wire.HotPathTests.RecordData(i, 100 + i), Key: $"key-{i}")).ToArray();
        var result = await InteropTools.RunPythonAsync("boto_call.py", new
        {
            endpoint = stub.Endpoint.ToString(),
            op = "put_records",
            @params = new
            {
                StreamName = "s",
                Records = records.Select(r => new Dictionary<string, object>
                {
                    ["Data"] = new Dictionary<string, string> { ["$bytes"] = Convert.ToBase64String(r.Data) },
                    ["PartitionKey"] = r.Key,
                }).ToArray(),
            },
        }, Ct);

        Assert.Equal(0, result.GetProperty("result").GetProperty("FailedRecordCount").GetInt32());
        Assert.Equal(records.Length, result.GetProperty("result").GetProperty("Records").GetArrayLength());
        var seen = stub.Records.ToArray();
        Assert.Equal(records.Select(r => r.Key), seen.Select(s => s.PartitionKey));
        Assert.Equal(records.Select(r => Convert.ToHexString(r.Data)), seen.Select(s => Convert.ToHexString(s.Data)));
    }

    [Fact]
    public async Task Boto3_VerifyMode_RightKeyAcceptedWrongSecretAndUnknownKeyRejected()
    {
        RequirePython();
        await using var stub = await StubKinesis.StartAsync(o =>
        {
            o.AuthMode = KinesisAuthMode.Verify;
            o.Credentials = [new KinesisCredential { AccessKeyId = "AKIDGATEWAY", SecretAccessKey = "gateway/secret+key" }];
        });
        object Args(string key, string secret) => new { endpoint = stub.Endpoint.ToString(), access_key = key, secret_key = secret, op = "list_streams" };

        var ok = await InteropTools.RunPythonAsync("boto_call.py", Args("AKIDGATEWAY", "gateway/secret+key"), Ct);
        var badSecret = await InteropTools.RunPythonAsync("boto_call.py", Args("AKIDGATEWAY", "wrong"), Ct);
        var unknown = await InteropTools.RunPythonAsync("boto_call.py", Args("AKIDOTHER", "gateway/secret+key"), Ct);

        Assert.True(ok.TryGetProperty("result", out var listed), ok.ToString());
        Assert.Equal(2, listed.GetProperty("StreamNames").GetArrayLength());
        Assert.Equal("AKIDGATEWAY", Assert.Single(stub.Calls).AccessKeyId);

        Assert.Equal("InvalidSignatureException", badSecret.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(400, badSecret.GetProperty("error").GetProperty("status").GetInt32());
        Assert.StartsWith("The request signature we calculated does not match", badSecret.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        Assert.Equal("UnrecognizedClientException", unknown.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("The security token included in the request is invalid.", unknown.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task BotocoreSigner_SignedRequests_VerifiedAndTamperingDetected()
    {
        RequirePython();
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"StreamName\":\"orders\",\"Limit\":10}"));
        var headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.1", ["X-Amz-Target"] = "Kinesis_20131202.DescribeStream", ["Host"] = "localhost:4567" };
        var signed = await InteropTools.RunPythonAsync("sigv4_sign.py", new
        {
            access_key = "AKIDBOTO",
            secret_key = "boto/secret+key",
            region = "us-east-1",
            service = "kinesis",
            requests = new object[]
            {
                new { method = "POST", url = "http://localhost:4567/", headers, body },
                new { method = "POST", url = "http://localhost:4567/a/./b/../c//d%20e/", headers, body },
                new { method = "GET", url = "http://localhost:4567/?b=2&a=1&a=0&sp%20ace=x%2By&empty=", headers, body = string.Empty },
                new { method = "POST", url = "http://localhost:4567/", headers, body, presign = true, expires = 300 },
            },
        }, Ct);

        var verifier = new SigV4Verifier(new Dictionary<string, string> { ["AKIDBOTO"] = "boto/secret+key" }, "us-east-1", "kinesis", TimeSpan.FromMinutes(5), TimeProvider.System);
        foreach (var request in signed.EnumerateArray())
        {
            var sigV4 = ToSigV4Request(request, tamperBody: false);
            var result = verifier.Verify(sigV4);
            Assert.True(result.IsAuthenticated, $"{request}: {result.Error}");
            Assert.Equal("AKIDBOTO", result.AccessKeyId);

            if (sigV4.Body.Length > 0)
            {
                Assert.Equal("InvalidSignatureException", verifier.Verify(ToSigV4Request(request, tamperBody: true)).Error?.Type);
            }
        }
    }

    private static SigV4Request ToSigV4Request(JsonElement signed, bool tamperBody)
    {
        // The raw target exactly as botocore sends it (System.Uri would already remove dot segments).
        var url = signed.GetProperty("url").GetString()!;
        var pathStart = url.IndexOf('/', url.IndexOf("://", StringComparison.Ordinal) + 3);
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var rawPath = question < 0 ? url[pathStart..] : url[pathStart..question];
        var rawQuery = question < 0 ? null : url[(question + 1)..];
        var headers = new HeaderDictionary();
        foreach (var pair in signed.GetProperty("headers").EnumerateArray())
        {
            headers.Append(pair[0].GetString()!, pair[1].GetString());
        }

        var body = Convert.FromBase64String(signed.GetProperty("body").GetString()!);
        if (tamperBody)
        {
            body[^2] ^= 1;
        }

        return new SigV4Request
        {
            Method = signed.GetProperty("method").GetString()!,
            RawPath = rawPath,
            RawQuery = rawQuery,
            Headers = headers,
            Body = body,
        };
    }

    private static void RequirePython()
    {
        if (InteropTools.Python is null)
        {
            Prerequisite.Missing("No python3 with boto3 (Debian package python3-boto3).");
        }
    }
}
