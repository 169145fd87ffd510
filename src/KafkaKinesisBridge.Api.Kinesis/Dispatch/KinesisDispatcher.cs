using System.Text.Json;
using KafkaKinesisBridge.Api.Kinesis.Auth;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Api.Kinesis.Dispatch;

/// <summary>
/// The Kinesis front door: AWS JSON 1.1 / CBOR 1.1 framing (<c>POST /</c> with
/// <c>X-Amz-Target: Kinesis_20131202.&lt;Operation&gt;</c>), body limit, SigV4, dispatch to the
/// operation's handler, and Kinesis-shaped errors.
/// </summary>
/// <remarks>
/// <para>The order of checks and the answers follow Kinesis as recorded by kinesalite
/// (test/connection.js, checked against the real service):</para>
/// <list type="number">
/// <item>Every response carries <c>x-amzn-RequestId</c> (a UUID) and <c>x-amz-id-2</c> (base64 of
/// 72 random bytes).</item>
/// <item>A body over the limit: HTTP 413, no body.</item>
/// <item>A content type that is neither <c>application/x-amz-json-1.1</c> nor
/// <c>application/x-amz-cbor-1.1</c>: 403 AccessDeniedException "Unable to determine
/// service/operation name to be authorized" when the target lacks <c>service.operation</c>, else
/// 404 UnknownOperationException, both as bare XML without a content type.
/// (<c>application/json</c>, which Kinesis answers with a legacy envelope, is read as JSON 1.1 here.)</item>
/// <item>An empty body: 400 SerializationException for a valid target, else UnknownOperationException.</item>
/// <item>An unknown or missing target: 400 SerializationException if the body is not a well-formed
/// object, else 400 UnknownOperationException.</item>
/// <item>Authentication (in <see cref="KinesisAuthMode.Verify"/> mode), then the handler; a known
/// operation without a handler is answered UnknownOperationException with a message.</item>
/// </list>
/// </remarks>
internal sealed class KinesisDispatcher
{
    private readonly KinesisApiOptions _options;
    private readonly IKinesisOperationHandler?[] _handlers;
    private readonly SigV4Verifier? _verifier;
    private readonly ILogger _logger;

    public KinesisDispatcher(
        IOptions<KinesisApiOptions> options,
        IEnumerable<IKinesisOperationHandler> handlers,
        TimeProvider clock,
        ILogger<KinesisDispatcher> logger)
    {
        _options = options.Value;
        _logger = logger;
        _handlers = new IKinesisOperationHandler?[KinesisOperations.Count];
        foreach (var handler in handlers)
        {
            if (_handlers[(int)handler.Operation] is not null)
            {
                throw new InvalidOperationException($"Two handlers are registered for {handler.Operation}.");
            }

            _handlers[(int)handler.Operation] = handler;
        }

        _verifier = _options.AuthMode == KinesisAuthMode.Verify ? SigV4Verifier.Create(_options, clock) : null;
    }

    /// <summary>Handles one request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var requestId = Guid.NewGuid().ToString();
        response.Headers["x-amzn-RequestId"] = requestId;
        response.Headers["x-amz-id-2"] = NewId2();

        var targetHeader = request.Headers["X-Amz-Target"].ToString();
        var targetStatus = KinesisOperations.ParseTarget(targetHeader, out var operation);

        if (request.ContentLength is { } declared && declared > _options.MaxRequestBodyBytes)
        {
            KinesisApiLog.BodyTooLarge(_logger, requestId, declared, _options.MaxRequestBodyBytes);
            await KinesisErrorResponses.WriteAsync(response, KinesisWireFormat.Json, KinesisWireErrors.RequestEntityTooLarge).ConfigureAwait(false);
            return;
        }

        if (!KinesisContentTypes.TryParse(request.ContentType, out var format))
        {
            var noTarget = targetStatus == KinesisTargetStatus.Missing;
            var type = noTarget ? KinesisWireErrors.Types.AccessDenied : KinesisWireErrors.Types.UnknownOperation;
            var status = noTarget ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            var message = noTarget ? "Unable to determine service/operation name to be authorized" : null;
            Log(requestId, targetHeader, type, status, $"unsupported content type '{request.ContentType}'");
            await KinesisErrorResponses.WriteBareAsync(response, status, type, message).ConfigureAwait(false);
            return;
        }

