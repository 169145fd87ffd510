namespace KafkaKinesisBridge.Core.Api;

/// <summary>
/// A Kinesis error: the one exception type the core throws for every outcome a client must see
/// (validation, missing stream, throttling, expiry, storage failure). <see cref="Exception.Message"/>
/// is the Kinesis-style message (for example "Stream foo under account 000000000000 not found.").
/// Front doors translate it at the edge; anything else escaping the core is a bug.
/// </summary>
public sealed class KinesisException : Exception
{
    /// <summary>Creates an error with the given code and message.</summary>
    public KinesisException(KinesisErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an error with the given code, message and cause (kept for logs only).</summary>
    public KinesisException(KinesisErrorCode code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Creates an internal failure; prefer the (code, message) constructor.</summary>
    public KinesisException()
        : this(KinesisErrorCode.InternalFailure, "Internal failure.")
    {
    }

    /// <summary>Creates an internal failure with a message; prefer the (code, message) constructor.</summary>
    public KinesisException(string message)
        : this(KinesisErrorCode.InternalFailure, message)
    {
    }

    /// <summary>Creates an internal failure with a message and cause; prefer the (code, message) constructor.</summary>
    public KinesisException(string message, Exception innerException)
        : this(KinesisErrorCode.InternalFailure, message, innerException)
    {
    }

    /// <summary>The error.</summary>
    public KinesisErrorCode Code { get; }

    /// <summary>The exact Kinesis error name, for example <c>ResourceNotFoundException</c>.</summary>
    public string ErrorName => Code.ToErrorName();

    /// <summary>The HTTP status Kinesis uses for this error (400, 500 or 503).</summary>
    public int HttpStatusCode => Code.ToHttpStatusCode();

    /// <summary>
    /// A ValidationException in the Kinesis format for one failed member constraint, for front doors
    /// that detect a shape problem while decoding (for example an unknown enum string):
    /// "1 validation error detected: Value 'x' at 'member' failed to satisfy constraint: ...".
    /// </summary>
    /// <param name="renderedValue">The value as Kinesis renders it: <c>'text'</c> quoted, or <c>null</c>.</param>
    /// <param name="memberPath">The member path in lower camel case, for example <c>shardIteratorType</c>.</param>
    /// <param name="constraint">The constraint text, for example "Member must not be null".</param>
    public static KinesisException ValidationFailed(string renderedValue, string memberPath, string constraint) =>
        new(
            KinesisErrorCode.Validation,
            $"1 validation error detected: Value {renderedValue} at '{memberPath}' failed to satisfy constraint: {constraint}");
}
