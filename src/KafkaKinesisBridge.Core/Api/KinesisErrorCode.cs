namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// The errors the core reports: the Kinesis Data Streams error vocabulary (API reference, "Errors"
/// section of each operation, and "Common Errors"). Front doors translate these, and only these,
/// into their wire form (<c>__type</c> for AWS JSON, grpc-status plus <c>kinesis-error-type</c>).
/// </summary>
public enum KinesisErrorCode
{
    /// <summary>The stream or shard does not exist (or is not ready). HTTP 400.</summary>
    ResourceNotFound,

    /// <summary>The resource is not in a state that allows the operation (CREATING, DELETING, exists already). HTTP 400.</summary>
    ResourceInUse,

    /// <summary>A parameter is semantically invalid (Kinesis "InvalidArgumentException"). HTTP 400.</summary>
    InvalidArgument,

    /// <summary>A request-shape constraint failed (length, range, pattern, required member). HTTP 400.</summary>
    Validation,

    /// <summary>An account or stream limit would be exceeded. HTTP 400.</summary>
    LimitExceeded,

    /// <summary>A per-shard throughput quota was exceeded. HTTP 400.</summary>
    ProvisionedThroughputExceeded,

    /// <summary>The shard iterator has expired. HTTP 400.</summary>
    ExpiredIterator,

    /// <summary>The pagination token has expired. HTTP 400.</summary>
    ExpiredNextToken,

    /// <summary>The caller may not perform the operation. HTTP 400.</summary>
    AccessDenied,

    /// <summary>An internal failure (storage error whose outcome is unknown). HTTP 500. Retriable.</summary>
    InternalFailure,

    /// <summary>The service cannot serve now (storage unavailable, still starting). HTTP 503. Retriable.</summary>
    ServiceUnavailable,
}

/// <summary>Names and classes of <see cref="KinesisErrorCode"/>.</summary>
public static class KinesisErrorCodeExtensions
{
    /// <summary>
    /// The exact Kinesis error name, as in the AWS JSON <c>__type</c> member and the
    /// <c>kinesis-error-type</c> gRPC trailer, for example <c>ResourceNotFoundException</c>.
    /// </summary>
    public static string ToErrorName(this KinesisErrorCode code) => code switch
    {
        KinesisErrorCode.ResourceNotFound => "ResourceNotFoundException",
        KinesisErrorCode.ResourceInUse => "ResourceInUseException",
        KinesisErrorCode.InvalidArgument => "InvalidArgumentException",
        KinesisErrorCode.Validation => "ValidationException",
        KinesisErrorCode.LimitExceeded => "LimitExceededException",
        KinesisErrorCode.ProvisionedThroughputExceeded => "ProvisionedThroughputExceededException",
        KinesisErrorCode.ExpiredIterator => "ExpiredIteratorException",
        KinesisErrorCode.ExpiredNextToken => "ExpiredNextTokenException",
        KinesisErrorCode.AccessDenied => "AccessDeniedException",
        KinesisErrorCode.InternalFailure => "InternalFailureException",
        KinesisErrorCode.ServiceUnavailable => "ServiceUnavailableException",
        _ => "InternalFailureException",
    };

    /// <summary>The HTTP status Kinesis answers with for this error: 400, 500 or 503.</summary>
    public static int ToHttpStatusCode(this KinesisErrorCode code) => code switch
    {
        KinesisErrorCode.InternalFailure => 500,
        KinesisErrorCode.ServiceUnavailable => 503,
        _ => 400,
    };

    /// <summary>True for errors a client may retry unchanged (throttling, internal, unavailable).</summary>
    public static bool IsRetriable(this KinesisErrorCode code) =>
        code is KinesisErrorCode.ProvisionedThroughputExceeded
            or KinesisErrorCode.LimitExceeded
            or KinesisErrorCode.InternalFailure
            or KinesisErrorCode.ServiceUnavailable;

    /// <summary>Parses an error name produced by <see cref="ToErrorName"/>.</summary>
    public static bool TryParse(string? name, out KinesisErrorCode code)
    {
        foreach (var candidate in Enum.GetValues<KinesisErrorCode>())
        {
            if (string.Equals(candidate.ToErrorName(), name, StringComparison.Ordinal))
            {
                code = candidate;
                return true;
            }
        }

        code = default;
        return false;
    }
}

/// <summary>
/// Per-record error codes of a PutRecords response (<c>PutRecordsResultEntry.ErrorCode</c>): Kinesis
/// uses exactly these two strings there.
/// </summary>
public static class PutRecordsErrorCodes
{
    /// <summary>The shard's write quota was exceeded for this record.</summary>
    public const string ProvisionedThroughputExceeded = "ProvisionedThroughputExceededException";

    /// <summary>Storage failed to append this record.</summary>
    public const string InternalFailure = "InternalFailure";
}
