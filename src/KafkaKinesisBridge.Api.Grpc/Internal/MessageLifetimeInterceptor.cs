using Grpc.Core;
using Grpc.Core.Interceptors;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Returns pooled messages to their pools: Grpc.AspNetCore never disposes request or response
/// messages, while the hot methods' messages (Internal/Wire) hold pooled buffers and storage memory.
/// Both are registered with <see cref="Microsoft.AspNetCore.Http.HttpResponse.RegisterForDispose"/>,
/// which runs when the request is over, that is after the response message was serialized (or the
/// call failed). Registered first, so a request refused by a later interceptor is disposed too.
/// </summary>
internal sealed class MessageLifetimeInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (request is IDisposable disposableRequest)
        {
            context.GetHttpContext().Response.RegisterForDispose(disposableRequest);
        }

        var response = await continuation(request, context).ConfigureAwait(false);
        if (response is IDisposable disposableResponse)
        {
            context.GetHttpContext().Response.RegisterForDispose(disposableResponse);
        }

        return response;
    }
}
