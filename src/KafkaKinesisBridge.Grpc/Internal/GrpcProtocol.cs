using Microsoft.Extensions.Primitives;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>How a request's content-type relates to gRPC.</summary>
internal enum GrpcContentType
{
    /// <summary>Not application/grpc at all: not a gRPC request.</summary>
    NotGrpc,

    /// <summary>application/grpc or application/grpc+proto, with or without parameters.</summary>
    Proto,

    /// <summary>application/grpc+something-else (for example +json), which this transport does not speak.</summary>
    OtherSubtype,
}

/// <summary>Names and fixed values of the gRPC over HTTP/2 protocol (gRPC PROTOCOL-HTTP2).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";

    /// <summary>What this implementation decodes, advertised in grpc-accept-encoding.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>Length-Prefixed-Message header: 1-byte Compressed-Flag, 4-byte big-endian Message-Length.</summary>
    public const int MessageHeaderSize = 5;

    public static readonly StringValues ContentTypeValue = new(ContentType);
    public static readonly StringValues GzipEncodingValue = new(GzipEncoding);
    public static readonly StringValues SupportedEncodingsValue = new(SupportedEncodings);

    /// <summary>grpc-status values, "0" to "16", allocated once (the status is a decimal without leading zeros).</summary>
    private static readonly StringValues[] StatusValues = CreateStatusValues();

    /// <summary>The grpc-status header value for <paramref name="code"/>.</summary>
    public static StringValues StatusValue(StatusCode code) =>
        (uint)code < (uint)StatusValues.Length ? StatusValues[(int)code] : new StringValues(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Classifies a content-type. gRPC PROTOCOL-HTTP2: Content-Type → "application/grpc"
    /// [("+proto" / "+json" / {custom})]; parameters after ';' are allowed.
    /// </summary>
    public static GrpcContentType ClassifyContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return GrpcContentType.NotGrpc;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        if (rest.IsEmpty || rest[0] == ';')
        {
            return GrpcContentType.Proto;
        }

        if (rest[0] != '+')
        {
            // For example "application/grpc-web": a different protocol.
            return GrpcContentType.NotGrpc;
        }

        var subtype = rest[1..];
        var semicolon = subtype.IndexOf(';');
        if (semicolon >= 0)
        {
            subtype = subtype[..semicolon];
        }

        return subtype.Trim().Equals("proto", StringComparison.OrdinalIgnoreCase)
            ? GrpcContentType.Proto
            : GrpcContentType.OtherSubtype;
    }

    /// <summary>True when a comma-separated grpc-accept-encoding list names <paramref name="encoding"/>.</summary>
    public static bool ListContains(string? list, string encoding)
    {
        if (string.IsNullOrEmpty(list))
        {
            return false;
        }

        var remaining = list.AsSpan();
        while (!remaining.IsEmpty)
        {
            var comma = remaining.IndexOf(',');
            var token = (comma < 0 ? remaining : remaining[..comma]).Trim();
            if (token.Equals(encoding, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            remaining = comma < 0 ? [] : remaining[(comma + 1)..];
        }

        return false;
    }

    private static StringValues[] CreateStatusValues()
    {
        var values = new StringValues[17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = new StringValues(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }
}
