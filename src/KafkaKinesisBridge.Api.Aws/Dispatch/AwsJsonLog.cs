using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>Log messages of the AWS JSON front door (event ids 1200-1299).</summary>
internal static partial class AwsJsonLog
{
    [LoggerMessage(1200, LogLevel.Debug, "Request {RequestId} ({Target}) rejected with {ErrorType} (HTTP {StatusCode}): {Message}")]
    public static partial void Rejected(ILogger logger, string requestId, string target, string errorType, int statusCode, string? message);

    [LoggerMessage(1201, LogLevel.Error, "Request {RequestId} for {Operation} failed with an unexpected error.")]
    public static partial void HandlerFailed(ILogger logger, string requestId, string operation, Exception exception);

    [LoggerMessage(1202, LogLevel.Information, "Request {RequestId} for {Operation}: signature rejected ({ErrorType}) for access key {AccessKeyId}.")]
    public static partial void AuthenticationFailed(ILogger logger, string requestId, string operation, string errorType, string? accessKeyId);

    [LoggerMessage(1203, LogLevel.Information, "Request {RequestId}: body of {Length} bytes or more exceeds the limit of {Limit} bytes.")]
    public static partial void BodyTooLarge(ILogger logger, string requestId, long length, int limit);

    [LoggerMessage(1204, LogLevel.Debug, "Request {RequestId} for {Operation}: malformed body: {Message}")]
    public static partial void MalformedBody(ILogger logger, string requestId, string operation, string message);

    [LoggerMessage(1206, LogLevel.Information, "Request {RequestId}: malformed or too slow HTTP body (HTTP {StatusCode}): {Message}")]
    public static partial void MalformedFraming(ILogger logger, string requestId, int statusCode, string message);

    [LoggerMessage(1207, LogLevel.Debug, "Request {RequestId}: the answer to a malformed body could not be sent ({Reason}); the connection is closed.")]
    public static partial void MalformedFramingUnanswered(ILogger logger, string requestId, string reason);

    [LoggerMessage(1205, LogLevel.Debug, "Request {RequestId} for {Operation} ended: the client went away.")]
    public static partial void ClientAborted(ILogger logger, string requestId, string operation);
}
