using System.Text;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// What an AWS JSON endpoint answers before any operation is known, as the service's front end
/// does (recorded against Kinesis by kinesalite's connection tests): CORS for browser SDKs, the
/// bare XML errors of requests that are not AWS JSON at all, and the legacy envelope of
/// <c>application/json</c>.
/// </summary>
internal static class AwsProtocolEdge
{
    /// <summary>How long a browser may cache a preflight answer (seconds), as the service says.</summary>
    public const string PreflightMaxAge = "172800";

    /// <summary>The response headers a browser script may read (the SDKs read the request id and error type).</summary>
    public const string ExposedHeaders = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date";

    /// <summary>The message of AccessDeniedException when no service and operation can be named.</summary>
    public const string UnableToDetermineOperation = "Unable to determine service/operation name to be authorized";

    /// <summary>True for a CORS preflight: OPTIONS with an <c>Origin</c>.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0;

    /// <summary>
    /// CORS (Fetch standard): any origin may call, as the service allows (requests are authorized by
    /// their signature, not their origin). A preflight is answered here, 200 with an empty body,
    /// echoing the requested headers and method (true: the request is done). Otherwise a request
    /// with an <c>Origin</c> gets <c>Access-Control-Allow-Origin</c> and the exposed headers.
    /// </summary>
    public static bool ApplyCors(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Origin.Count == 0)
        {
            return false;
        }

        var response = context.Response;
        response.Headers.AccessControlAllowOrigin = "*";
        if (!HttpMethods.IsOptions(request.Method))
        {
            response.Headers.AccessControlExposeHeaders = ExposedHeaders;
            return false;
        }

        if (request.Headers.AccessControlRequestHeaders.Count > 0)
        {
            response.Headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders;
        }

        if (request.Headers.AccessControlRequestMethod.Count > 0)
        {
            response.Headers.AccessControlAllowMethods = request.Headers.AccessControlRequestMethod;
        }

        response.Headers.AccessControlMaxAge = PreflightMaxAge;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = 0;
        return true;
    }

    /// <summary>
    /// The service's answer to a request that is not AWS JSON: an XML body without a content type,
    /// <c>&lt;Type&gt;\n  &lt;Message&gt;...&lt;/Message&gt;\n&lt;/Type&gt;\n</c>, or <c>&lt;Type/&gt;\n</c> without a message.
    /// </summary>
    public static Task WriteXmlErrorAsync(HttpResponse response, int statusCode, string type, string? message)
    {
        var text = message is null
            ? "<" + type + "/>\n"
            : "<" + type + ">\n  <Message>" + System.Security.SecurityElement.Escape(message) + "</Message>\n</" + type + ">\n";
        return WriteRawAsync(response, statusCode, null, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// The legacy answer to <c>application/json</c> (HTTP 200 with an envelope naming the Coral
    /// exception): what the service sends instead of running the operation.
    /// </summary>
    public static Task WriteLegacyJsonErrorAsync(HttpResponse response, bool serialization)
    {
        var body = serialization
            ? """{"Output":{"__type":"com.amazon.coral.service#SerializationException","Message":null},"Version":"1.0"}"""u8.ToArray()
            : """{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}"""u8.ToArray();
        return WriteRawAsync(response, StatusCodes.Status200OK, "application/json", body);
    }

    private static Task WriteRawAsync(HttpResponse response, int statusCode, string? contentType, byte[] body)
    {
        response.StatusCode = statusCode;
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, response.HttpContext.RequestAborted).AsTask();
    }
}
