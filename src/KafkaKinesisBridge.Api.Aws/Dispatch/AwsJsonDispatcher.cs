using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Auth;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// The AWS JSON front door shared by the Kinesis and Firehose APIs: AWS JSON 1.1 / CBOR 1.1 framing
/// (<c>POST /</c> with <c>X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;</c>), routing by the target
/// prefix to the <see cref="IAwsJsonService"/> that owns it (<c>Kinesis_20131202</c>,
/// <c>Firehose_20150804</c>), body limit, SigV4 (scoped to that service's signing name), dispatch to
/// the service, and AWS-shaped errors.
/// </summary>
/// <remarks>
/// <para>The order of checks and the answers follow Kinesis as recorded by kinesalite
/// (test/connection.js, checked against the real service):</para>
/// <list type="number">
/// <item>Every response carries <c>x-amzn-RequestId</c> (a UUID) and <c>x-amz-id-2</c> (base64 of
/// 72 random bytes).</item>
/// <item>A method other than POST: 405 UnknownOperationException.</item>
/// <item>A body over its operation's limit (<see cref="IAwsJsonService.MaxBodyBytesFor"/>): HTTP 413
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
/// <item>Authentication (when signatures are verified), then the service (which answers a known
/// operation it has no handler for with UnknownOperationException and a message).</item>
/// </list>
/// </remarks>
public sealed class AwsJsonDispatcher
{
    private readonly AwsJsonEndpointSettings _options;
    private readonly IAwsJsonService[] _services;
    private readonly SigV4Verifier?[] _verifiers;
    private readonly RequestBodyBudget _budget;
    private readonly ILogger _logger;

    /// <summary>Creates the dispatcher over every registered service.</summary>
    public AwsJsonDispatcher(
        AwsJsonEndpointSettings options,
        IEnumerable<IAwsJsonService> services,
        TimeProvider clock,
        ILogger<AwsJsonDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _options = options;
        _logger = logger;
        _services = [.. services];
        if (_services.Select(s => s.TargetPrefix).Distinct(StringComparer.Ordinal).Count() != _services.Length)
        {
            throw new InvalidOperationException("Two AWS JSON services are registered for the same target prefix.");
        }

        // One verifier per service: a signature's credential scope names the service it was made for.
        _verifiers = [.. _services.Select(s => _options.VerifySignatures
            ? SigV4Verifier.Create(_options.Credentials, _options.Region, s.SigningName, _options.AllowedClockSkew, clock)
            : null)];
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
        var targetStatus = ParseTarget(targetHeader, out var serviceIndex, out var operation);
        var service = serviceIndex >= 0 ? _services[serviceIndex] : null;
        var hasFormat = KinesisContentTypes.TryParse(request.ContentType, out var format);

        if (!HttpMethods.IsPost(request.Method))
        {
            // Kinesis is POST only (AWS JSON 1.1 protocol); say so in its error shape.
            response.Headers.Allow = "POST";
            await RejectAsync(response, format, requestId, targetHeader, new KinesisWireError(
                KinesisWireErrors.Types.UnknownOperation, StatusCodes.Status405MethodNotAllowed, $"The method {request.Method} is not allowed: the {service?.DisplayName ?? "Kinesis"} API accepts POST only.")).ConfigureAwait(false);
            return;
        }

        // The limit of this operation, known before a byte of the body is read.
        var limit = targetStatus == AwsTargetStatus.Valid ? service!.MaxBodyBytesFor(operation) : _options.UnknownTargetMaxBodyBytes;
        if (request.ContentLength is { } declared && declared > limit)
        {
            AwsJsonLog.BodyTooLarge(_logger, requestId, declared, limit);
            await KinesisErrorResponses.WriteAsync(response, format, KinesisWireErrors.BodyTooLarge(declared, limit)).ConfigureAwait(false);
            return;
        }

        if (!hasFormat)
        {
            var noTarget = targetStatus == AwsTargetStatus.Missing;
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
            AwsJsonLog.BodyTooLarge(_logger, requestId, limit + 1L, limit);
            await KinesisErrorResponses.WriteAsync(response, format, KinesisWireErrors.BodyTooLarge(null, limit)).ConfigureAwait(false);
            return;
        }

        if (body.Length == 0)
        {
            await RejectAsync(response, format, requestId, targetHeader, targetStatus == AwsTargetStatus.Valid
                ? KinesisWireErrors.Serialization()
                : KinesisWireErrors.UnknownOperation()).ConfigureAwait(false);
            return;
        }

        if (targetStatus != AwsTargetStatus.Valid)
        {
            await RejectAsync(response, format, requestId, targetHeader, KinesisDocumentReader.IsWellFormedObject(format, body.Memory.Span)
                ? KinesisWireErrors.UnknownOperation()
                : KinesisWireErrors.Serialization()).ConfigureAwait(false);
            return;
        }

        string? accessKeyId;
        if (_verifiers[serviceIndex] is { } verifier)
        {
            var sigV4Request = SigV4Request.FromHttpContext(context, body.Memory);
            var verdict = verifier.Verify(sigV4Request);
            if (!verdict.IsAuthenticated)
            {
                AwsJsonLog.AuthenticationFailed(_logger, requestId, targetHeader, verdict.Error!.Value.Type, SigV4Verifier.ReadClaimedAccessKeyId(sigV4Request));
                await RejectAsync(response, format, requestId, targetHeader, verdict.Error.Value).ConfigureAwait(false);
                return;
            }

            accessKeyId = verdict.AccessKeyId;
        }
        else
        {
            accessKeyId = SigV4Verifier.ReadClaimedAccessKeyId(request.Headers.Authorization.ToString(), request.QueryString.HasValue ? request.QueryString.Value![1..] : null);
        }

        await InvokeHandlerAsync(context, service!, operation, format, body, requestId, accessKeyId, targetHeader).ConfigureAwait(false);
    }

