using Google.Protobuf;

namespace KafkaKinesisBridge.Grpc;

/// <summary>The kinds of gRPC method this transport serves and calls.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary = 0,

    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming = 1,
}

/// <summary>
/// Describes one gRPC method: its kind, its path "/{package}.{Service}/{Method}" and the marshallers
/// of its messages, as Grpc.Core's <c>Method&lt;TRequest, TResponse&gt;</c>. Create one per method and
/// share it (server registration and client calls).
/// </summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class Method<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
{
    /// <summary>Creates the descriptor of a method whose messages are Google.Protobuf types.</summary>
    /// <param name="type">The method kind.</param>
    /// <param name="serviceName">The full service name, for example "kafkakinesisbridge.streams.v1.KinesisStreams".</param>
    /// <param name="name">The method name, for example "PutRecords".</param>
    /// <param name="requestParser">Parser of the request message (a <see cref="MessageParser{T}"/> of <typeparamref name="TRequest"/>).</param>
    /// <param name="responseParser">Parser of the response message (a <see cref="MessageParser{T}"/> of <typeparamref name="TResponse"/>).</param>
    /// <exception cref="ArgumentException">A message type is not a Google.Protobuf message.</exception>
    public Method(MethodType type, string serviceName, string name, MessageParser requestParser, MessageParser responseParser)
        : this(type, serviceName, name, Marshallers.Protobuf<TRequest>(requestParser), Marshallers.Protobuf<TResponse>(responseParser))
    {
    }

    /// <summary>Creates the descriptor of a method with its own marshallers.</summary>
    /// <param name="type">The method kind.</param>
    /// <param name="serviceName">The full service name.</param>
    /// <param name="name">The method name.</param>
    /// <param name="requestMarshaller">Reads and writes the request message.</param>
    /// <param name="responseMarshaller">Reads and writes the response message.</param>
    public Method(MethodType type, string serviceName, string name, Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        GrpcServiceDefinition.ValidateName(serviceName, nameof(serviceName));
        GrpcServiceDefinition.ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(requestMarshaller);
        ArgumentNullException.ThrowIfNull(responseMarshaller);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestMarshaller = requestMarshaller;
        ResponseMarshaller = responseMarshaller;
    }

    /// <summary>The method kind.</summary>
    public MethodType Type { get; }

    /// <summary>The full service name.</summary>
    public string ServiceName { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 :path of the method, "/{ServiceName}/{Name}".</summary>
    public string FullName { get; }

    /// <summary>Reads and writes the request message.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>Reads and writes the response message.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }

    /// <inheritdoc />
    public override string ToString() => FullName;
}
