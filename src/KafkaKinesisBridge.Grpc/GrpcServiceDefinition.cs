using Google.Protobuf;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc;

/// <summary>
/// A gRPC service: its full name and its methods with their handlers. Build one with
/// <see cref="CreateBuilder"/> and serve it with
/// <see cref="GrpcTransportExtensions.AddGrpcService(Microsoft.Extensions.DependencyInjection.IServiceCollection, GrpcServiceDefinition)"/>
/// or <see cref="GrpcTransportExtensions.UseGrpcTransport(Microsoft.AspNetCore.Builder.IApplicationBuilder, GrpcServiceDefinition[])"/>.
/// </summary>
public sealed class GrpcServiceDefinition
{
    private GrpcServiceDefinition(string serviceName, IReadOnlyList<ServerMethodBinding> methods)
    {
        ServiceName = serviceName;
        Methods = methods;
    }

    /// <summary>The full service name, for example "kafkakinesisbridge.streams.v1.KinesisStreams".</summary>
    public string ServiceName { get; }

    /// <summary>The paths served, "/{ServiceName}/{Method}".</summary>
    public IEnumerable<string> MethodPaths => Methods.Select(m => m.Path);

    internal IReadOnlyList<ServerMethodBinding> Methods { get; }

    /// <summary>Starts describing the service named <paramref name="serviceName"/>.</summary>
    public static Builder CreateBuilder(string serviceName) => new(serviceName);

    internal static void ValidateName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' must not contain '/'.", parameterName);
        }
    }

    /// <summary>Collects the methods of a service.</summary>
    public sealed class Builder
    {
        private readonly string _serviceName;
        private readonly List<ServerMethodBinding> _methods = [];

        internal Builder(string serviceName)
        {
            ValidateName(serviceName, nameof(serviceName));
            _serviceName = serviceName;
        }

        /// <summary>Adds a unary method named <paramref name="name"/>.</summary>
        public Builder AddUnaryMethod<TRequest, TResponse>(
            string name,
            MessageParser<TRequest> requestParser,
            Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            ArgumentNullException.ThrowIfNull(requestParser);
            return AddUnaryMethod(name, Marshallers.Protobuf(requestParser), Marshallers.ProtobufWriter<TResponse>(), handler);
        }

        /// <summary>
        /// Adds a unary method named <paramref name="name"/> whose messages are read and written by the
        /// given marshallers (for a hot method that parses into pooled memory; see <see cref="Marshaller{T}"/>).
        /// </summary>
        public Builder AddUnaryMethod<TRequest, TResponse>(
            string name,
            Marshaller<TRequest> requestMarshaller,
            Marshaller<TResponse> responseMarshaller,
            Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
            where TRequest : class
            where TResponse : class
        {
            ValidateName(name, nameof(name));
            ArgumentNullException.ThrowIfNull(requestMarshaller);
            ArgumentNullException.ThrowIfNull(responseMarshaller);
            ArgumentNullException.ThrowIfNull(handler);
            return Add(new UnaryMethodBinding<TRequest, TResponse>(Path(name), requestMarshaller, responseMarshaller, handler));
        }

        /// <summary>Adds the unary method <paramref name="method"/>, which must belong to this service.</summary>
        public Builder AddUnaryMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            Func<TRequest, ServerCallContext, ValueTask<TResponse>> handler)
            where TRequest : class
            where TResponse : class
        {
            CheckMethod(method, MethodType.Unary);
            return AddUnaryMethod(method.Name, method.RequestMarshaller, method.ResponseMarshaller, handler);
        }

        /// <summary>Adds a server-streaming method named <paramref name="name"/>.</summary>
        public Builder AddServerStreamingMethod<TRequest, TResponse>(
            string name,
            MessageParser<TRequest> requestParser,
            Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            ArgumentNullException.ThrowIfNull(requestParser);
            return AddServerStreamingMethod(name, Marshallers.Protobuf(requestParser), Marshallers.ProtobufWriter<TResponse>(), handler);
        }

        /// <summary>Adds a server-streaming method named <paramref name="name"/> with the given marshallers.</summary>
        public Builder AddServerStreamingMethod<TRequest, TResponse>(
            string name,
            Marshaller<TRequest> requestMarshaller,
            Marshaller<TResponse> responseMarshaller,
            Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
            where TRequest : class
            where TResponse : class
        {
            ValidateName(name, nameof(name));
            ArgumentNullException.ThrowIfNull(requestMarshaller);
            ArgumentNullException.ThrowIfNull(responseMarshaller);
            ArgumentNullException.ThrowIfNull(handler);
            return Add(new ServerStreamingMethodBinding<TRequest, TResponse>(Path(name), requestMarshaller, responseMarshaller, handler));
        }

        /// <summary>Adds the server-streaming method <paramref name="method"/>, which must belong to this service.</summary>
        public Builder AddServerStreamingMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
            where TRequest : class
            where TResponse : class
        {
            CheckMethod(method, MethodType.ServerStreaming);
            return AddServerStreamingMethod(method.Name, method.RequestMarshaller, method.ResponseMarshaller, handler);
        }

        /// <summary>Creates the definition.</summary>
        /// <exception cref="InvalidOperationException">No methods were added.</exception>
        public GrpcServiceDefinition Build()
        {
            if (_methods.Count == 0)
            {
                throw new InvalidOperationException($"Service '{_serviceName}' has no methods.");
            }

            return new GrpcServiceDefinition(_serviceName, _methods.ToArray());
        }

        private string Path(string name) => "/" + _serviceName + "/" + name;

        private Builder Add(ServerMethodBinding binding)
        {
            foreach (var existing in _methods)
            {
                if (string.Equals(existing.Path, binding.Path, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Method '{binding.Path}' is already added.");
                }
            }

            _methods.Add(binding);
            return this;
        }

        private void CheckMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected)
            where TRequest : class
            where TResponse : class
        {
            ArgumentNullException.ThrowIfNull(method);
            if (method.Type != expected)
            {
                throw new ArgumentException($"Method '{method.FullName}' is {method.Type}, not {expected}.", nameof(method));
            }

            if (!string.Equals(method.ServiceName, _serviceName, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Method '{method.FullName}' belongs to another service than '{_serviceName}'.", nameof(method));
            }
        }
    }
}
