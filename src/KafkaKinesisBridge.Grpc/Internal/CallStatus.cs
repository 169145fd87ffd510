namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>A status code with its message.</summary>
internal readonly record struct CallStatus(StatusCode Code, string Detail)
{
    /// <summary>A new <see cref="GrpcStatusException"/> carrying this status, to throw.</summary>
    public GrpcStatusException ToException() => new(Code, Detail);
}

/// <summary>
/// The statuses the transport itself produces, allocated once. Messages follow grpc-dotnet where it
/// has one, so clients see familiar text.
/// </summary>
internal static class ProtocolStatus
{
    public static readonly CallStatus ReceivedMessageTooLarge = new(StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
    public static readonly CallStatus SendMessageTooLarge = new(StatusCode.ResourceExhausted, "Sending message exceeds the maximum configured message size.");
    public static readonly CallStatus AdditionalData = new(StatusCode.Internal, "Additional data after the message received.");
    public static readonly CallStatus NoMessage = new(StatusCode.Internal, "No request message received.");
    public static readonly CallStatus IncompleteMessage = new(StatusCode.Internal, "Incomplete message.");
    public static readonly CallStatus ReadCancelled = new(StatusCode.Internal, "Incoming message cancelled.");
    public static readonly CallStatus InvalidCompressedFlag = new(StatusCode.Internal, "Invalid compressed flag in message header.");
    public static readonly CallStatus CompressedWithoutEncoding = new(StatusCode.Internal, "Request did not include grpc-encoding value with compressed message.");
    public static readonly CallStatus DecompressionFailed = new(StatusCode.Internal, "Failed to decompress message.");
    public static readonly CallStatus DeserializationFailed = new(StatusCode.Internal, "Failed to deserialize request message.");
    public static readonly CallStatus DeadlineExceeded = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");
    public static readonly CallStatus Cancelled = new(StatusCode.Cancelled, "Call canceled by the client.");
    public static readonly CallStatus HandlerException = new(StatusCode.Internal, "Exception was thrown by handler.");
    public static readonly CallStatus MethodUnimplemented = new(StatusCode.Unimplemented, "Method is unimplemented.");
    public static readonly CallStatus ServiceUnimplemented = new(StatusCode.Unimplemented, "Service is unimplemented.");
}
