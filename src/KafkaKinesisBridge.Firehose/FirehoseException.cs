using System.Globalization;

namespace KafkaKinesisBridge.Firehose;

/// <summary>
/// A Firehose error: the name clients read their exception class from and the HTTP status. Names
/// and statuses from the Firehose API reference ("Errors" of each operation; every modeled error is
/// a client error, HTTP 400, except ServiceUnavailableException, HTTP 503) and the service model
/// (botocore firehose/2015-08-04). Constraint violations of the model (lengths, patterns, ranges)
/// are ValidationException, as every AWS JSON service answers them.
/// </summary>
public sealed class FirehoseException : Exception
{
    public FirehoseException()
        : this(FirehoseErrors.InvalidArgument, string.Empty)
    {
    }

    public FirehoseException(string message)
        : this(FirehoseErrors.InvalidArgument, message)
    {
    }

    public FirehoseException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = FirehoseErrors.InternalFailure;
    }

    public FirehoseException(string errorName, string message)
        : base(message)
    {
        ErrorName = errorName;
    }

    /// <summary>The <c>__type</c>, e.g. <c>ResourceNotFoundException</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The HTTP status Firehose answers the error with.</summary>
    public int HttpStatusCode => ErrorName switch
    {
        FirehoseErrors.ServiceUnavailable => 503,
        FirehoseErrors.InternalFailure => 500,
        _ => 400,
    };
}

/// <summary>Error names and the messages Firehose words them with.</summary>
public static class FirehoseErrors
{
    public const string InvalidArgument = "InvalidArgumentException";
    public const string ResourceInUse = "ResourceInUseException";
    public const string ResourceNotFound = "ResourceNotFoundException";
    public const string LimitExceeded = "LimitExceededException";
    public const string ConcurrentModification = "ConcurrentModificationException";
    public const string ServiceUnavailable = "ServiceUnavailableException";
    public const string Validation = "ValidationException";
    public const string InternalFailure = "InternalFailure";
    public const string AccessDenied = "AccessDeniedException";

    /// <summary>ResourceNotFoundException as Firehose words it.</summary>
    public static FirehoseException NotFound(string name, string accountId) =>
        new(ResourceNotFound, $"Firehose {name} under account {accountId} not found.");

    /// <summary>ResourceInUseException for a name taken (CreateDeliveryStream).</summary>
    public static FirehoseException AlreadyExists(string name, string accountId) =>
        new(ResourceInUse, $"Firehose {name} under accountId {accountId} already exists");

    /// <summary>ResourceInUseException for a stream not ACTIVE (updates and deletes while CREATING or DELETING).</summary>
    public static FirehoseException NotActive(string name, string accountId, string status) =>
        new(ResourceInUse, $"Firehose {name} under account {accountId} is in {status} state; the operation needs ACTIVE.");

    /// <summary>InvalidArgumentException for PutRecord/PutRecordBatch on a KinesisStreamAsSource delivery stream.</summary>
    public static FirehoseException PutToKinesisSource() =>
        new(InvalidArgument, "This operation is not permitted on KinesisStreamAsSource delivery stream type.");

    /// <summary>ConcurrentModificationException: CurrentDeliveryStreamVersionId is not the current version.</summary>
    public static FirehoseException VersionMismatch(string name, string given, long current) =>
        new(ConcurrentModification, string.Create(CultureInfo.InvariantCulture, $"Version id {given} of delivery stream {name} is not the current version id {current}; describe the delivery stream and use its VersionId."));

    /// <summary>
    /// ValidationException in the AWS wording: <c>1 validation error detected: Value 'x' at 'member'
    /// failed to satisfy constraint: Member must ...</c>.
    /// </summary>
    public static FirehoseException Constraint(string member, object? value, string constraint) =>
        new(Validation, string.Create(CultureInfo.InvariantCulture, $"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must {constraint}"));

    /// <summary>ValidationException for a required member that is missing.</summary>
    public static FirehoseException Missing(string member) =>
        new(Validation, $"1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null");
}
