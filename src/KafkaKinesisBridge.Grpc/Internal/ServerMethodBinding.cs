namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>One registered method: its path and how to run a call to it.</summary>
internal abstract class ServerMethodBinding(string path)
{
    /// <summary>The :path, "/{Service}/{Method}".</summary>
    public string Path { get; } = path;

    /// <summary>Runs one call. The request is known to be POST, HTTP/2 and application/grpc.</summary>
    public abstract Task HandleCallAsync(Microsoft.AspNetCore.Http.HttpContext httpContext, GrpcServerRuntime runtime);

    /// <summary>Releases a message that holds pooled memory (see <see cref="Marshaller{T}"/>).</summary>
    protected static void Release(object? message)
    {
        if (message is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}

/// <summary>A unary method: read exactly one request message, call the handler, write one response.</summary>
internal sealed class UnaryMethodBinding<TRequest, TResponse>(
    string path,
    Marshaller<TRequest> requestMarshaller,
    Marshaller<TResponse> responseMarshaller,
    Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler) : ServerMethodBinding(path)
    where TRequest : class
    where TResponse : class
{
    public override async Task HandleCallAsync(Microsoft.AspNetCore.Http.HttpContext httpContext, GrpcServerRuntime runtime)
    {
        var call = new ServerCall<TRequest, TResponse>(httpContext, runtime, Path, responseMarshaller);
        if (!call.TryStart())
        {
            return;
        }

        TRequest? request = null;
        TResponse? response = null;
        try
        {
            request = await call.ReadRequestAsync(requestMarshaller);
            response = await handler(request, call);
            call.CompleteWithResponse(response);
        }
        catch (Exception ex)
        {
            call.CompleteWithError(ex);
        }
        finally
        {
            await call.DisposeAsync();

            // Written (copied into the response pipe) or abandoned: either way no longer read.
            Release(response);
            Release(request);
        }
    }
}

/// <summary>A server-streaming method: read one request message, let the handler write any number of responses.</summary>
internal sealed class ServerStreamingMethodBinding<TRequest, TResponse>(
    string path,
    Marshaller<TRequest> requestMarshaller,
    Marshaller<TResponse> responseMarshaller,
    Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler) : ServerMethodBinding(path)
    where TRequest : class
    where TResponse : class
{
    public override async Task HandleCallAsync(Microsoft.AspNetCore.Http.HttpContext httpContext, GrpcServerRuntime runtime)
    {
        var call = new ServerCall<TRequest, TResponse>(httpContext, runtime, Path, responseMarshaller);
        if (!call.TryStart())
        {
            return;
        }

        TRequest? request = null;
        try
        {
            request = await call.ReadRequestAsync(requestMarshaller);
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
            Release(request);
        }
    }
}
