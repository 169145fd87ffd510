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
/// Describes one gRPC method: its kind, its path "/{package}.{Service}/{Method}" and the parsers of
/// its messages. Create one per method and share it (server registration and client calls).
/// </summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class Method<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    /// <summary>Creates the descriptor.</summary>
    /// <param name="type">The method kind.</param>
    /// <param name="serviceName">The full service name, for example "kafkakinesisbridge.streams.v1.KinesisStreams".</param>
    /// <param name="name">The method name, for example "PutRecords".</param>
    /// <param name="requestParser">Parser of the request message.</param>
    /// <param name="responseParser">Parser of the response message.</param>
    public Method(MethodType type, string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        GrpcServiceDefinition.ValidateName(serviceName, nameof(serviceName));
        GrpcServiceDefinition.ValidateName(name, nameof(name));
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(responseParser);
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
        RequestParser = requestParser;
        ResponseParser = responseParser;
    }

    /// <summary>The method kind.</summary>
    public MethodType Type { get; }

    /// <summary>The full service name.</summary>
    public string ServiceName { get; }

    /// <summary>The method name.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 :path of the method, "/{ServiceName}/{Name}".</summary>
    public string FullName { get; }

    /// <summary>Parser of the request message.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parser of the response message.</summary>
    public MessageParser<TResponse> ResponseParser { get; }

    /// <inheritdoc />
    public override string ToString() => FullName;
}
