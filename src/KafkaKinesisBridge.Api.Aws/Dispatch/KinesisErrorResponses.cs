using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>Writes error responses the way Kinesis does.</summary>
internal static class KinesisErrorResponses
{
    /// <summary>
    /// The error body in the request's encoding: <c>{"__type": "...", "message": "..."}</c> (JSON)
    /// or the same map in CBOR (kinesalite sends CBOR errors as <c>bf 66 "__type" ... ff</c>, an
    /// indefinite map, as this writer does). <c>message</c> is left out when there is none, as
    /// Kinesis does for UnknownOperationException and SerializationException.
    /// </summary>
    public static Task WriteAsync(HttpResponse response, KinesisWireFormat format, KinesisWireError error)
    {
        response.StatusCode = error.StatusCode;
        var body = Encode(format, error);
        response.ContentType = KinesisContentTypes.For(format);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, response.HttpContext.RequestAborted).AsTask();
    }

    /// <summary>The encoded error document.</summary>
    public static byte[] Encode(KinesisWireFormat format, KinesisWireError error)
    {
        using var output = new PooledSegmentWriter();
        using (var writer = new KinesisDocumentWriter(format, output))
        {
            writer.WriteStartObject();
            writer.WriteString("__type"u8, error.Type);
            if (error.Message is not null)
            {
                // Coral's SerializationException carries "Message"; every other error "message"
                // (as Kinesis sends them: kinesalite validations/index.js, test/connection.js).
                writer.WriteString(error.Type == KinesisWireErrors.Types.Serialization ? "Message"u8 : "message"u8, error.Message);
            }

            writer.WriteEndObject();
            writer.Flush();
        }

        return output.ToArray();
    }
}
