using Google.Protobuf;
using Google.Rpc;
using KafkaKinesisBridge.Grpc.Client;
using KafkaKinesisBridge.Grpc.Tests.Echo;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Grpc.Tests.Functional;

/// <summary>The minimal client (KafkaKinesisBridge.Grpc.Client) against the transport over real h2c.</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private GrpcTestServer _server = null!;
    private GrpcClient _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await GrpcTestServer.StartAsync(cancellationToken: Token);
        _client = new GrpcClient(_server.Http2Address);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_Success_ReturnsResponseAndMetadata()
    {
        var headers = new Metadata().Add("x-user", "bob");

        var result = await _client.UnaryCallAsync(
            EchoService.EchoMethod,
            new EchoRequest { Message = "hi", EchoHeaders = { "x-user" } },
            new CallOptions { Headers = headers, CancellationToken = Token });

        Assert.Equal("hi", result.Response.Message);
        Assert.Equal("bob", result.Response.Headers["x-user"]);
        Assert.Equal("bob", result.ResponseHeaders.GetValue("x-user"));
        Assert.Equal("bob", result.Trailers.GetValue("x-user"));
        Assert.Null(result.Trailers.Get("grpc-status"));
        Assert.StartsWith("ipv4:127.0.0.1:", result.Response.Peer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_BinaryMetadata_RoundTrips()
    {
        var bytes = new byte[] { 0, 255, 1, 254, 2 };
        var headers = new Metadata().Add("x-trace-bin", bytes);

        var result = await _client.UnaryCallAsync(
            EchoService.EchoMethod,
            new EchoRequest { EchoHeaders = { "x-trace-bin" } },
            new CallOptions { Headers = headers, CancellationToken = Token });

        Assert.Equal(Convert.ToBase64String(bytes), result.Response.Headers["x-trace-bin"]);
        Assert.Equal(bytes, result.ResponseHeaders.GetValueBytes("x-trace-bin"));
        Assert.Equal(bytes, result.Trailers.GetValueBytes("x-trace-bin"));
    }

    [Fact]
    public async Task Unary_ErrorBeforeResponse_ExceptionCarriesStatusDetailsAndTrailers()
    {
        var request = new EchoRequest
        {
            Failure = new Failure
            {
                Code = (int)StatusCode.NotFound,
                Message = "Stream orders not found",
                ErrorReason = "ResourceNotFoundException",
                Trailers = { ["kinesis-error-type"] = "ResourceNotFoundException" },
            },
        };

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _client.UnaryAsync(EchoService.EchoMethod, request, new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("Stream orders not found", error.Detail);
        Assert.Equal("ResourceNotFoundException", error.Trailers.GetValue("kinesis-error-type"));
        Assert.Null(error.Trailers.Get("grpc-status"));
        Assert.Equal(5, error.Details!.Code);
        Assert.Equal("ResourceNotFoundException", error.GetDetail<ErrorInfo>()!.Reason);
    }

    [Fact]
    public async Task Unary_ErrorAfterHeaders_StatusReadFromTrailers()
    {
        var request = new EchoRequest
        {
            SendHeadersFirst = true,
            Failure = new Failure { Code = (int)StatusCode.ResourceExhausted, Message = "slow down", ErrorReason = "LimitExceededException", Trailers = { ["kinesis-error-type"] = "LimitExceededException" } },
        };

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _client.UnaryAsync(EchoService.EchoMethod, request, new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("slow down", error.Detail);
        Assert.Equal("LimitExceededException", error.Trailers.GetValue("kinesis-error-type"));
        Assert.Equal("LimitExceededException", error.GetDetail<ErrorInfo>()!.Reason);
    }

    [Theory]
    [InlineData("Ünïcode ✓ 100% done")]
    [InlineData("%41 is not decoded twice")]
    [InlineData("日本語のメッセージ")]
    public async Task Unary_NonAsciiStatusMessage_RoundTrips(string message)
    {
        var request = new EchoRequest { Failure = new Failure { Code = (int)StatusCode.InvalidArgument, Message = message } };

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _client.UnaryAsync(EchoService.EchoMethod, request, new CallOptions { CancellationToken = Token }));

        Assert.Equal(message, error.Detail);
    }

    [Fact]
    public async Task Unary_UnknownMethod_Unimplemented()
    {
        var missing = new Method<EchoRequest, EchoReply>(MethodType.Unary, EchoService.ServiceName, "Missing", EchoRequest.Parser, EchoReply.Parser);

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _client.UnaryAsync(missing, new EchoRequest(), new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task Unary_DeadlineExpires_DeadlineExceededAndHandlerCancelled()
    {
        var name = nameof(Unary_DeadlineExpires_DeadlineExceededAndHandlerCancelled);
        var probe = _server.Service.Probe(name);

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => _client.UnaryAsync(
            EchoService.EchoMethod,
            new EchoRequest { DelayMs = -1, Probe = name },
            new CallOptions { Timeout = TimeSpan.FromMilliseconds(300), CancellationToken = Token }));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.NotEqual(DateTime.MaxValue, probe.Deadline);
    }

    [Fact]
    public async Task Unary_CallerCancels_CancelledAndHandlerTokenCancelled()
    {
        var name = nameof(Unary_CallerCancels_CancelledAndHandlerTokenCancelled);
        var probe = _server.Service.Probe(name);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);

        var call = _client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { DelayMs = -1, Probe = name }, new CallOptions { CancellationToken = cancel.Token });
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => call);
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await probe.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task Unary_GzipRequest_ServerDecompresses()
    {
        var payload = ByteString.CopyFrom(new byte[50_000]);

        var reply = await _client.UnaryAsync(
            EchoService.EchoMethod,
            new EchoRequest { Payload = payload },
            new CallOptions { RequestCompression = GrpcCompression.Gzip, CancellationToken = Token });

        Assert.Equal("gzip", reply.RequestEncoding);
        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Unary_GzipResponse_ClientDecompresses()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.ResponseCompression = GrpcCompression.Gzip, Token);
        using var client = new GrpcClient(server.Http2Address);
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 40_000).Select(i => (byte)(i % 7)).ToArray());

        var reply = await client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Payload = payload }, new CallOptions { CancellationToken = Token });

        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Unary_LargeMessage_RoundTrips()
    {
        // Larger than any single buffer segment on either side: exercises multi-segment parsing and
        // the chunked response writer.
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 5 * 1024 * 1024).Select(i => (byte)i).ToArray());

        var reply = await _client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Payload = payload }, new CallOptions { CancellationToken = Token });

        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Unary_RequestAboveClientLimit_FailsBeforeSending()
    {
        using var client = new GrpcClient(_server.Http2Address, new GrpcClientOptions { MaxSendMessageSize = 10 });

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Message = new string('x', 100) }, new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Unary_ResponseAboveClientLimit_ResourceExhausted()
    {
        using var client = new GrpcClient(_server.Http2Address, new GrpcClientOptions { MaxReceiveMessageSize = 100 });

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Message = new string('x', 100) }, new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Unary_ConcurrentCallers_AllSucceed()
    {
        var callers = Enumerable.Range(0, 8).Select(async caller =>
        {
            for (var i = 0; i < 100; i++)
            {
                var reply = await _client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Message = $"{caller}/{i}" }, new CallOptions { CancellationToken = Token });
                Assert.Equal($"{caller}/{i}", reply.Message);
            }
        });

        await Task.WhenAll(callers);
    }

    [Fact]
    public async Task Unary_ServerUnreachable_Unavailable()
    {
        // A port that was just free: nothing listens there.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new GrpcClient(new Uri($"http://127.0.0.1:{port}"));

        var error = await Assert.ThrowsAsync<GrpcCallException>(() => client.UnaryAsync(EchoService.EchoMethod, new EchoRequest(), new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_ManyMessages_ReceivedInOrder()
    {
        await using var call = await _client.ServerStreamingAsync(
            EchoService.StreamMethod,
            new StreamRequest { Count = 2000, PayloadSize = 64 },
            new CallOptions { CancellationToken = Token });

        var indexes = new List<int>();
        await foreach (var reply in call.ReadAllAsync(Token))
        {
            Assert.Equal(64, reply.Payload.Length);
            indexes.Add(reply.Index);
        }

        Assert.Equal(Enumerable.Range(0, 2000), indexes);
        Assert.Equal(StatusCode.OK, call.Status);
    }

    [Fact]
    public async Task ServerStreaming_FailsAfterMessages_MessagesThenException()
    {
        var request = new StreamRequest
        {
            Count = 3,
            FailAfter = new Failure { Code = (int)StatusCode.Aborted, Message = "stop", Trailers = { ["kinesis-error-type"] = "ResourceInUseException" } },
        };
        await using var call = await _client.ServerStreamingAsync(EchoService.StreamMethod, request, new CallOptions { CancellationToken = Token });

        var received = new List<int>();
        var error = await Assert.ThrowsAsync<GrpcCallException>(async () =>
        {
            await foreach (var reply in call.ReadAllAsync(Token))
            {
                received.Add(reply.Index);
            }
        });

        Assert.Equal([0, 1, 2], received);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("ResourceInUseException", error.Trailers.GetValue("kinesis-error-type"));
        Assert.Equal("ResourceInUseException", call.GetTrailers().GetValue("kinesis-error-type"));
    }

    [Fact]
    public async Task ServerStreaming_DisposeWhileRunning_CancelsHandler()
    {
        var name = nameof(ServerStreaming_DisposeWhileRunning_CancelsHandler);
        var probe = _server.Service.Probe(name);
        var call = await _client.ServerStreamingAsync(EchoService.StreamMethod, new StreamRequest { Count = 1, WaitAfter = true, Probe = name }, new CallOptions { CancellationToken = Token });
        await using (var enumerator = call.ReadAllAsync(Token).GetAsyncEnumerator(Token))
        {
            Assert.True(await enumerator.MoveNextAsync());
            Assert.Equal(0, enumerator.Current.Index);
        }

        await call.DisposeAsync();

        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task ServerStreaming_DeadlineWhileWaiting_DeadlineExceeded()
    {
        // The two messages must arrive before the deadline, on a machine busy with other test
        // projects: connect first, and leave the call two seconds.
        await _client.UnaryAsync(EchoService.EchoMethod, new EchoRequest { Message = "warm" }, new CallOptions { CancellationToken = Token });
        await using var call = await _client.ServerStreamingAsync(
            EchoService.StreamMethod,
            new StreamRequest { Count = 2, WaitAfter = true },
            new CallOptions { Timeout = TimeSpan.FromSeconds(2), CancellationToken = Token });

        var received = 0;
        var error = await Assert.ThrowsAsync<GrpcCallException>(async () =>
        {
            await foreach (var reply in call.ReadAllAsync(Token))
            {
                received++;
            }
        });

        Assert.Equal(2, received);
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    // ----- Methods with their own marshallers (as the gateway's hot methods have) -----

    [Fact]
    public async Task CustomMarshallers_Unary_RoundTripAndServerDisposesBothMessages()
    {
        var reply = await _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([1, 2, 3, 4]), new CallOptions { CancellationToken = Token });

        Assert.Equal(new byte[] { 4, 3, 2, 1 }, reply.Bytes);
        var seen = _server.Service.ReverseMessages.ToArray();
        Assert.Equal(2, seen.Length);
        await Eventually.UntilAsync(() => seen.All(m => m.Disposed), because: "the server disposes the request and the written response");
    }

    [Fact]
    public async Task CustomMarshallers_GzipRequest_DecompressedBeforeDeserializing()
    {
        using var gzip = new GrpcClient(_server.Http2Address, new GrpcClientOptions { RequestCompression = GrpcCompression.Gzip });
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i % 7)).ToArray();

        var reply = await gzip.UnaryAsync(EchoService.ReverseMethod, new RawPayload(payload), new CallOptions { CancellationToken = Token });

        Assert.Equal(payload.Reverse(), reply.Bytes);
    }

    [Fact]
    public async Task CustomMarshaller_DeserializerThrows_InternalAndTheServerKeepsServing()
    {
        var error = await Assert.ThrowsAsync<GrpcCallException>(() =>
            _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([0xFF, 1]), new CallOptions { CancellationToken = Token }));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal("Failed to deserialize request message.", error.Detail);
        var reply = await _client.UnaryAsync(EchoService.ReverseMethod, new RawPayload([7, 8]), new CallOptions { CancellationToken = Token });
        Assert.Equal(new byte[] { 8, 7 }, reply.Bytes);
    }
}