        // Our limit governs, not Kestrel's default (30 MB): let Kestrel pass one byte more so we see the overflow.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = _options.MaxRequestBodyBytes + 1L;
        }

        RequestBody? body;
        try
        {
            body = await RequestBody.ReadAsync(request.BodyReader, request.ContentLength, _options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit tripped first (it counts what it has buffered): same answer.
            body = null;
        }

        using var ownedBody = body;
        if (body is null)
        {
            KinesisApiLog.BodyTooLarge(_logger, requestId, _options.MaxRequestBodyBytes + 1L, _options.MaxRequestBodyBytes);
            await KinesisErrorResponses.WriteAsync(response, format, KinesisWireErrors.RequestEntityTooLarge).ConfigureAwait(false);
            return;
        }

        if (body.Length == 0)
        {
            await RejectAsync(response, format, requestId, targetHeader, targetStatus == KinesisTargetStatus.Valid
                ? KinesisWireErrors.Serialization()
                : KinesisWireErrors.UnknownOperation()).ConfigureAwait(false);
            return;
        }

        if (targetStatus != KinesisTargetStatus.Valid)
        {
            await RejectAsync(response, format, requestId, targetHeader, KinesisDocumentReader.IsWellFormedObject(format, body.Memory.Span)
                ? KinesisWireErrors.UnknownOperation()
                : KinesisWireErrors.Serialization()).ConfigureAwait(false);
            return;
        }

        string? accessKeyId;
        if (_verifier is not null)
        {
            var sigV4Request = SigV4Request.FromHttpContext(context, body.Memory);
            var verdict = _verifier.Verify(sigV4Request);
            if (!verdict.IsAuthenticated)
            {
                KinesisApiLog.AuthenticationFailed(_logger, requestId, operation, verdict.Error!.Value.Type, SigV4Verifier.ReadClaimedAccessKeyId(sigV4Request));
                await RejectAsync(response, format, requestId, targetHeader, verdict.Error.Value).ConfigureAwait(false);
                return;
            }

            accessKeyId = verdict.AccessKeyId;
        }
        else
        {
            accessKeyId = SigV4Verifier.ReadClaimedAccessKeyId(request.Headers.Authorization.ToString(), request.QueryString.HasValue ? request.QueryString.Value![1..] : null);
        }

        var handler = _handlers[(int)operation];
        if (handler is null)
        {
            await RejectAsync(response, format, requestId, targetHeader, KinesisWireErrors.UnknownOperation(
                $"The operation {operation.GetName()} is not supported by this gateway.")).ConfigureAwait(false);
            return;
        }

        await InvokeHandlerAsync(context, handler, operation, format, body, requestId, accessKeyId, targetHeader).ConfigureAwait(false);
    }

    private async Task InvokeHandlerAsync(
        HttpContext context,
        IKinesisOperationHandler handler,
        KinesisOperation operation,
        KinesisWireFormat format,
        RequestBody body,
        string requestId,
        string? accessKeyId,
        string target)
    {
        using var output = new PooledSegmentWriter();
        var call = new KinesisCall(context, operation, format, body.Memory, requestId, accessKeyId, output);
        KinesisResult result;
        try
        {
            result = await handler.HandleAsync(call).ConfigureAwait(false);
            call.CompleteWriter();
        }
        catch (KinesisSerializationException e)
        {
            KinesisApiLog.MalformedBody(_logger, requestId, operation, e.Message);
            result = KinesisWireErrors.Serialization(e.Message);
        }
        catch (JsonException e)
        {
            // A handler reading JSON with System.Text.Json directly.
            KinesisApiLog.MalformedBody(_logger, requestId, operation, e.Message);
            result = KinesisWireErrors.Serialization("The request body is not valid JSON.");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            KinesisApiLog.ClientAborted(_logger, requestId, operation);
            return;
        }
        catch (Exception e)
        {
            KinesisApiLog.HandlerFailed(_logger, requestId, operation, e);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            result = KinesisWireErrors.InternalFailure("Internal service failure.");
        }

        if (result.IsResponseHandled)
        {
            return;
        }

        if (result.Error is { } error)
        {
            await RejectAsync(context.Response, format, requestId, target, error).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = KinesisContentTypes.For(format);
        response.ContentLength = output.Length;
        await output.WriteToAsync(response.BodyWriter, context.RequestAborted).ConfigureAwait(false);
    }

    private Task RejectAsync(HttpResponse response, KinesisWireFormat format, string requestId, string target, KinesisWireError error)
    {
        Log(requestId, target, error.Type, error.StatusCode, error.Message);
        return KinesisErrorResponses.WriteAsync(response, format, error);
    }

    private void Log(string requestId, string target, string errorType, int statusCode, string? message) =>
        KinesisApiLog.Rejected(_logger, requestId, target.Length == 0 ? "no target" : target, errorType, statusCode, message);

    private static string NewId2()
    {
        // Kinesis sends 72 opaque bytes, base64: a host/request tag. Not a secret, so not a CSPRNG.
        Span<byte> bytes = stackalloc byte[72];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }
}
