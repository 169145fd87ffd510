using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Auth;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
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
/// <item>A method other than POST: 405 UnknownOperationException.</item>
/// <item>A body over its operation's limit (<see cref="KinesisApiOptions.MaxBodyBytesFor"/>): HTTP 413
/// RequestEntityTooLarge, from Content-Length before reading, or as soon as a chunked body passes it.
/// (Kinesis itself answers 413 without a body; every error here carries <c>__type</c> so SDKs name it.)</item>
/// <item>A content type that is neither <c>application/x-amz-json-1.1</c> nor
/// <c>application/x-amz-cbor-1.1</c>: 403 AccessDeniedException "Unable to determine
/// service/operation name to be authorized" when the target lacks <c>service.operation</c>, else
/// 404 UnknownOperationException, in JSON (Kinesis answers these in bare XML; JSON is what every
/// Kinesis client parses).
/// (<c>application/json</c>, which Kinesis answers with a legacy envelope, is read as JSON 1.1 here.)</item>
/// <item>The body waits for its share of the in-flight budget (<see cref="RequestBodyBudget"/>), then
/// is read; malformed HTTP framing (chunking) is 400 SerializationException, a body too slow to arrive 408.</item>
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
    private readonly RequestBodyBudget _budget;
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

        _verifier = _options.AuthMode == KinesisAuthMode.Verify ? SigV4Verifier.Create(
            _options.Credentials.Select(c => KeyValuePair.Create(c.AccessKeyId, c.SecretAccessKey)), _options.Region, SigV4Verifier.KinesisService, _options.AllowedClockSkew, clock) : null;
        _budget = new RequestBodyBudget(_options.MaxBodyBytesInFlight);
    }

    /// <summary>The in-flight body budget (for tests).</summary>
    internal RequestBodyBudget Budget => _budget;

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
        var hasFormat = KinesisContentTypes.TryParse(request.ContentType, out var format);

        if (!HttpMethods.IsPost(request.Method))
        {
            // Kinesis is POST only (AWS JSON 1.1 protocol); say so in its error shape.
            response.Headers.Allow = "POST";
            await RejectAsync(response, format, requestId, targetHeader, new KinesisWireError(
                KinesisWireErrors.Types.UnknownOperation, StatusCodes.Status405MethodNotAllowed, $"The method {request.Method} is not allowed: the Kinesis API accepts POST only.")).ConfigureAwait(false);
            return;
        }

        // The limit of this operation, known before a byte of the body is read.
        var limit = _options.MaxBodyBytesFor(targetStatus == KinesisTargetStatus.Valid ? operation : null);
        if (request.ContentLength is { } declared && declared > limit)
        {
            KinesisApiLog.BodyTooLarge(_logger, requestId, declared, limit);
            await KinesisErrorResponses.WriteAsync(response, format, KinesisWireErrors.BodyTooLarge(declared, limit)).ConfigureAwait(false);
            return;
        }

        if (!hasFormat)
        {
            var noTarget = targetStatus == KinesisTargetStatus.Missing;
            var type = noTarget ? KinesisWireErrors.Types.AccessDenied : KinesisWireErrors.Types.UnknownOperation;
            var status = noTarget ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            var message = noTarget
                ? "Unable to determine service/operation name to be authorized"
                : $"Unsupported content type '{request.ContentType}': send {KinesisContentTypes.Json} or {KinesisContentTypes.Cbor}.";
            await RejectAsync(response, KinesisWireFormat.Json, requestId, targetHeader, new KinesisWireError(type, status, message)).ConfigureAwait(false);
            return;
        }

        // Our limit governs, not Kestrel's default (30 MB): let Kestrel pass one byte more so we see the overflow.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit + 1L;
        }

        // The body's share of the in-flight budget, held until the response is written.
        RequestBodyBudget.Lease lease;
        try
        {
            lease = await _budget.AcquireAsync(request.ContentLength ?? limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        using var heldLease = lease;

        RequestBody? body;
        try
        {
            body = await RequestBody.ReadAsync(request.BodyReader, request.ContentLength, limit, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit tripped first (it counts what it has buffered): same answer.
            body = null;
        }
        catch (BadHttpRequestException e)
        {
            // Malformed framing (a bad chunk size, a truncated chunked body) or a body too slow to
            // arrive (408): the client's fault, answered in Kinesis' shape and logged without a stack.
            await RejectMalformedFramingAsync(context, format, requestId, targetHeader, e).ConfigureAwait(false);
            return;
        }
        catch (IOException e) when (e.InnerException is not System.Net.Sockets.SocketException)
        {
            // Kestrel reports some framing faults as IOException (a chunk size that overflows:
            // "Bad chunk size data." over an OverflowException); a client that went away has aborted the request.
            await RejectMalformedFramingAsync(context, format, requestId, targetHeader, new BadHttpRequestException(e.Message, StatusCodes.Status400BadRequest, e)).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away, or Kestrel aborted the request over a framing fault it does not
            // report as a bad request (a chunk size that overflows: the read ends in
            // ConnectionAbortedException while the connection can still answer). Try to answer; for
            // a client that is gone the write fails quietly.
            await RejectMalformedFramingAsync(context, format, requestId, targetHeader, new BadHttpRequestException("The request body could not be read: " + e.Message, StatusCodes.Status400BadRequest, e)).ConfigureAwait(false);
            return;
        }

        using var ownedBody = body;
        if (body is null)
        {
            KinesisApiLog.BodyTooLarge(_logger, requestId, limit + 1L, limit);
            await KinesisErrorResponses.WriteAsync(response, format, KinesisWireErrors.BodyTooLarge(null, limit)).ConfigureAwait(false);
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

    private async Task RejectMalformedFramingAsync(HttpContext context, KinesisWireFormat format, string requestId, string target, BadHttpRequestException e)
    {
        KinesisApiLog.MalformedFraming(_logger, requestId, e.StatusCode, e.Message);
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        var error = e.StatusCode == StatusCodes.Status408RequestTimeout
            ? new KinesisWireError(KinesisWireErrors.Types.RequestTimeout, StatusCodes.Status408RequestTimeout, "The request body did not arrive in time.")
            : new KinesisWireError(KinesisWireErrors.Types.Serialization, StatusCodes.Status400BadRequest, $"The request body is malformed: {e.Message}");
        try
        {
            // Sent and completed now: Kestrel closes the connection after a framing fault.
            await RejectAsync(context.Response, format, requestId, target, error).ConfigureAwait(false);
            await context.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception write) when (write is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // Kestrel may already have closed the connection after a framing error: nothing to answer.
            KinesisApiLog.MalformedFramingUnanswered(_logger, requestId, write.GetType().Name);
        }
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
