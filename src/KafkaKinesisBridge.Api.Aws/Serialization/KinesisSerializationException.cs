using System.Diagnostics.CodeAnalysis;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>
/// A request body that is not a well-formed document of the expected shape: the dispatcher answers
/// it with <c>SerializationException</c> (HTTP 400), as Kinesis does.
/// </summary>
/// <remarks>
/// Malformed input is a protocol violation, so the document reader throws instead of threading a
/// status through every member read of every operation; the dispatcher catches it in one place.
/// </remarks>
public sealed class KinesisSerializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KinesisSerializationException()
    {
    }

    /// <summary>Creates the exception with a message for the client.</summary>
    public KinesisSerializationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the client and the parser's exception.</summary>
    public KinesisSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws with <paramref name="message"/>.</summary>
    [DoesNotReturn]
    public static void Throw(string message) => throw new KinesisSerializationException(message);
}
