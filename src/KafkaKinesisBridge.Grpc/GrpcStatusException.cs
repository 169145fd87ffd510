using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace KafkaKinesisBridge.Grpc;

/// <summary>
/// Thrown by a service handler to end the call with a gRPC status. The transport sends
/// <see cref="StatusCode"/> as <c>grpc-status</c>, <see cref="Detail"/> as <c>grpc-message</c>,
/// <see cref="Details"/> (a google.rpc.Status) as <c>grpc-status-details-bin</c>, and
/// <see cref="Trailers"/> as extra trailing metadata. If nothing was sent yet, all of it goes in a
/// single HEADERS frame (Trailers-Only).
/// </summary>
public class GrpcStatusException : Exception
{
    private Metadata? _trailers;

    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The status; must not be <see cref="StatusCode.OK"/>.</param>
    /// <param name="detail">The status message sent to the client (grpc-message).</param>
    /// <param name="details">Optional rich error model; its <c>code</c> must equal <paramref name="statusCode"/>.</param>
    /// <param name="trailers">Optional extra trailing metadata.</param>
    /// <param name="innerException">The cause, for server-side logs only (never sent).</param>
    public GrpcStatusException(
        StatusCode statusCode,
        string? detail = null,
        Google.Rpc.Status? details = null,
        Metadata? trailers = null,
        Exception? innerException = null)
        : base($"Status({statusCode}, \"{detail}\")", innerException)
    {
        if (statusCode == StatusCode.OK)
        {
            throw new ArgumentException("A GrpcStatusException must carry an error status.", nameof(statusCode));
        }

        if (details is not null && details.Code != (int)statusCode)
        {
            throw new ArgumentException($"details.Code {details.Code} does not match the status code {(int)statusCode}.", nameof(details));
        }

        StatusCode = statusCode;
        Detail = detail ?? string.Empty;
        Details = details;
        _trailers = trailers;
    }

    /// <summary>Creates the exception with no arguments (status <see cref="StatusCode.Unknown"/>).</summary>
    public GrpcStatusException()
        : this(StatusCode.Unknown)
    {
    }

    /// <summary>Creates the exception with status <see cref="StatusCode.Unknown"/> and a message.</summary>
    public GrpcStatusException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    /// <summary>Creates the exception with status <see cref="StatusCode.Unknown"/>, a message and a cause.</summary>
    public GrpcStatusException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException: innerException)
    {
    }

    /// <summary>The gRPC status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message (grpc-message); empty when none.</summary>
    public string Detail { get; }

    /// <summary>The google.rpc.Status sent in grpc-status-details-bin, or null.</summary>
    public Google.Rpc.Status? Details { get; }

    /// <summary>Extra trailing metadata to send with the status (created on first access).</summary>
    public Metadata Trailers => _trailers ??= new Metadata();

    internal Metadata? TrailersOrNull => _trailers;

    /// <summary>
    /// Creates an exception whose google.rpc.Status carries <paramref name="code"/>,
    /// <paramref name="detail"/> and each of <paramref name="details"/> packed as a
    /// google.protobuf.Any (for example a google.rpc.ErrorInfo).
    /// </summary>
    public static GrpcStatusException WithDetails(StatusCode code, string detail, params IMessage[] details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var status = new Google.Rpc.Status { Code = (int)code, Message = detail };
        foreach (var message in details)
        {
            status.Details.Add(Any.Pack(message));
        }

        return new GrpcStatusException(code, detail, status);
    }
}
