namespace KafkaKinesisBridge.Grpc;

/// <summary>Writes the messages of a server-streaming response.</summary>
/// <typeparam name="T">The response message type.</typeparam>
public interface IServerStreamWriter<in T>
{
    /// <summary>
    /// Writes one message and flushes it to the client. Await each write before starting the next:
    /// only one write may be in progress at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">A write is already in progress, or the call is complete.</exception>
    /// <exception cref="OperationCanceledException">The call was cancelled (client, deadline) or <paramref name="cancellationToken"/> fired.</exception>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
