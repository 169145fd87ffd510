using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// The error shape of the gRPC front door, as documented in streams.proto: the status code derived
/// from the Kinesis error, grpc-message = the Kinesis message, the error name in the
/// <c>kinesis-error-type</c> trailer and in a google.rpc.ErrorInfo (reason = error name, domain =
/// "kinesis.amazonaws.com") inside the google.rpc.Status carried by grpc-status-details-bin.
/// </summary>
internal static class KinesisGrpcErrors
{
    /// <summary>Trailer carrying the Kinesis error name.</summary>
    public const string ErrorTypeTrailer = "kinesis-error-type";

    /// <summary>Trailer carrying the serialized google.rpc.Status (gRPC richer error model).</summary>
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    /// <summary>ErrorInfo domain for Kinesis errors.</summary>
    public const string Domain = "kinesis.amazonaws.com";

    /// <summary>Kinesis' name for a malformed request (AWS JSON: HTTP 400 SerializationException).</summary>
    public const string SerializationException = "SerializationException";

    /// <summary>The gRPC status code for a Kinesis error (the table in streams.proto).</summary>
    public static StatusCode ToStatusCode(KinesisErrorCode code) => code switch
    {
        KinesisErrorCode.ResourceNotFound => StatusCode.NotFound,
        KinesisErrorCode.ResourceInUse => StatusCode.FailedPrecondition,
        KinesisErrorCode.InvalidArgument or KinesisErrorCode.Validation => StatusCode.InvalidArgument,
        KinesisErrorCode.ExpiredIterator or KinesisErrorCode.ExpiredNextToken => StatusCode.FailedPrecondition,
        KinesisErrorCode.LimitExceeded or KinesisErrorCode.ProvisionedThroughputExceeded => StatusCode.ResourceExhausted,
        KinesisErrorCode.AccessDenied => StatusCode.PermissionDenied,
        KinesisErrorCode.ServiceUnavailable => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    /// <summary>The RpcException for a core error.</summary>
    public static RpcException ToRpcException(KinesisException error) =>
        Create(ToStatusCode(error.Code), error.ErrorName, error.Message);

    /// <summary>A request whose bytes cannot be taken as they are (invalid UTF-8): INVALID_ARGUMENT, SerializationException.</summary>
    public static RpcException SerializationError(string message) =>
        Create(StatusCode.InvalidArgument, SerializationException, message);

    /// <summary>
    /// A request message that is not valid protobuf: INTERNAL "Failed to deserialize request
    /// message." (the status and message grpc-dotnet and grpc-go give it), SerializationException.
    /// Grpc.AspNetCore itself would answer UNKNOWN "Exception was thrown by handler.", so the
    /// marshallers throw this instead.
    /// </summary>
    public static RpcException DeserializationFailure() =>
        Create(StatusCode.Internal, SerializationException, "Failed to deserialize request message.");

    /// <summary>An RpcException with the full error shape.</summary>
    public static RpcException Create(StatusCode code, string errorName, string message)
    {
        var trailers = new Metadata
        {
            { ErrorTypeTrailer, errorName },
            { StatusDetailsTrailer, StatusDetails(code, errorName, message) },
        };
        return new RpcException(new global::Grpc.Core.Status(code, message), trailers, message);
    }

    /// <summary>The serialized google.rpc.Status with one ErrorInfo naming the Kinesis error.</summary>
    public static byte[] StatusDetails(StatusCode code, string errorName, string message)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = errorName, Domain = Domain }));
        return Google.Protobuf.MessageExtensions.ToByteArray(status);
    }
}
