using Google.Protobuf;
using Grpc.Core;

namespace KafkaKinesisBridge.Api.Grpc.Internal;

/// <summary>
/// Marshallers for the Google.Protobuf messages of the service, as Grpc.Tools generates them
/// (contextual: sized, then written straight into the response buffer), except that a string
/// field that is not valid UTF-8 is answered INVALID_ARGUMENT / SerializationException (the client's
/// mistake; the value is refused, never altered) and other malformed bytes INTERNAL "Failed to
/// deserialize request message." / SerializationException, each with the Kinesis error shape.
/// </summary>
internal static class ProtobufMarshaller
{
    public static Marshaller<T> For<T>(MessageParser<T> parser)
        where T : class, IMessage<T> =>
        Marshallers.Create<T>(Writer<T>.Serialize, context => Parse(parser, context));

    /// <summary>A marshaller for responses, which the server only writes.</summary>
    public static Marshaller<T> For<T>()
        where T : class, IMessage<T> => Writer<T>.Marshaller;

    private static T Parse<T>(MessageParser<T> parser, DeserializationContext context)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(context.PayloadAsReadOnlySequence());
        }
        catch (InvalidProtocolBufferException error) when (IsInvalidUtf8(error))
        {
            throw KinesisGrpcErrors.SerializationError("A string field of the request is not valid UTF-8.");
        }
        catch (InvalidProtocolBufferException)
        {
            throw KinesisGrpcErrors.DeserializationFailure();
        }
    }

    // Google.Protobuf decodes strings with a throwing UTF-8 decoder and reports the failure as an
    // InvalidProtocolBufferException ("String is invalid UTF-8.") wrapping the decoder's exception.
    private static bool IsInvalidUtf8(InvalidProtocolBufferException error) =>
        error.InnerException is System.Text.DecoderFallbackException
        || error.Message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase);

    private static class Writer<T>
        where T : class, IMessage<T>
    {
        public static readonly Marshaller<T> Marshaller = Marshallers.Create<T>(
            Serialize,
            _ => throw new NotSupportedException($"{typeof(T).Name} is only written by the server."));

        public static void Serialize(T message, SerializationContext context)
        {
            context.SetPayloadLength(message.CalculateSize());
            message.WriteTo(context.GetBufferWriter());
            context.Complete();
        }
    }
}
