using System.Text.Json;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Grpc.Tests.Interop;

/// <summary>
/// Scenario checks shared by every independent client: unary with metadata, an error with status,
/// google.rpc.Status details and an extra trailer, gzip both ways, a deadline, server streaming,
/// an unknown method.
/// </summary>
public abstract class InteropTests<TFixture>(TFixture fixture)
    where TFixture : InteropFixture
{
    private JsonElement Results
    {
        get
        {
            if (fixture.SkipReason is not null)
            {
                Prerequisite.Missing(fixture.SkipReason);
            }

            return fixture.Results;
        }
    }

    [Fact]
    public void Unary_EchoWithMetadata_Succeeds()
    {
        var unary = Results.GetProperty("unary");

        Assert.StartsWith("hello from", unary.GetProperty("message").GetString(), StringComparison.Ordinal);
        var echoed = unary.GetProperty("headers");
        Assert.Equal(fixture.ProbePrefix == "python" ? "py" : "node", echoed.GetProperty("x-user").GetString());

        // The client sent bytes 00 01 FE FF in a -bin header; the server decoded them and sent them
        // back (unpadded base64) in the response headers, which the client decoded.
        Assert.Equal("AAH+/w==", echoed.GetProperty("x-trace-bin").GetString());
        Assert.Equal("AAH+/w==", unary.GetProperty("initial_metadata").GetProperty("x-trace-bin").GetString());
    }

    [Fact]
    public void Error_StatusDetailsAndExtraTrailer_ReadByClient()
    {
        var error = Results.GetProperty("error");

        Assert.Equal(5, error.GetProperty("code").GetInt32());
        Assert.Equal("Stream ördérs not found ✓", error.GetProperty("details").GetString());
        Assert.Equal("ResourceNotFoundException", error.GetProperty("trailers").GetProperty("kinesis-error-type").GetString());
        var status = error.GetProperty("status");
        Assert.Equal(5, status.GetProperty("code").GetInt32());
        var detail = Assert.Single(status.GetProperty("details").EnumerateArray().ToList());
        Assert.Equal("type.googleapis.com/google.rpc.ErrorInfo", detail.GetProperty("type_url").GetString());
        Assert.Equal("ResourceNotFoundException", detail.GetProperty("reason").GetString());
    }

    [Fact]
    public void Gzip_CompressedRequestAndResponse_RoundTrip()
    {
        var gzip = Results.GetProperty("gzip");

        Assert.Equal("gzip", gzip.GetProperty("request_encoding").GetString());
        Assert.Equal(20000, gzip.GetProperty("payload_length").GetInt32());
        Assert.Equal("compressed", gzip.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Deadline_Expires_DeadlineExceededAndHandlerCancelled()
    {
        var deadline = Results.GetProperty("deadline");

        Assert.Equal(4, deadline.GetProperty("code").GetInt32());
        var probe = fixture.Server!.Service.Probe(fixture.ProbePrefix + "-deadline");
        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.NotEqual(DateTime.MaxValue, probe.Deadline);
    }

    [Fact]
    public void ServerStreaming_FiftyMessages_ReceivedInOrder()
    {
        var indexes = Results.GetProperty("streaming").EnumerateArray().Select(e => e.GetInt32());

        Assert.Equal(Enumerable.Range(0, 50), indexes);
    }

    [Fact]
    public void UnknownMethod_Unimplemented()
    {
        Assert.Equal(12, Results.GetProperty("unimplemented").GetProperty("code").GetInt32());
    }
}

/// <summary>grpcio (gRPC C core) as the client.</summary>
public sealed class PythonInteropTests(PythonInteropFixture fixture)
    : InteropTests<PythonInteropFixture>(fixture), IClassFixture<PythonInteropFixture>;

/// <summary>@grpc/grpc-js as the client.</summary>
public sealed class NodeInteropTests(NodeInteropFixture fixture)
    : InteropTests<NodeInteropFixture>(fixture), IClassFixture<NodeInteropFixture>;
