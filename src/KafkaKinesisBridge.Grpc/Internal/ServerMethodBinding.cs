using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>One registered method: its path and how to run a call to it.</summary>
internal abstract class ServerMethodBinding(string path)
{
    /// <summary>The :path, "/{Service}/{Method}".</summary>
    public string Path { get; } = path;

    /// <summary>Runs one call. The request is known to be POST, HTTP/2 and application/grpc.</summary>
    public abstract Task HandleCallAsync(HttpContext httpContext, GrpcServerRuntime runtime);
}

/// <summary>A unary method: read exactly one request message, call the handler, write one response.</summary>
internal sealed class UnaryMethodBinding<TRequest, TResponse>(
    string path,
    MessageParser<TRequest> parser,
    Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler) : ServerMethodBinding(path)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task HandleCallAsync(HttpContext httpContext, GrpcServerRuntime runtime)
    {
        var call = new ServerCall<TRequest, TResponse>(httpContext, runtime, Path);
        if (!call.TryStart())
        {
            return;
        }

        try
        {
            var request = await call.ReadRequestAsync(parser);
            var response = await handler(request, call);
            call.CompleteWithResponse(response);
        }
        catch (Exception ex)
        {
            call.CompleteWithError(ex);
        }
        finally
        {
            await call.DisposeAsync();
        }
    }
}

/// <summary>A server-streaming method: read one request message, let the handler write any number of responses.</summary>
internal sealed class ServerStreamingMethodBinding<TRequest, TResponse>(
    string path,
    MessageParser<TRequest> parser,
    Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : ServerMethodBinding(path)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public override async Task HandleCallAsync(HttpContext httpContext, GrpcServerRuntime runtime)
    {
        var call = new ServerCall<TRequest, TResponse>(httpContext, runtime, Path);
        if (!call.TryStart())
        {
            return;
        }

        try
        {
            var request = await call.ReadRequestAsync(parser);
            await handler(request, call, call);
            call.CompleteWithOk();
        }
        catch (Exception ex)
        {
            call.CompleteWithError(ex);
        }
        finally
        {
            await call.DisposeAsync();
        }
    }
}
