using System.Buffers;
using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Rpc;
using KafkaKinesisBridge.Grpc.Tests.Echo;

namespace KafkaKinesisBridge.Grpc.Tests.Infrastructure;

/// <summary>What the server saw of one call, for assertions on the server side.</summary>
internal sealed class CallProbe
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the handler's cancellation token fires.</summary>
    public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the handler returns or throws.</summary>
    public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DateTime Deadline { get; set; }
}

/// <summary>The test service of echo.proto on the transport under test.</summary>
internal sealed class EchoService
{
    public const string ServiceName = "kkb.test.echo.v1.EchoService";
    public const string ErrorDomain = "test.kkb";

    public static readonly Method<EchoRequest, EchoReply> EchoMethod =
        new(MethodType.Unary, ServiceName, "Echo", EchoRequest.Parser, EchoReply.Parser);

    public static readonly Method<StreamRequest, EchoReply> StreamMethod =
        new(MethodType.ServerStreaming, ServiceName, "Stream", StreamRequest.Parser, EchoReply.Parser);

    /// <summary>A method with its own marshallers (not in echo.proto): answers the request bytes reversed.</summary>
    public static readonly Method<RawPayload, RawPayload> ReverseMethod =
        new(MethodType.Unary, ServiceName, "Reverse", RawPayload.Marshaller, RawPayload.Marshaller);

    private readonly ConcurrentDictionary<string, CallProbe> _probes = new(StringComparer.Ordinal);

    /// <summary>Every message the Reverse handler received or returned, to check they were disposed.</summary>
    public ConcurrentQueue<RawPayload> ReverseMessages { get; } = new();

    public GrpcServiceDefinition Definition => GrpcServiceDefinition.CreateBuilder(ServiceName)
        .AddUnaryMethod(EchoMethod, EchoAsync)
        .AddServerStreamingMethod(StreamMethod, StreamAsync)
        .AddUnaryMethod(ReverseMethod, ReverseAsync)
        .Build();

    public CallProbe Probe(string name) => _probes.GetOrAdd(name, static _ => new CallProbe());

    private async ValueTask<EchoReply> EchoAsync(EchoRequest request, ServerCallContext context)
    {
        var probe = string.IsNullOrEmpty(request.Probe) ? null : Probe(request.Probe);
        using var registration = Observe(probe, context);
        try
        {
            if (request.CompressResponse)
            {
                context.ResponseCompression = GrpcCompression.Gzip;
            }

            var reply = new EchoReply
            {
                Message = request.Message,
                Payload = request.Payload,
                RequestEncoding = context.HttpContext?.Request.Headers["grpc-encoding"].ToString() ?? string.Empty,
                Peer = context.Peer,
                HasDeadline = context.Deadline != DateTime.MaxValue,
            };
            EchoHeaders(request.EchoHeaders, context, reply);

            if (request.DelayMs != 0)
            {
                await Task.Delay(request.DelayMs < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(request.DelayMs), context.CancellationToken);
            }

            if (request.Failure is { } failure)
            {
                if (request.SendHeadersFirst)
                {
                    await context.WriteResponseHeadersAsync();
                }

                throw CreateFailure(failure);
            }

            return reply;
        }
        finally
        {
            probe?.Finished.TrySetResult();
        }
    }

    private ValueTask<RawPayload> ReverseAsync(RawPayload request, ServerCallContext context)
    {
        ReverseMessages.Enqueue(request);
        var reversed = request.Bytes.ToArray();
        Array.Reverse(reversed);
        var response = new RawPayload(reversed);
        ReverseMessages.Enqueue(response);
        return ValueTask.FromResult(response);
    }

    private async Task StreamAsync(StreamRequest request, IServerStreamWriter<EchoReply> writer, ServerCallContext context)
    {
        var probe = string.IsNullOrEmpty(request.Probe) ? null : Probe(request.Probe);
        using var registration = Observe(probe, context);
        try
        {
            var payload = ByteString.CopyFrom(new byte[request.PayloadSize]);
            for (var i = 0; i < request.Count; i++)
            {
                await writer.WriteAsync(new EchoReply { Index = i, Payload = payload, Message = $"message {i}" });
            }

            if (request.WaitAfter)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
            }

            if (request.FailAfter is { } failure)
            {
                throw CreateFailure(failure);
            }
        }
        finally
        {
            probe?.Finished.TrySetResult();
        }
    }

    private static CancellationTokenRegistration Observe(CallProbe? probe, ServerCallContext context)
    {
        if (probe is null)
        {
            return default;
        }

        probe.Deadline = context.Deadline;
        probe.Started.TrySetResult();
        return context.CancellationToken.Register(() => probe.Cancelled.TrySetResult());
    }

    private static void EchoHeaders(IEnumerable<string> keys, ServerCallContext context, EchoReply reply)
    {
        foreach (var key in keys)
        {
            foreach (var entry in context.RequestHeaders.GetAll(key))
            {
                if (entry.IsBinary)
                {
                    reply.Headers[key] = Convert.ToBase64String(entry.ValueBytes);
                    context.ResponseHeaders.Add(key, entry.ValueBytes);
                    context.ResponseTrailers.Add(key, entry.ValueBytes);
                }
                else
                {
                    reply.Headers[key] = entry.Value;
                    context.ResponseHeaders.Add(key, entry.Value);
                    context.ResponseTrailers.Add(key, entry.Value);
                }
            }
        }
    }

    private static Exception CreateFailure(Failure failure)
    {
        if (failure.ThrowUnexpected)
        {
            return new InvalidOperationException("secret internal detail " + failure.Message);
        }

        var code = (StatusCode)failure.Code;
        var exception = string.IsNullOrEmpty(failure.ErrorReason)
            ? new GrpcStatusException(code, failure.Message)
            : GrpcStatusException.WithDetails(code, failure.Message, new ErrorInfo { Reason = failure.ErrorReason, Domain = ErrorDomain });
        foreach (var (key, value) in failure.Trailers)
        {
            exception.Trailers.Add(key, value);
        }

        return exception;
    }
}

/// <summary>
/// A message that is its own bytes, read and written by a custom <see cref="Marshaller{T}"/>. A
/// payload starting with 0xFF fails to deserialize. Disposal is recorded.
/// </summary>
internal sealed class RawPayload(byte[] bytes) : IDisposable
{
    public static readonly Marshaller<RawPayload> Marshaller = new(
        payload =>
        {
            var bytes = payload.ToArray();
            return bytes.Length > 0 && bytes[0] == 0xFF ? throw new FormatException("0xFF is not a valid first byte.") : new RawPayload(bytes);
        },
        message => message.Bytes.Length,
        (message, writer) => writer.Write(message.Bytes));

    public byte[] Bytes { get; } = bytes;

    public bool Disposed { get; private set; }

    public void Dispose() => Disposed = true;
}
