using Google.Rpc;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Grpc;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Translates the core's Kinesis errors into gRPC statuses, as documented in streams.proto: the
/// status code derived from the error, grpc-message = the Kinesis message, the error name in the
/// <c>kinesis-error-type</c> trailer and in a google.rpc.ErrorInfo (reason = error name, domain =
/// "kinesis.amazonaws.com") carried by grpc-status-details-bin.
/// </summary>
internal static class KinesisGrpcErrors
{
    /// <summary>Trailer carrying the Kinesis error name.</summary>
    public const string ErrorTypeTrailer = "kinesis-error-type";

    /// <summary>ErrorInfo domain for Kinesis errors.</summary>
    public const string Domain = "kinesis.amazonaws.com";

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

    /// <summary>The transport exception for a Kinesis error.</summary>
    public static GrpcStatusException ToGrpc(KinesisException error)
    {
        var name = error.ErrorName;
        var exception = GrpcStatusException.WithDetails(
            ToStatusCode(error.Code),
            error.Message,
            new ErrorInfo { Reason = name, Domain = Domain });
        exception.Trailers.Add(ErrorTypeTrailer, name);
        return exception;
    }
}
