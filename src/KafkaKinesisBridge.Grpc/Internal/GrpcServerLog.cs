using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>Log messages of the server transport, with fixed event ids.</summary>
internal static partial class GrpcServerLog
{
    [LoggerMessage(EventId = 1, EventName = "UnsupportedContentType", Level = LogLevel.Debug,
        Message = "gRPC request to '{Path}' has unsupported content-type '{ContentType}'.")]
    public static partial void UnsupportedContentType(ILogger logger, string? path, string? contentType);

    [LoggerMessage(EventId = 2, EventName = "UnsupportedProtocol", Level = LogLevel.Debug,
        Message = "gRPC request to '{Path}' over unsupported protocol '{Protocol}'; HTTP/2 is required.")]
    public static partial void UnsupportedProtocol(ILogger logger, string? path, string protocol);

    [LoggerMessage(EventId = 3, EventName = "UnimplementedMethod", Level = LogLevel.Debug,
        Message = "gRPC method '{Path}' is not implemented.")]
    public static partial void UnimplementedMethod(ILogger logger, string? path);

    [LoggerMessage(EventId = 4, EventName = "DeadlineExceeded", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' exceeded its deadline of {Timeout}.")]
    public static partial void DeadlineExceeded(ILogger logger, string path, TimeSpan timeout);

    [LoggerMessage(EventId = 5, EventName = "HandlerException", Level = LogLevel.Error,
        Message = "Unexpected exception in gRPC method '{Path}'.")]
    public static partial void HandlerException(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 6, EventName = "CallFailed", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' ended with status {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string path, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 7, EventName = "UnsupportedEncoding", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' uses unsupported grpc-encoding '{Encoding}'.")]
    public static partial void UnsupportedEncoding(ILogger logger, string path, string encoding);

    [LoggerMessage(EventId = 8, EventName = "CallCancelled", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' was cancelled by the client.")]
    public static partial void CallCancelled(ILogger logger, string path);

    [LoggerMessage(EventId = 9, EventName = "InvalidTimeout", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' has an invalid grpc-timeout '{Value}'; no deadline applied.")]
    public static partial void InvalidTimeout(ILogger logger, string path, string value);

    [LoggerMessage(EventId = 10, EventName = "InvalidBinaryHeader", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}' has request header '{Header}' that is not valid base64; it is left out of RequestHeaders.")]
    public static partial void InvalidBinaryHeader(ILogger logger, string path, string header);

    [LoggerMessage(EventId = 11, EventName = "DeadlineCompletionFailed", Level = LogLevel.Debug,
        Message = "Sending DEADLINE_EXCEEDED for gRPC call '{Path}' failed.")]
    public static partial void DeadlineCompletionFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 12, EventName = "ReservedMetadataSkipped", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}': metadata key '{Key}' is reserved by the transport and was not sent.")]
    public static partial void ReservedMetadataSkipped(ILogger logger, string path, string key);

    [LoggerMessage(EventId = 13, EventName = "DeserializationFailed", Level = LogLevel.Debug,
        Message = "gRPC call '{Path}': the request message could not be deserialized.")]
    public static partial void DeserializationFailed(ILogger logger, string path, Exception exception);
}
