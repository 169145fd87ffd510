using System.Buffers;
using Google.Protobuf;

namespace KafkaKinesisBridge.Grpc;

/// <summary>
/// How one message type becomes bytes and back, as Grpc.Core's <c>Marshaller&lt;T&gt;</c>. The
/// transport uses <see cref="Marshallers.Protobuf{T}"/> for Google.Protobuf messages; a service may
/// give its own for a hot method, to parse a request straight into pooled memory or to write a
/// response without building a message object per element. The bytes on the wire are protobuf
/// either way, so clients see no difference.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
/// <remarks>
/// <para>The deserializer gets the payload of one Length-Prefixed-Message, valid only while it runs:
/// a message that keeps bytes must copy them (into pooled memory, returned when the message is
/// disposed). Any exception it throws fails the call with INTERNAL "Failed to deserialize request
/// message." (as grpc-dotnet does), so it may throw whatever its parser throws.</para>
/// <para>The serializer must write exactly <see cref="CalculateSize"/> bytes.</para>
/// <para>Messages that implement <see cref="IDisposable"/> are disposed by the server when the call
/// is over: the request after the handler returned, a unary response once it was written.</para>
/// </remarks>
public sealed class Marshaller<T>
    where T : class
{
    private readonly Func<ReadOnlySequence<byte>, T> _deserializer;
    private readonly Func<T, int> _sizer;
    private readonly Action<T, IBufferWriter<byte>> _serializer;

    /// <summary>Creates a marshaller from its three functions.</summary>
    /// <param name="deserializer">Parses one message from its payload.</param>
    /// <param name="sizer">The serialized size of a message, in bytes.</param>
    /// <param name="serializer">Writes a message (exactly its size in bytes).</param>
    public Marshaller(Func<ReadOnlySequence<byte>, T> deserializer, Func<T, int> sizer, Action<T, IBufferWriter<byte>> serializer)
    {
        ArgumentNullException.ThrowIfNull(deserializer);
        ArgumentNullException.ThrowIfNull(sizer);
        ArgumentNullException.ThrowIfNull(serializer);
        _deserializer = deserializer;
        _sizer = sizer;
        _serializer = serializer;
    }

    /// <summary>Parses one message from <paramref name="payload"/>.</summary>
    public T Deserialize(in ReadOnlySequence<byte> payload) => _deserializer(payload);

    /// <summary>The serialized size of <paramref name="message"/>.</summary>
    public int CalculateSize(T message) => _sizer(message);

    /// <summary>Writes <paramref name="message"/> to <paramref name="writer"/>.</summary>
    public void Serialize(T message, IBufferWriter<byte> writer) => _serializer(message, writer);
}

/// <summary>Marshallers for Google.Protobuf messages.</summary>
public static class Marshallers
{
    /// <summary>The marshaller of a Google.Protobuf message type, parsing with <paramref name="parser"/>.</summary>
    public static Marshaller<T> Protobuf<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        return new Marshaller<T>(payload => parser.ParseFrom(payload), ProtobufCodec<T>.Size, ProtobufCodec<T>.Write);
    }

    /// <summary>A marshaller that only writes <typeparamref name="T"/> (server responses registered by parser alone).</summary>
    internal static Marshaller<T> ProtobufWriter<T>()
        where T : class, IMessage<T> => ProtobufCodec<T>.Writer;

    /// <summary>
    /// The marshaller of <typeparamref name="T"/>, which must be the Google.Protobuf message type that
    /// <paramref name="parser"/> parses (for descriptors built from untyped parsers).
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a Google.Protobuf message.</exception>
    public static Marshaller<T> Protobuf<T>(MessageParser parser)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(parser);
        if (!typeof(IMessage).IsAssignableFrom(typeof(T)))
        {
            throw new ArgumentException($"{typeof(T)} is not a Google.Protobuf message; give a Marshaller<T> instead.", nameof(parser));
        }

        return new Marshaller<T>(
            payload => (T)parser.ParseFrom(payload),
            message => ((IMessage)message).CalculateSize(),
            (message, writer) => ((IMessage)message).WriteTo(writer));
    }
}

/// <summary>The sizing and writing every Google.Protobuf marshaller of <typeparamref name="T"/> shares.</summary>
file static class ProtobufCodec<T>
    where T : class, IMessage<T>
{
    public static readonly Func<T, int> Size = message => message.CalculateSize();

    public static readonly Action<T, IBufferWriter<byte>> Write = (message, writer) => message.WriteTo(writer);

    public static readonly Marshaller<T> Writer = new(
        _ => throw new NotSupportedException($"{typeof(T).Name}: this marshaller only writes (a response registered without its parser)."),
        Size,
        Write);
}
