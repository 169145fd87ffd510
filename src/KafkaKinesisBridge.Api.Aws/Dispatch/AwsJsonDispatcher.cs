using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Auth;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Aws.Validation;
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
/// <item>Every response carries <c>x-amzn-RequestId</c> (a UUID) and, but for a CORS preflight,
/// <c>x-amz-id-2</c> (base64 of 72 random bytes).</item>
/// <item>CORS (<see cref="AwsProtocolEdge.ApplyCors"/>): OPTIONS with an <c>Origin</c> is a preflight,
/// answered 200 at once; any other request with an <c>Origin</c> gets the allow and expose headers.</item>
/// <item>A method other than POST: 403 and a bare XML AccessDeniedException "Unable to determine
/// service/operation name to be authorized" (or the signature's own XML error when it is malformed).</item>
/// <item>A body over its operation's limit (<see cref="IAwsJsonService.MaxBodyBytesFor"/>): HTTP 413
/// RequestEntityTooLarge, from Content-Length before reading, or as soon as a chunked body passes it.
/// (Kinesis itself answers 413 without a body; every error here carries <c>__type</c> so SDKs name it.)</item>
/// <item>The body waits for its share of the in-flight budget (<see cref="RequestBodyBudget"/>), then
/// is read; malformed HTTP framing (chunking) is 400 SerializationException, a body too slow to arrive 408.</item>
/// <item>An empty body: SerializationException for a valid target, else UnknownOperationException, in
/// JSON or CBOR as the content type says, and in CBOR when it says neither (a missing or foreign
/// content type, or <c>application/json</c>).</item>
/// <item>A body with a content type other than AWS JSON 1.1, CBOR 1.1 and <c>application/json</c>:
/// bare XML, 403 AccessDeniedException when the target lacks <c>service.operation</c>, else 404
/// <c>&lt;UnknownOperationException/&gt;</c>.</item>
/// <item><c>application/json</c> with a body: HTTP 200 and the legacy envelope naming
/// SerializationException (not a JSON object) or UnknownOperationException; the service runs no
/// operation for it.</item>
/// <item>An unknown or missing target: 400 SerializationException if the body is not a well-formed
/// object, else 400 UnknownOperationException.</item>
/// <item>The signature: verified when signatures are verified; otherwise only its form is checked
/// (<see cref="SigV4Form"/>), so a malformed one is refused with the service's text either way.</item>
/// <item>The request's shape (<see cref="ShapeValidator"/>, against the tables generated from the
/// service model): a mistyped value is SerializationException with Coral's text, then every violated
/// constraint is one ValidationException, before the operation runs (so before any stream is looked up).</item>
/// <item>The service (which answers a known operation it has no handler for with
/// UnknownOperationException and a message).</item>
/// </list>
/// </remarks>
public sealed class AwsJsonDispatcher
{
    private readonly AwsJsonEndpointSettings _options;
    private readonly IAwsJsonService[] _services;
    private readonly SigV4Verifier?[] _verifiers;
    private readonly Dictionary<int, Shape>?[] _inputs;
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

        // Each service's input shapes by operation number, from the generated model tables.
        _inputs = [.. _services.Select(s => ServiceShapes.ForTargetPrefix(s.TargetPrefix) is { } shapes ? InputsByOperation(s, shapes) : null)];
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
        if (!AwsProtocolEdge.IsPreflight(request))
        {
            response.Headers["x-amz-id-2"] = NewId2();
        }

        if (AwsProtocolEdge.ApplyCors(context))
        {
            return;
        }

        var targetHeader = request.Headers["X-Amz-Target"].ToString();
        var targetStatus = ParseTarget(targetHeader, out var serviceIndex, out var operation);
        var service = serviceIndex >= 0 ? _services[serviceIndex] : null;
        var contentType = ParseContentType(request.ContentType, out var format);

        if (!HttpMethods.IsPost(request.Method))
        {
            // The service's front end answers anything but POST before reading it, in bare XML.
            var refusal = SignatureFormError(request, serviceIndex) ?? new KinesisWireError(
                KinesisWireErrors.Types.AccessDenied, StatusCodes.Status403Forbidden, AwsProtocolEdge.UnableToDetermineOperation);
            Log(requestId, targetHeader, refusal.Type, StatusCodes.Status403Forbidden, refusal.Message);
            await AwsProtocolEdge.WriteXmlErrorAsync(response, StatusCodes.Status403Forbidden, refusal.Type, refusal.Message).ConfigureAwait(false);
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
            // The service answers an empty body in the encoding the content type names, and in CBOR
            // when it names neither AWS JSON nor CBOR.
            await RejectAsync(response, contentType == AwsContentType.AwsJson ? KinesisWireFormat.Json : KinesisWireFormat.Cbor, requestId, targetHeader, targetStatus == AwsTargetStatus.Valid
                ? KinesisWireErrors.Serialization()
                : KinesisWireErrors.UnknownOperation()).ConfigureAwait(false);
            return;
        }

