using System.Globalization;
using System.Text;
using Grpc.Core;
using KafkaKinesisBridge.Api.Grpc.Internal;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>
/// Refusing a gRPC call before it reaches the service (transport checks, authentication), in the
/// error shape of streams.proto: one place, so every refusal carries the Kinesis error name both as
/// <c>kinesis-error-type</c> and as a google.rpc.ErrorInfo in <c>grpc-status-details-bin</c>.
/// </summary>
public static class GrpcRefusal
{
    /// <summary>True for the content types gRPC uses (<c>application/grpc</c>, <c>+proto</c>, <c>;params</c>).</summary>
    public static bool IsGrpc(string? contentType) =>
        contentType is not null && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Writes a Trailers-Only response (PROTOCOL-HTTP2): HTTP 200 with the status in the only HEADERS
    /// frame; <paramref name="errorName"/> is null for statuses Kinesis has no name for.
    /// </summary>
    public static void WriteTrailersOnly(HttpResponse response, StatusCode code, string? errorName, string message)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        var headers = response.Headers;
        headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        headers["grpc-message"] = PercentEncode(message);
        if (errorName is not null)
        {
            headers[KinesisGrpcErrors.ErrorTypeTrailer] = errorName;
            headers[KinesisGrpcErrors.StatusDetailsTrailer] = Convert.ToBase64String(KinesisGrpcErrors.StatusDetails(code, errorName, message));
        }
    }

    /// <summary>gRPC PROTOCOL-HTTP2: grpc-message is percent-encoded UTF-8; bytes outside 0x20-0x7E and '%' are encoded.</summary>
    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
