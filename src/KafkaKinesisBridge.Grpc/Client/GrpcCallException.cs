using Google.Protobuf;

namespace KafkaKinesisBridge.Grpc.Client;

/// <summary>
/// A call ended with a status other than OK: a status from the server (trailers, or the only
/// HEADERS frame for Trailers-Only), or one the client produced (deadline, cancellation,
/// transport failure, protocol violation).
/// </summary>
public sealed class GrpcCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrpcCallException(
        StatusCode statusCode,
        string detail,
        Metadata? trailers = null,
        Google.Rpc.Status? details = null,
        Exception? innerException = null)
        : base($"Status({statusCode}, \"{detail}\")", innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
        Trailers = trailers ?? new Metadata();
        Details = details;
    }

    /// <summary>Creates the exception with status <see cref="StatusCode.Unknown"/>.</summary>
    public GrpcCallException()
        : this(StatusCode.Unknown, string.Empty)
    {
    }

    /// <summary>Creates the exception with status <see cref="StatusCode.Unknown"/> and a message.</summary>
    public GrpcCallException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    /// <summary>Creates the exception with status <see cref="StatusCode.Unknown"/>, a message and a cause.</summary>
    public GrpcCallException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException: innerException)
    {
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The status message (decoded grpc-message).</summary>
    public string Detail { get; }

    /// <summary>The trailing metadata (for a Trailers-Only response, its headers), without the grpc-status/grpc-message entries.</summary>
    public Metadata Trailers { get; }

    /// <summary>The google.rpc.Status from grpc-status-details-bin, or null.</summary>
    public Google.Rpc.Status? Details { get; }

    /// <summary>The first detail of type <typeparamref name="T"/> in <see cref="Details"/> (for example google.rpc.ErrorInfo), or null.</summary>
    public T? GetDetail<T>()
        where T : class, IMessage<T>, new()
    {
        if (Details is null)
        {
            return null;
        }

        foreach (var any in Details.Details)
        {
            if (any.TryUnpack<T>(out var detail))
            {
                return detail;
            }
        }

        return null;
    }
}
