using Grpc.Core;
using Grpc.Core.Interceptors;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// The one place where the core's <see cref="KinesisException"/> becomes a gRPC status with the
/// Kinesis error name (<see cref="KinesisGrpcErrors"/>). Interceptors added after this one (for
/// example authentication) run inside it, so a KinesisException they throw gets the same shape.
/// </summary>
internal sealed class KinesisErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request,
        ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (KinesisException error)
        {
            throw KinesisGrpcErrors.ToRpcException(error);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (KinesisException error)
        {
            throw KinesisGrpcErrors.ToRpcException(error);
        }
    }
}
