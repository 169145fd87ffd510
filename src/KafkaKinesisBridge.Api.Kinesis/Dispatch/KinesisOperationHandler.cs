using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;

namespace KafkaKinesisBridge.Api.Kinesis.Dispatch;

/// <summary>
/// The seam where operations plug into the front door: one handler per <see cref="KinesisOperation"/>,
/// registered in DI as <see cref="IKinesisOperationHandler"/> (or with
/// <c>services.AddKinesisOperation(operation, delegate)</c>). The dispatcher has already checked
/// framing, size and signature; the handler parses <see cref="KinesisCall.CreateReader"/>, does the
/// work and writes the response with <see cref="KinesisCall.Writer"/>.
/// </summary>
public interface IKinesisOperationHandler
{
    /// <summary>The operation this handler serves.</summary>
    KinesisOperation Operation { get; }

    /// <summary>Handles one call.</summary>
    /// <returns>
    /// <see cref="KinesisResult.Success"/> to answer 200 with what was written (an empty body when
    /// nothing was); an error to answer it instead (anything written is discarded);
    /// <see cref="KinesisResult.ResponseHandled"/> when the handler wrote the HTTP response itself
    /// (event streams). A <c>KinesisSerializationException</c> (malformed or mistyped body) is
    /// answered as <c>SerializationException</c>; any other exception as <c>InternalFailure</c>.
    /// </returns>
    ValueTask<KinesisResult> HandleAsync(KinesisCall call);
}

/// <summary>A handler as a delegate (see <see cref="IKinesisOperationHandler.HandleAsync"/>).</summary>
public delegate ValueTask<KinesisResult> KinesisOperationDelegate(KinesisCall call);

/// <summary>What a handler returns.</summary>
public readonly struct KinesisResult
{
    private KinesisResult(KinesisWireError? error, bool responseHandled)
    {
        Error = error;
        IsResponseHandled = responseHandled;
    }

    /// <summary>Answer 200 with what the handler wrote.</summary>
    public static KinesisResult Success => default;

    /// <summary>The handler wrote the HTTP response itself; the dispatcher adds nothing.</summary>
    public static KinesisResult ResponseHandled => new(null, true);

    /// <summary>The error to answer with, if any.</summary>
    public KinesisWireError? Error { get; }

    /// <summary>True when the handler wrote the response itself.</summary>
    public bool IsResponseHandled { get; }

    /// <summary>True when there is no error.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>Answer with <paramref name="error"/>.</summary>
    public static KinesisResult Failure(KinesisWireError error) => new(error, false);

    /// <summary>Answer with <paramref name="error"/>.</summary>
    public static implicit operator KinesisResult(KinesisWireError error) => Failure(error);

    /// <summary>Answer with <paramref name="error"/>.</summary>
    public static KinesisResult FromKinesisWireError(KinesisWireError error) => Failure(error);
}

internal sealed class DelegateOperationHandler(KinesisOperation operation, KinesisOperationDelegate handler) : IKinesisOperationHandler
{
    public KinesisOperation Operation => operation;

    public ValueTask<KinesisResult> HandleAsync(KinesisCall call) => handler(call);
}
