using KafkaKinesisBridge.Api.Aws.Auth;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Api.Kinesis.Dispatch;

/// <summary>
/// The Kinesis API on the shared AWS JSON endpoint: <c>Kinesis_20131202.&lt;Operation&gt;</c> targets,
/// signed for <c>kinesis</c>, each operation served by its <see cref="IKinesisOperationHandler"/>.
/// </summary>
internal sealed class KinesisJsonService : IAwsJsonService
{
    private readonly KinesisApiOptions _options;
    private readonly IKinesisOperationHandler?[] _handlers;

    public KinesisJsonService(IOptions<KinesisApiOptions> options, IEnumerable<IKinesisOperationHandler> handlers)
    {
        _options = options.Value;
        _handlers = new IKinesisOperationHandler?[KinesisOperations.Count];
        foreach (var handler in handlers)
        {
            if (_handlers[(int)handler.Operation] is not null)
            {
                throw new InvalidOperationException($"Two handlers are registered for {handler.Operation}.");
            }

            _handlers[(int)handler.Operation] = handler;
        }
    }

    public string TargetPrefix => KinesisOperations.TargetPrefix;

    public string SigningName => SigV4Verifier.KinesisService;

    public string DisplayName => "Kinesis";

    public bool TryParseOperation(ReadOnlySpan<char> name, out int operation)
    {
        var found = KinesisOperations.TryParseName(name, out var parsed);
        operation = (int)parsed;
        return found;
    }

    public string GetOperationName(int operation) => ((KinesisOperation)operation).GetName();

    public bool Serves(int operation) => _handlers[operation] is not null;

    public int MaxBodyBytesFor(int operation) => _options.MaxBodyBytesFor((KinesisOperation)operation);

    public async ValueTask<AwsJsonResult> InvokeAsync(AwsJsonRequest request)
    {
        var operation = (KinesisOperation)request.Operation;
        var handler = _handlers[request.Operation];
        if (handler is null)
        {
            return AwsJsonResult.Failure(KinesisWireErrors.UnknownOperation(
                $"The operation {operation.GetName()} is not supported by this gateway."));
        }

        var call = new KinesisCall(request, operation);
        var result = await handler.HandleAsync(call).ConfigureAwait(false);
        call.CompleteWriter();
        return result.IsResponseHandled ? AwsJsonResult.ResponseHandled
            : result.Error is { } error ? AwsJsonResult.Failure(error)
            : AwsJsonResult.Success;
    }
}
