using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// Routes gRPC requests to their method handlers and lets every other request through. A request
/// is gRPC when it is a POST to a registered path, or a POST with an application/grpc content-type
/// (then an unknown path is UNIMPLEMENTED). The same port serves the AWS JSON API on "POST /",
/// which this middleware never touches.
/// </summary>
internal sealed class GrpcTransportMiddleware
{
    private static readonly StringValues Http2Upgrade = new("h2c");

    private readonly RequestDelegate _next;
    private readonly GrpcServerRuntime _runtime;
    private readonly GrpcMethodTable _table;

    public GrpcTransportMiddleware(RequestDelegate next, GrpcServerRuntime runtime, GrpcMethodTable table)
    {
        _next = next;
        _runtime = runtime;
        _table = table;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            return _next(context);
        }

        var path = request.Path.Value;
        var contentType = GrpcProtocol.ClassifyContentType(request.ContentType);
        ServerMethodBinding? method = null;
        var registered = path is not null && _table.Methods.TryGetValue(path, out method);
        if (!registered && contentType == GrpcContentType.NotGrpc)
        {
            return _next(context);
        }

        // gRPC PROTOCOL-HTTP2: "If Content-Type does not begin with application/grpc, gRPC servers
        // SHOULD respond with HTTP status of 415", so no plain HTTP client mistakes a gRPC error
        // (status 200) for success. This transport speaks only the protobuf subtype.
        if (contentType != GrpcContentType.Proto)
        {
            GrpcServerLog.UnsupportedContentType(_runtime.Logger, path, request.ContentType);
            return WriteHttpError(context, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
        }

        // gRPC is defined on HTTP/2 only (trailers, streams); say so with 426 Upgrade Required.
        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            GrpcServerLog.UnsupportedProtocol(_runtime.Logger, path, request.Protocol);
            context.Response.Headers.Upgrade = Http2Upgrade;
            return WriteHttpError(context, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported.");
        }

        if (!registered)
        {
            return WriteUnimplemented(context, path);
        }

        return method!.HandleCallAsync(context, _runtime);
    }

    private Task WriteUnimplemented(HttpContext context, string? path)
    {
        GrpcServerLog.UnimplementedMethod(_runtime.Logger, path);
        var status = ServiceOf(path) is { IsEmpty: false } service && _table.Services.Contains(service)
            ? ProtocolStatus.MethodUnimplemented
            : ProtocolStatus.ServiceUnimplemented;

        // Trailers-Only: HTTP 200, content-type and the status in the one HEADERS frame.
        var headers = context.Response.Headers;
        headers.ContentType = GrpcProtocol.ContentTypeValue;
        headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(status.Code);
        headers[GrpcProtocol.MessageHeader] = status.Detail;
        return Task.CompletedTask;
    }

    private static ReadOnlySpan<char> ServiceOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            return default;
        }

        var rest = path.AsSpan(1);
        var slash = rest.IndexOf('/');
        return slash < 0 ? default : rest[..slash];
    }

    private static Task WriteHttpError(HttpContext context, int httpStatus, string message)
    {
        // As grpc-dotnet does: the HTTP status tells HTTP clients, grpc-status/grpc-message tell
        // gRPC clients (which map a non-200 response to a status of their own anyway).
        var response = context.Response;
        response.StatusCode = httpStatus;
        response.Headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(StatusCode.Internal);
        response.Headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(message);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The registered methods keyed by path, frozen for the cheapest lookup per request, and the
/// service names (looked up by span, only when answering UNIMPLEMENTED).
/// </summary>
internal sealed class GrpcMethodTable
{
    public GrpcMethodTable(IEnumerable<GrpcServiceDefinition> services)
    {
        var methods = new Dictionary<string, ServerMethodBinding>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            names.Add(service.ServiceName);
            foreach (var method in service.Methods)
            {
                if (!methods.TryAdd(method.Path, method))
                {
                    throw new InvalidOperationException($"gRPC method '{method.Path}' is registered twice.");
                }
            }
        }

        Methods = methods.ToFrozenDictionary(StringComparer.Ordinal);
        Services = names.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public FrozenDictionary<string, ServerMethodBinding> Methods { get; }

    public FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Services { get; }
}
