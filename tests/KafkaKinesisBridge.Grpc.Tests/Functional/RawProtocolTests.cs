using System.Text;
using Google.Protobuf;
using Google.Rpc;
using KafkaKinesisBridge.Grpc.Tests.Echo;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure;
using KafkaKinesisBridge.Grpc.Tests.Infrastructure.RawHttp2;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Grpc.Tests.Functional;

/// <summary>
/// The wire protocol as a raw HTTP/2 client sees it (gRPC PROTOCOL-HTTP2): which frames carry
/// headers, data, trailers and END_STREAM, and RST_STREAM codes.
/// </summary>
public sealed class RawProtocolTests : IAsyncLifetime
{
    private const string EchoPath = "/kkb.test.echo.v1.EchoService/Echo";
    private const string StreamPath = "/kkb.test.echo.v1.EchoService/Stream";
    private const int MaxReceive = 64 * 1024;

    private GrpcTestServer _server = null!;
    private RawHttp2Connection _connection = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await GrpcTestServer.StartAsync(o => o.MaxReceiveMessageSize = MaxReceive, Token);
        _connection = await RawHttp2Connection.ConnectAsync(_server.Http2EndPoint, Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_Success_SendsHeadersDataAndTrailersWithStatusZero()
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest { Message = "hello" }));

        Assert.Equal(3, response.Events.Count);
        var headers = Assert.IsType<HeadersEvent>(response.Events[0]);
        Assert.False(headers.EndStream);
        Assert.Equal("200", response.Header(":status"));
        Assert.Equal("application/grpc", response.Header("content-type"));
        Assert.Null(response.Header("grpc-status"));
        var message = Assert.Single(response.Messages());
        Assert.Equal(0, message.Flag);
        Assert.Equal("hello", EchoReply.Parser.ParseFrom(message.Payload).Message);
        var trailers = Assert.IsType<HeadersEvent>(response.Events[2]);
        Assert.True(trailers.EndStream);
        Assert.Equal("0", response.Trailer("grpc-status"));
        Assert.Null(response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Unary_RepeatedCalls_DecodesKestrelsIndexedHeaders()
    {
        // Kestrel indexes response fields in the HPACK dynamic table and refers to them on later
        // responses; every call decoding correctly shows the raw client follows that state.
        for (var i = 0; i < 5; i++)
        {
            var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest { Message = $"call {i}" }));
            Assert.Equal("0", response.GrpcStatus);
            Assert.Equal("application/grpc", response.Header("content-type"));
            Assert.Equal($"call {i}", EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).Message);
        }

        Assert.True(_connection.DecoderDynamicEntries > 0);
    }

    [Theory]
    [InlineData("/kkb.test.echo.v1.EchoService/Missing", "Method is unimplemented.")]
    [InlineData("/kkb.test.echo.v1.Other/Echo", "Service is unimplemented.")]
    public async Task UnknownMethod_GrpcRequest_TrailersOnlyUnimplemented(string path, string message)
    {
        var response = await CallAsync(path, GrpcWire.Frame(new EchoRequest()));

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("200", response.Header(":status"));
        Assert.Equal("application/grpc", response.Header("content-type"));
        Assert.Equal("12", response.Header("grpc-status"));
        Assert.Equal(message, response.Header("grpc-message"));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/grpc+json")]
    [InlineData("application/grpc-web")]
    public async Task RegisteredPath_NonProtoContentType_Returns415(string contentType)
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest()), contentType: contentType);

        Assert.Equal("415", response.Header(":status"));
        Assert.Equal("13", response.Header("grpc-status"));
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    [InlineData("APPLICATION/GRPC+PROTO;x=1")]
    public async Task RegisteredPath_GrpcContentTypeVariants_Accepted(string contentType)
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest { Message = "variant" }), contentType: contentType);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("variant", EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).Message);
    }

    [Fact]
    public async Task NonGrpcRequest_UnregisteredPath_FallsThroughToNextMiddleware()
    {
        // The AWS JSON API shares the port: POST / with its own content-type must not be touched.
        var response = await CallAsync("/", Encoding.UTF8.GetBytes("{}"), contentType: "application/x-amz-json-1.1");

        Assert.Equal("200", response.Header(":status"));
        Assert.Null(response.Header("grpc-status"));
        Assert.Equal(GrpcTestServer.FallThroughBody, Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task OversizeMessage_HeaderOnly_RejectedWithResourceExhaustedBeforePayload()
    {
        // Only the 5-byte header declaring MaxReceive + 1 bytes is sent and the request stays open:
        // the status can only arrive if the server decided from the header alone.
        var stream = await _connection.StartCallAsync(EchoPath, cancellationToken: Token);
        var header = new byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), MaxReceive + 1);
        await _connection.SendDataAsync(stream, header, endStream: false, Token);

        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("8", response.GrpcStatus);
        Assert.Equal("Received message exceeds the maximum configured message size.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task MessageAtLimit_Accepted()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[MaxReceive - 8]) };
        Assert.True(request.CalculateSize() <= MaxReceive);

        var response = await CallAsync(EchoPath, GrpcWire.Frame(request));

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal(MaxReceive - 8, EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).Payload.Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(9)]
    public async Task MessageSplitAcrossDataFrames_AtAnyByte_Parsed(int split)
    {
        var frame = GrpcWire.Frame(new EchoRequest { Message = "split across frames" });
        var stream = await _connection.StartCallAsync(EchoPath, cancellationToken: Token);
        await _connection.SendDataAsync(stream, frame.AsMemory(0, split), endStream: false, Token);
        await _connection.SendDataAsync(stream, frame.AsMemory(split), endStream: true, Token);

        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("split across frames", EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).Message);
    }

    [Fact]
    public async Task Unary_ZeroMessages_Internal()
    {
        var response = await CallAsync(EchoPath, []);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("No request message received.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Unary_HeadersWithEndStreamAndNoData_Internal()
    {
        var stream = await _connection.StartCallAsync(EchoPath, endStream: true, cancellationToken: Token);
        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_TwoMessages_Internal()
    {
        var one = GrpcWire.Frame(new EchoRequest { Message = "one" });
        var response = await CallAsync(EchoPath, [.. one, .. one]);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Additional data after the message received.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Unary_SecondMessageInLaterFrame_Internal()
    {
        var one = GrpcWire.Frame(new EchoRequest { Message = "one" });
        var stream = await _connection.StartCallAsync(EchoPath, cancellationToken: Token);
        await _connection.SendDataAsync(stream, one, endStream: false, Token);
        await _connection.SendDataAsync(stream, one, endStream: true, Token);

        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task Unary_TruncatedMessage_Internal()
    {
        var frame = GrpcWire.Frame(new EchoRequest { Message = "truncated message" });
        var response = await CallAsync(EchoPath, frame[..^3]);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Incomplete message.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Unary_InvalidProtobuf_Internal()
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame([0xFF, 0xFF, 0xFF], compressed: false));

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Failed to deserialize request message.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Error_BeforeAnyResponse_TrailersOnlyWithDetailsAndExtraTrailer()
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

        var response = await CallAsync(EchoPath, GrpcWire.Frame(request));

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("200", response.Header(":status"));
        Assert.Equal("application/grpc", response.Header("content-type"));
        Assert.Equal("5", response.GrpcStatus);
        Assert.Equal("Stream orders not found", response.Trailer("grpc-message"));
        Assert.Equal("ResourceNotFoundException", response.Trailer("kinesis-error-type"));
        var details = Status.Parser.ParseFrom(DecodeBase64(response.Trailer("grpc-status-details-bin")!));
        Assert.Equal(5, details.Code);
        Assert.Equal("Stream orders not found", details.Message);
        var info = Assert.Single(details.Details).Unpack<ErrorInfo>();
        Assert.Equal("ResourceNotFoundException", info.Reason);
        Assert.Equal(EchoService.ErrorDomain, info.Domain);
    }

    [Fact]
    public async Task Error_AfterStreamedMessages_StatusAndExtraTrailerInTrailers()
    {
        var request = new StreamRequest
        {
            Count = 2,
            FailAfter = new Failure
            {
                Code = (int)StatusCode.FailedPrecondition,
                Message = "iterator expired",
                ErrorReason = "ExpiredIteratorException",
                Trailers = { ["kinesis-error-type"] = "ExpiredIteratorException" },
            },
        };

        var response = await CallAsync(StreamPath, GrpcWire.Frame(request));

        Assert.Equal(2, response.HeaderBlocks.Count);
        Assert.Null(response.Header("grpc-status"));
        Assert.Equal(2, response.Messages().Count);
        Assert.True(response.HeaderBlocks[1].EndStream);
        Assert.Equal("9", response.GrpcStatus);
        Assert.Equal("iterator expired", response.Trailer("grpc-message"));
        Assert.Equal("ExpiredIteratorException", response.Trailer("kinesis-error-type"));
        var details = Status.Parser.ParseFrom(DecodeBase64(response.Trailer("grpc-status-details-bin")!));
        Assert.Equal("ExpiredIteratorException", details.Details[0].Unpack<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task Error_AfterResponseHeadersSent_StatusInSeparateTrailers()
    {
        var request = new EchoRequest { SendHeadersFirst = true, Failure = new Failure { Code = (int)StatusCode.Unavailable, Message = "later" } };

        var response = await CallAsync(EchoPath, GrpcWire.Frame(request));

        Assert.Equal(2, response.HeaderBlocks.Count);
        Assert.False(response.HeaderBlocks[0].EndStream);
        Assert.Empty(response.Body);
        Assert.Equal("14", response.GrpcStatus);
        Assert.Equal("later", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task Error_NonAsciiMessage_PercentEncodedUtf8()
    {
        var request = new EchoRequest { Failure = new Failure { Code = (int)StatusCode.InvalidArgument, Message = "Ünïcode ✓ 100% done\r\n" } };

        var response = await CallAsync(EchoPath, GrpcWire.Frame(request));

        // gRPC PROTOCOL-HTTP2 Percent-Encoded: bytes outside 0x20-0x7E and '%' as %XX of the UTF-8.
        Assert.Equal("%C3%9Cn%C3%AFcode %E2%9C%93 100%25 done%0D%0A", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task UnexpectedException_InternalWithGenericMessageAndLogged()
    {
        var request = new EchoRequest { Failure = new Failure { ThrowUnexpected = true, Message = "do not leak" } };

        var response = await CallAsync(EchoPath, GrpcWire.Frame(request));

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.Trailer("grpc-message"));
        Assert.DoesNotContain(response.Trailers, f => f.Value.Contains("leak", StringComparison.Ordinal));
        var logged = Assert.Single(_server.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Equal(5, logged.EventId.Id);
        Assert.IsType<InvalidOperationException>(logged.Exception);
        Assert.Contains(EchoPath, logged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_HandlerStillRunning_DeadlineExceededThenResetAndHandlerCancelled()
    {
        var probe = _server.Service.Probe(nameof(Deadline_HandlerStillRunning_DeadlineExceededThenResetAndHandlerCancelled));
        var stream = await _connection.StartCallAsync(EchoPath, [("grpc-timeout", "300m")], cancellationToken: Token);
        await _connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest { DelayMs = -1, Probe = nameof(Deadline_HandlerStillRunning_DeadlineExceededThenResetAndHandlerCancelled) }), endStream: true, Token);

        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.Equal("4", response.GrpcStatus);
        Assert.Equal("Deadline Exceeded", response.Trailer("grpc-message"));
        var reset = response.ResetCode ?? await _connection.WaitForResetAsync(stream, TimeSpan.FromSeconds(10), Token);
        Assert.Equal(RawHttp2Connection.Cancel, reset);
        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await probe.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.NotEqual(DateTime.MaxValue, probe.Deadline);
    }

    [Fact]
    public async Task Deadline_WhileRequestStillArriving_DeadlineExceededThenReset()
    {
        // The request never ends: the deadline fires while the transport waits for the message.
        var stream = await _connection.StartCallAsync(EchoPath, [("grpc-timeout", "200000u")], cancellationToken: Token);
        await _connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest())[..3], endStream: false, Token);

        var response = await _connection.ReadResponseAsync(stream, Token);

        Assert.Equal("4", response.GrpcStatus);
        var reset = response.ResetCode ?? await _connection.WaitForResetAsync(stream, TimeSpan.FromSeconds(10), Token);
        Assert.Equal(RawHttp2Connection.Cancel, reset);
    }

    [Fact]
    public async Task Deadline_InvalidTimeoutHeader_Ignored()
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest { Message = "no deadline" }), [("grpc-timeout", "123456789S")]);

        Assert.Equal("0", response.GrpcStatus);
        Assert.False(EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).HasDeadline);
    }

    [Fact]
    public async Task Deadline_ValidTimeout_VisibleToHandler()
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest()), [("grpc-timeout", "1H")]);

        Assert.Equal("0", response.GrpcStatus);
        Assert.True(EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).HasDeadline);
    }

    [Fact]
    public async Task ClientReset_HandlerRunning_HandlerTokenCancelled()
    {
        var name = nameof(ClientReset_HandlerRunning_HandlerTokenCancelled);
        var probe = _server.Service.Probe(name);
        var stream = await _connection.StartCallAsync(EchoPath, cancellationToken: Token);
        await _connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest { DelayMs = -1, Probe = name }), endStream: true, Token);
        await probe.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.False(probe.Cancelled.Task.IsCompleted);

        await _connection.SendResetAsync(stream, RawHttp2Connection.Cancel, Token);

        await probe.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await probe.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task GzipRequest_CompressedMessage_Decompressed()
    {
        var request = new EchoRequest { Message = "compressed", Payload = ByteString.CopyFrom(new byte[10_000]) };
        var frame = GrpcWire.Frame(GrpcWire.Gzip(request.ToByteArray()), compressed: true);

        var response = await CallAsync(EchoPath, frame, [("grpc-encoding", "gzip")]);

        Assert.Equal("0", response.GrpcStatus);
        var reply = EchoReply.Parser.ParseFrom(response.Messages()[0].Payload);
        Assert.Equal("compressed", reply.Message);
        Assert.Equal(10_000, reply.Payload.Length);
        Assert.Equal("gzip", reply.RequestEncoding);
    }

    [Fact]
    public async Task GzipRequest_DecompressesBeyondLimit_ResourceExhausted()
    {
        // A small compressed message that expands past MaxReceiveMessageSize.
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[MaxReceive * 4]) };
        var compressed = GrpcWire.Gzip(request.ToByteArray());
        Assert.True(compressed.Length < MaxReceive);

        var response = await CallAsync(EchoPath, GrpcWire.Frame(compressed, compressed: true), [("grpc-encoding", "gzip")]);

        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task CompressedFlag_WithoutGrpcEncoding_Internal()
    {
        var frame = GrpcWire.Frame(GrpcWire.Gzip(new EchoRequest().ToByteArray()), compressed: true);

        var response = await CallAsync(EchoPath, frame);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Request did not include grpc-encoding value with compressed message.", response.Trailer("grpc-message"));
    }

    [Fact]
    public async Task UnsupportedEncoding_TrailersOnlyUnimplementedWithAcceptEncoding()
    {
        var response = await CallAsync(EchoPath, GrpcWire.Frame(new EchoRequest()), [("grpc-encoding", "snappy")]);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("12", response.GrpcStatus);
        var accepted = response.Header("grpc-accept-encoding")!.Split(',').Select(s => s.Trim()).ToList();
        Assert.Contains("gzip", accepted);
        Assert.Contains("identity", accepted);
    }

    [Fact]
    public async Task GzipResponse_ServerConfiguredAndClientAccepts_CompressedMessage()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.ResponseCompression = GrpcCompression.Gzip, Token);
        await using var connection = await RawHttp2Connection.ConnectAsync(server.Http2EndPoint, Token);
        var stream = await connection.StartCallAsync(EchoPath, [("grpc-accept-encoding", "identity, deflate, gzip")], cancellationToken: Token);
        await connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest { Message = new string('z', 5000) }), endStream: true, Token);

        var response = await connection.ReadResponseAsync(stream, Token);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("gzip", response.Header("grpc-encoding"));
        var message = Assert.Single(response.Messages());
        Assert.Equal(1, message.Flag);
        Assert.True(message.Payload.Length < 1000);
        Assert.Equal(new string('z', 5000), EchoReply.Parser.ParseFrom(GrpcWire.Gunzip(message.Payload)).Message);
    }

    [Fact]
    public async Task GzipResponse_ClientDoesNotAccept_Uncompressed()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.ResponseCompression = GrpcCompression.Gzip, Token);
        await using var connection = await RawHttp2Connection.ConnectAsync(server.Http2EndPoint, Token);
        var stream = await connection.StartCallAsync(EchoPath, [("grpc-accept-encoding", "identity")], cancellationToken: Token);
        await connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest { Message = "plain" }), endStream: true, Token);

        var response = await connection.ReadResponseAsync(stream, Token);

        Assert.Null(response.Header("grpc-encoding"));
        Assert.Equal(0, response.Messages()[0].Flag);
        Assert.Equal("plain", EchoReply.Parser.ParseFrom(response.Messages()[0].Payload).Message);
    }

    [Fact]
    public async Task GzipResponse_PerCallOverride_CompressesWhenClientAccepts()
    {
        var response = await CallAsync(
            EchoPath,
            GrpcWire.Frame(new EchoRequest { Message = "override", CompressResponse = true }),
            [("grpc-accept-encoding", "gzip")]);

        Assert.Equal("gzip", response.Header("grpc-encoding"));
        var message = response.Messages()[0];
        Assert.Equal(1, message.Flag);
        Assert.Equal("override", EchoReply.Parser.ParseFrom(GrpcWire.Gunzip(message.Payload)).Message);
    }

    [Fact]
    public async Task BinaryMetadata_UnpaddedAndJoinedValues_DecodedAndEchoedUnpadded()
    {
        byte[] first = [0, 1, 2, 255, 254];
        byte[] second = [9, 8, 7, 6];
        var unpaddedFirst = Convert.ToBase64String(first).TrimEnd('=');
        var paddedSecond = Convert.ToBase64String(second);
        var request = new EchoRequest { EchoHeaders = { "x-trace-bin", "x-user" } };

        var response = await CallAsync(
            EchoPath,
            GrpcWire.Frame(request),
            [("x-trace-bin", unpaddedFirst + "," + paddedSecond), ("x-user", "alice")]);

        Assert.Equal("0", response.GrpcStatus);
        var reply = EchoReply.Parser.ParseFrom(response.Messages()[0].Payload);
        Assert.Equal("alice", reply.Headers["x-user"]);

        // The handler saw two binary entries (the last one wins in the reply map) and echoed both.
        Assert.Equal(Convert.ToBase64String(second), reply.Headers["x-trace-bin"]);
        var echoed = response.Headers.Where(h => h.Name == "x-trace-bin").Select(h => h.Value).ToList();
        Assert.Equal(2, echoed.Count);
        Assert.All(echoed, v => Assert.DoesNotContain('=', v));
        Assert.Equal(first, DecodeBase64(echoed[0]));
        Assert.Equal(second, DecodeBase64(echoed[1]));
        Assert.Equal("alice", response.Header("x-user"));
        Assert.Equal(first, DecodeBase64(response.Trailers.First(t => t.Name == "x-trace-bin").Value));
    }

    [Fact]
    public async Task ServerStreaming_FirstMessage_FlushedBeforeHandlerEnds()
    {
        var name = nameof(ServerStreaming_FirstMessage_FlushedBeforeHandlerEnds);
        var probe = _server.Service.Probe(name);
        var stream = await _connection.StartCallAsync(StreamPath, cancellationToken: Token);
        await _connection.SendDataAsync(stream, GrpcWire.Frame(new StreamRequest { Count = 1, WaitAfter = true, Probe = name }), endStream: true, Token);

        Assert.IsType<HeadersEvent>(await _connection.ReadEventAsync(stream, Token));
        var data = Assert.IsType<DataEvent>(await _connection.ReadEventAsync(stream, Token));

        // The handler is still waiting for cancellation, so this message was flushed on its own.
        Assert.False(probe.Finished.Task.IsCompleted);
        Assert.Equal(0, EchoReply.Parser.ParseFrom(data.Data.AsSpan(5)).Index);
        await _connection.SendResetAsync(stream, RawHttp2Connection.Cancel, Token);
        await probe.Finished.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);
    }

    [Fact]
    public async Task ServerStreaming_NoMessages_TrailersOnlyOk()
    {
        var response = await CallAsync(StreamPath, GrpcWire.Frame(new StreamRequest { Count = 0 }));

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("0", response.GrpcStatus);
    }

    [Fact]
    public async Task ServerStreaming_ManyMessages_AllFramedInOrder()
    {
        var response = await CallAsync(StreamPath, GrpcWire.Frame(new StreamRequest { Count = 300, PayloadSize = 100 }));

        Assert.Equal("0", response.GrpcStatus);
        var indexes = response.Messages().Select(m => EchoReply.Parser.ParseFrom(m.Payload).Index).ToList();
        Assert.Equal(Enumerable.Range(0, 300), indexes);
    }

    [Fact]
    public async Task MaxSendMessageSize_Exceeded_ResourceExhausted()
    {
        await using var server = await GrpcTestServer.StartAsync(o => o.MaxSendMessageSize = 100, Token);
        await using var connection = await RawHttp2Connection.ConnectAsync(server.Http2EndPoint, Token);
        var stream = await connection.StartCallAsync(EchoPath, cancellationToken: Token);
        await connection.SendDataAsync(stream, GrpcWire.Frame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[200]) }), endStream: true, Token);

        var response = await connection.ReadResponseAsync(stream, Token);

        Assert.True(response.IsTrailersOnly, response.ToString());
        Assert.Equal("8", response.GrpcStatus);
        Assert.Equal("Sending message exceeds the maximum configured message size.", response.Trailer("grpc-message"));
    }

    private static byte[] DecodeBase64(string value) =>
        Convert.FromBase64String(value.PadRight(value.Length + ((4 - (value.Length % 4)) % 4), '='));

    private async Task<RawHttp2Response> CallAsync(string path, byte[] body, IEnumerable<(string, string)>? headers = null, string contentType = "application/grpc")
    {
        var stream = await _connection.StartCallAsync(path, headers, contentType, cancellationToken: Token);
        await _connection.SendDataAsync(stream, body, endStream: true, Token);
        return await _connection.ReadResponseAsync(stream, Token);
    }
}
