using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal.Wire;
using KafkaKinesisBridge.Core.Api;
using Microsoft.AspNetCore.Routing;
using Proto = KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Binds the methods of <c>kafkakinesisbridge.streams.v1.KinesisStreams</c> to
/// <see cref="KinesisStreamsGrpcService"/> for Grpc.AspNetCore. The generated
/// <c>KinesisStreams.BindService</c> would give every method Google.Protobuf's marshallers; this
/// provider gives the hot methods their hand-made ones (Internal/Wire: PutRecords parsed into pooled
/// memory, PutRecords and GetRecords responses written without an object per record). The bytes on
/// the wire are the same, so clients see no difference. A test checks that the methods here are
/// exactly those of the service in the proto descriptor.
/// </summary>
internal sealed class KinesisStreamsMethodProvider : IServiceMethodProvider<KinesisStreamsGrpcService>
{
    /// <summary>The fully qualified service name.</summary>
    public static readonly string ServiceName = Proto.KinesisStreams.Descriptor.FullName;

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<KinesisStreamsGrpcService> context)
    {
        // Stream lifecycle
        Unary(context, "CreateStream", Proto.CreateStreamRequest.Parser, (s, r, c) => s.CreateStream(r, c));
        Unary(context, "DeleteStream", Proto.DeleteStreamRequest.Parser, (s, r, c) => s.DeleteStream(r, c));
        Unary(context, "DescribeStream", Proto.DescribeStreamRequest.Parser, (s, r, c) => s.DescribeStream(r, c));
        Unary(context, "DescribeStreamSummary", Proto.DescribeStreamSummaryRequest.Parser, (s, r, c) => s.DescribeStreamSummary(r, c));
        Unary(context, "ListStreams", Proto.ListStreamsRequest.Parser, (s, r, c) => s.ListStreams(r, c));
        Unary(context, "ListShards", Proto.ListShardsRequest.Parser, (s, r, c) => s.ListShards(r, c));

        // Data plane: PutRecords and GetRecords through the hand-made codecs.
        Unary(context, "PutRecord", Proto.PutRecordRequest.Parser, (s, r, c) => s.PutRecord(r, c));
        Unary(context, "PutRecords", PutRecordsGrpcRequest.Marshaller, PutRecordsGrpcResponse.Marshaller, (s, r, c) => s.PutRecords(r, c));
        Unary(context, "GetShardIterator", Proto.GetShardIteratorRequest.Parser, (s, r, c) => s.GetShardIterator(r, c));
        Unary(context, "GetRecords", ProtobufMarshaller.For(Proto.GetRecordsRequest.Parser), GetRecordsGrpcResponse.Marshaller, (s, r, c) => s.GetRecords(r, c));

        // Stream settings
        Unary(context, "IncreaseStreamRetentionPeriod", Proto.IncreaseStreamRetentionPeriodRequest.Parser, (s, r, c) => s.IncreaseStreamRetentionPeriod(r, c));
        Unary(context, "DecreaseStreamRetentionPeriod", Proto.DecreaseStreamRetentionPeriodRequest.Parser, (s, r, c) => s.DecreaseStreamRetentionPeriod(r, c));
        Unary(context, "UpdateMaxRecordSize", Proto.UpdateMaxRecordSizeRequest.Parser, (s, r, c) => s.UpdateMaxRecordSize(r, c));
        Unary(context, "DescribeLimits", Proto.DescribeLimitsRequest.Parser, (s, r, c) => s.DescribeLimits(r, c));
        Unary(context, "EnableEnhancedMonitoring", Proto.EnableEnhancedMonitoringRequest.Parser, (s, r, c) => s.EnableEnhancedMonitoring(r, c));
        Unary(context, "DisableEnhancedMonitoring", Proto.DisableEnhancedMonitoringRequest.Parser, (s, r, c) => s.DisableEnhancedMonitoring(r, c));

        // Tags
        Unary(context, "AddTagsToStream", Proto.AddTagsToStreamRequest.Parser, (s, r, c) => s.AddTagsToStream(r, c));
        Unary(context, "RemoveTagsFromStream", Proto.RemoveTagsFromStreamRequest.Parser, (s, r, c) => s.RemoveTagsFromStream(r, c));
        Unary(context, "ListTagsForStream", Proto.ListTagsForStreamRequest.Parser, (s, r, c) => s.ListTagsForStream(r, c));

        // Enhanced fan-out
        Unary(context, "RegisterStreamConsumer", Proto.RegisterStreamConsumerRequest.Parser, (s, r, c) => s.RegisterStreamConsumer(r, c));
        Unary(context, "DeregisterStreamConsumer", Proto.DeregisterStreamConsumerRequest.Parser, (s, r, c) => s.DeregisterStreamConsumer(r, c));
        Unary(context, "DescribeStreamConsumer", Proto.DescribeStreamConsumerRequest.Parser, (s, r, c) => s.DescribeStreamConsumer(r, c));
        Unary(context, "ListStreamConsumers", Proto.ListStreamConsumersRequest.Parser, (s, r, c) => s.ListStreamConsumers(r, c));
        ServerStreaming<Proto.SubscribeToShardRequest, Proto.SubscribeToShardEvent>(context, "SubscribeToShard", Proto.SubscribeToShardRequest.Parser, (s, r, w, c) => s.SubscribeToShard(r, w, c));
    }

    private static void ServerStreaming<TRequest, TResponse>(
        ServiceMethodProviderContext<KinesisStreamsGrpcService> context,
        string name,
        MessageParser<TRequest> requestParser,
        ServerStreamingServerMethod<KinesisStreamsGrpcService, TRequest, TResponse> invoker)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var method = new Method<TRequest, TResponse>(MethodType.ServerStreaming, ServiceName, name, ProtobufMarshaller.For(requestParser), ProtobufMarshaller.For<TResponse>());
        context.AddServerStreamingMethod(method, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)], async (service, request, writer, callContext) =>
        {
            try
            {
                await invoker(service, request, writer, callContext).ConfigureAwait(false);
            }
            catch (KinesisException error)
            {
                // Before the first message: Trailers-Only; after it: in the trailers. Same shape as unary.
                throw KinesisGrpcErrors.ToRpcException(error);
            }
        });
    }

    private static void Unary<TRequest, TResponse>(
        ServiceMethodProviderContext<KinesisStreamsGrpcService> context,
        string name,
        MessageParser<TRequest> requestParser,
        UnaryServerMethod<KinesisStreamsGrpcService, TRequest, TResponse> invoker)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        Unary(context, name, ProtobufMarshaller.For(requestParser), ProtobufMarshaller.For<TResponse>(), invoker);

    private static void Unary<TRequest, TResponse>(
        ServiceMethodProviderContext<KinesisStreamsGrpcService> context,
        string name,
        Marshaller<TRequest> requestMarshaller,
        Marshaller<TResponse> responseMarshaller,
        UnaryServerMethod<KinesisStreamsGrpcService, TRequest, TResponse> invoker)
        where TRequest : class
        where TResponse : class
    {
        var method = new Method<TRequest, TResponse>(MethodType.Unary, ServiceName, name, requestMarshaller, responseMarshaller);

        // As Grpc.AspNetCore's own binder: POST only (a CORS preflight is let through to CORS).
        context.AddUnaryMethod(method, [new HttpMethodMetadata(["POST"], acceptCorsPreflight: true)], Handle(invoker));
    }

    /// <summary>
    /// What every call needs around the service method, done here rather than in interceptors (which
    /// cost an activation and a continuation per call each; measured: about 1 KB and several
    /// microseconds per PutRecord): the pooled messages of the hot methods (Internal/Wire) go back to
    /// their pools when the request is over, after the response was serialized, since Grpc.AspNetCore
    /// never disposes messages; and the core's <see cref="KinesisException"/> becomes the
    /// streams.proto error shape (<see cref="KinesisGrpcErrors"/>), the one place that happens.
    /// </summary>
    private static UnaryServerMethod<KinesisStreamsGrpcService, TRequest, TResponse> Handle<TRequest, TResponse>(
        UnaryServerMethod<KinesisStreamsGrpcService, TRequest, TResponse> invoker)
        where TRequest : class
        where TResponse : class =>
        async (service, request, context) =>
        {
            if (request is IDisposable disposableRequest)
            {
                context.GetHttpContext().Response.RegisterForDispose(disposableRequest);
            }

            try
            {
                var response = await invoker(service, request, context).ConfigureAwait(false);
                if (response is IDisposable disposableResponse)
                {
                    context.GetHttpContext().Response.RegisterForDispose(disposableResponse);
                }

                return response;
            }
            catch (KinesisException error)
            {
                throw KinesisGrpcErrors.ToRpcException(error);
            }
        };
}