        if (contentType == AwsContentType.Other)
        {
            // Not the AWS JSON protocol at all: bare XML, as the service's front end answers.
            var missing = targetStatus == AwsTargetStatus.Missing;
            var type = missing ? KinesisWireErrors.Types.AccessDenied : KinesisWireErrors.Types.UnknownOperation;
            var status = missing ? StatusCodes.Status403Forbidden : StatusCodes.Status404NotFound;
            var message = missing ? AwsProtocolEdge.UnableToDetermineOperation : null;
            Log(requestId, targetHeader, type, status, message);
            await AwsProtocolEdge.WriteXmlErrorAsync(response, status, type, message).ConfigureAwait(false);
            return;
        }

        if (contentType == AwsContentType.PlainJson)
        {
            // application/json: the legacy envelope, and no operation runs.
            var wellFormed = KinesisDocumentReader.IsWellFormedObject(KinesisWireFormat.Json, body.Memory.Span);
            Log(requestId, targetHeader, wellFormed ? KinesisWireErrors.Types.UnknownOperation : KinesisWireErrors.Types.Serialization, StatusCodes.Status200OK, KinesisContentTypes.PlainJson);
            await AwsProtocolEdge.WriteLegacyJsonErrorAsync(response, serialization: !wellFormed).ConfigureAwait(false);
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
            if (SigV4Form.Check(request.Headers.Authorization.ToString(), request.Headers["X-Amz-Date"].ToString(), request.Headers.Date.ToString(), RawQuery(request)) is { } malformed)
            {
                await RejectAsync(response, format, requestId, targetHeader, malformed).ConfigureAwait(false);
                return;
            }

            accessKeyId = SigV4Verifier.ReadClaimedAccessKeyId(request.Headers.Authorization.ToString(), RawQuery(request));
        }

        // The request's shape, before the operation runs: the service's deserializer and validator.
        if (service!.Serves(operation)
            && _inputs[serviceIndex] is { } inputs
            && inputs.TryGetValue(operation, out var input)
            && ShapeValidator.Validate(input, format, body.Memory) is { } invalid)
        {
            await RejectAsync(response, format, requestId, targetHeader, invalid).ConfigureAwait(false);
            return;
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

    private static Dictionary<int, Shape> InputsByOperation(IAwsJsonService service, ServiceShapes shapes)
    {
        var inputs = new Dictionary<int, Shape>();
        foreach (var name in shapes.Operations)
        {
            if (service.TryParseOperation(name, out var number) && shapes.FindInput(name) is { } input)
            {
                inputs[number] = input;
            }
        }

        return inputs;
    }

    private static string? RawQuery(HttpRequest request) => request.QueryString.HasValue ? request.QueryString.Value![1..] : null;

    /// <summary>
    /// What the service says of the signature before reading a request: a malformed one is refused
    /// (<see cref="SigV4Form"/>), and a missing one when signatures are verified.
    /// </summary>
    private KinesisWireError? SignatureFormError(HttpRequest request, int serviceIndex)
    {
        var authorization = request.Headers.Authorization.ToString();
        var rawQuery = RawQuery(request);
        if (SigV4Form.Check(authorization, request.Headers["X-Amz-Date"].ToString(), request.Headers.Date.ToString(), rawQuery) is { } malformed)
        {
            return malformed;
        }

        var verifying = serviceIndex >= 0 ? _verifiers[serviceIndex] is not null : _options.VerifySignatures;
        var unsigned = authorization.Length == 0 && (rawQuery is null || !rawQuery.Contains("X-Amz-Algorithm", StringComparison.Ordinal));
        return verifying && unsigned ? KinesisWireErrors.MissingAuthenticationToken : null;
    }

    /// <summary>Which protocol the content type names (media type before any parameters, trimmed).</summary>
    private static AwsContentType ParseContentType(string? contentType, out KinesisWireFormat format)
    {
        if (!KinesisContentTypes.TryParse(contentType, out format))
        {
            format = KinesisWireFormat.Json;
            return AwsContentType.Other;
        }

        if (format == KinesisWireFormat.Cbor)
        {
            return AwsContentType.Cbor;
        }

        var semicolon = contentType!.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon >= 0 ? contentType.AsSpan(0, semicolon) : contentType).Trim();
        return mediaType.Equals(KinesisContentTypes.PlainJson, StringComparison.OrdinalIgnoreCase) ? AwsContentType.PlainJson : AwsContentType.AwsJson;
    }

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

/// <summary>What a request's content type names.</summary>
internal enum AwsContentType
{
    /// <summary><c>application/x-amz-json-1.1</c>.</summary>
    AwsJson,

    /// <summary><c>application/x-amz-cbor-1.1</c>.</summary>
    Cbor,

    /// <summary><c>application/json</c>, which the service answers with a legacy envelope.</summary>
    PlainJson,

    /// <summary>Anything else, or none.</summary>
    Other,
}