    private async Task InvokeHandlerAsync(
        HttpContext context,
        IAwsJsonService handler,
        int operation,
        KinesisWireFormat format,
        RequestBody body,
        string requestId,
        string? accessKeyId,
        string target)
    {
        using var output = new PooledSegmentWriter();
        var call = new AwsJsonRequest(context, operation, format, body.Memory, requestId, accessKeyId, output);
        AwsJsonResult result;
        try
        {
            result = await handler.InvokeAsync(call).ConfigureAwait(false);
        }
        catch (KinesisSerializationException e)
        {
            AwsJsonLog.MalformedBody(_logger, requestId, target, e.Message);
            result = AwsJsonResult.Failure(KinesisWireErrors.Serialization(e.Message));
        }
        catch (JsonException e)
        {
            // A handler reading JSON with System.Text.Json directly.
            AwsJsonLog.MalformedBody(_logger, requestId, target, e.Message);
            result = AwsJsonResult.Failure(KinesisWireErrors.Serialization("The request body is not valid JSON."));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            AwsJsonLog.ClientAborted(_logger, requestId, target);
            return;
        }
        catch (Exception e)
        {
            AwsJsonLog.HandlerFailed(_logger, requestId, target, e);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            result = AwsJsonResult.Failure(KinesisWireErrors.InternalFailure("Internal service failure."));
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
        AwsJsonLog.MalformedFraming(_logger, requestId, e.StatusCode, e.Message);
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
            AwsJsonLog.MalformedFramingUnanswered(_logger, requestId, write.GetType().Name);
        }
    }

    private Task RejectAsync(HttpResponse response, KinesisWireFormat format, string requestId, string target, KinesisWireError error)
    {
        Log(requestId, target, error.Type, error.StatusCode, error.Message);
        return KinesisErrorResponses.WriteAsync(response, format, error);
    }

    private void Log(string requestId, string target, string errorType, int statusCode, string? message) =>
        AwsJsonLog.Rejected(_logger, requestId, target.Length == 0 ? "no target" : target, errorType, statusCode, message);

    /// <summary>Splits <c>X-Amz-Target</c> into the service (index into the registered services) and its operation.</summary>
    /// <returns>
    /// <see cref="AwsTargetStatus.Valid"/> with both; <see cref="AwsTargetStatus.Missing"/> when the value
    /// is empty or has no <c>service.operation</c> shape; <see cref="AwsTargetStatus.Unknown"/> for a
    /// service not served here or an operation that service does not have.
    /// </returns>
    internal AwsTargetStatus ParseTarget(ReadOnlySpan<char> target, out int serviceIndex, out int operation)
    {
        serviceIndex = -1;
        operation = 0;
        target = target.Trim();
        var dot = target.IndexOf('.');
        if (dot <= 0 || dot == target.Length - 1)
        {
            return AwsTargetStatus.Missing;
        }

        var prefix = target[..dot];
        for (var i = 0; i < _services.Length; i++)
        {
            if (prefix.SequenceEqual(_services[i].TargetPrefix))
            {
                serviceIndex = i;
                return _services[i].TryParseOperation(target[(dot + 1)..], out operation) ? AwsTargetStatus.Valid : AwsTargetStatus.Unknown;
            }
        }

        return AwsTargetStatus.Unknown;
    }

    private static string NewId2()
    {
        // Kinesis sends 72 opaque bytes, base64: a host/request tag. Not a secret, so not a CSPRNG.
        Span<byte> bytes = stackalloc byte[72];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes);
    }
}

/// <summary>Outcome of <see cref="AwsJsonDispatcher.ParseTarget"/>.</summary>
internal enum AwsTargetStatus
{
    /// <summary>An operation of a served service.</summary>
    Valid,

    /// <summary>No target, or not of the form <c>service.operation</c>.</summary>
    Missing,

    /// <summary>A target naming a service not served here or an operation it does not have.</summary>
    Unknown,
}
