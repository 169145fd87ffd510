namespace KafkaKinesisBridge.Api.Aws.Protocol;

/// <summary>
/// An error as it goes on the wire: the <c>__type</c> a client reads its exception class from, the
/// HTTP status, and the optional <c>message</c>.
/// </summary>
/// <param name="Type">The error name, e.g. <c>ResourceNotFoundException</c>.</param>
/// <param name="StatusCode">The HTTP status Kinesis answers that error with.</param>
/// <param name="Message">The message, or null for the errors Kinesis sends without one.</param>
public readonly record struct KinesisWireError(string Type, int StatusCode, string? Message)
{
    /// <summary>A client error (HTTP 400) of the given type.</summary>
    public static KinesisWireError BadRequest(string type, string? message) => new(type, 400, message);
}

/// <summary>
/// The protocol-level errors the front door itself produces (operation errors come from the core).
/// </summary>
/// <remarks>
/// Statuses and texts follow what Kinesis answers. Sources: kinesalite's connection tests, which
/// were recorded against the real service (mhart/kinesalite test/connection.js: unknown operation,
/// serialization, missing token, incomplete signature); client reports of real Kinesis errors
/// (InvalidSignatureException "Signature expired: ... (... - 5 min.)" with HTTP 400,
/// UnrecognizedClientException "The security token included in the request is invalid." with
/// HTTP 400); the Kinesis API reference, Common Errors (InternalFailure 500, ServiceUnavailable 503).
/// </remarks>
public static class KinesisWireErrors
{
    /// <summary>Error names.</summary>
    public static class Types
    {
        public const string UnknownOperation = "UnknownOperationException";
        public const string Serialization = "SerializationException";
        public const string MissingAuthenticationToken = "MissingAuthenticationTokenException";
        public const string IncompleteSignature = "IncompleteSignatureException";
        public const string InvalidSignature = "InvalidSignatureException";
        public const string UnrecognizedClient = "UnrecognizedClientException";
        public const string AccessDenied = "AccessDeniedException";
        public const string InternalFailure = "InternalFailure";
        public const string ServiceUnavailable = "ServiceUnavailable";
        public const string RequestEntityTooLarge = "RequestEntityTooLarge";
        public const string RequestTimeout = "RequestTimeoutException";
    }

    /// <summary>
    /// HTTP 413: a request body over its operation's limit. Kinesis answers 413 with an empty body
    /// (kinesalite mirrors it at 7 MiB), which SDKs report as error code "413"; the gateway adds a
    /// <c>__type</c> and a message so the client and its logs say which limit was passed.
    /// </summary>
    /// <param name="declared">The declared length, or null when a chunked body passed the limit.</param>
    /// <param name="limit">The operation's limit.</param>
    public static KinesisWireError BodyTooLarge(long? declared, int limit) => new(
        Types.RequestEntityTooLarge,
        413,
        declared is { } length
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Request body of {length} bytes exceeds the limit of {limit} bytes for this operation.")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Request body exceeds the limit of {limit} bytes for this operation."));

    /// <summary>No or malformed target, or one Kinesis does not have. Kinesis sends no message.</summary>
    public static KinesisWireError UnknownOperation(string? message = null) => new(Types.UnknownOperation, 400, message);

    /// <summary>A body that is not a well-formed JSON object / CBOR map, or a member of the wrong type.</summary>
    public static KinesisWireError Serialization(string? message = null) => new(Types.Serialization, 400, message);

    /// <summary>Neither an Authorization header nor query-string authentication (when verification is on).</summary>
    public static readonly KinesisWireError MissingAuthenticationToken = new(Types.MissingAuthenticationToken, 400, "Missing Authentication Token");

    /// <summary>An Authorization header or presigned query that lacks required parts.</summary>
    public static KinesisWireError IncompleteSignature(string message) => new(Types.IncompleteSignature, 400, message);

    /// <summary>A signature that does not verify, is out of its time window, or has a bad scope.</summary>
    public static KinesisWireError InvalidSignature(string message) => new(Types.InvalidSignature, 400, message);

    /// <summary>An access key id that is not configured.</summary>
    public static readonly KinesisWireError UnrecognizedClient = new(Types.UnrecognizedClient, 400, "The security token included in the request is invalid.");

    /// <summary>An unexpected fault in the gateway (HTTP 500); clients retry it.</summary>
    public static KinesisWireError InternalFailure(string? message = null) => new(Types.InternalFailure, 500, message);

    /// <summary>The gateway cannot serve now (HTTP 503); clients retry it.</summary>
    public static KinesisWireError ServiceUnavailable(string? message = null) => new(Types.ServiceUnavailable, 503, message);
}
