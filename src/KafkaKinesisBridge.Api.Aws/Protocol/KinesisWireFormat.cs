namespace KafkaKinesisBridge.Api.Aws.Protocol;

/// <summary>The body encodings Kinesis accepts: AWS JSON 1.1 and AWS CBOR 1.1.</summary>
/// <remarks>
/// botocore (AWS CLI, boto3) and the AWS SDK for JavaScript v3 send <c>application/x-amz-json-1.1</c>;
/// the AWS SDK for Java v2, and with it the KCL, send <c>application/x-amz-cbor-1.1</c> by default
/// (<c>software.amazon.awssdk.protocols.cbor.AwsCborProtocolFactory</c>). Responses use the request's encoding.
/// </remarks>
public enum KinesisWireFormat
{
    /// <summary><c>application/x-amz-json-1.1</c>.</summary>
    Json,

    /// <summary><c>application/x-amz-cbor-1.1</c>.</summary>
    Cbor,
}

/// <summary>Content types of the Kinesis wire protocol.</summary>
public static class KinesisContentTypes
{
    /// <summary>AWS JSON 1.1.</summary>
    public const string Json = "application/x-amz-json-1.1";

    /// <summary>AWS CBOR 1.1.</summary>
    public const string Cbor = "application/x-amz-cbor-1.1";

    /// <summary>Plain JSON, which Kinesis itself answers with a legacy envelope; accepted here as AWS JSON 1.1.</summary>
    public const string PlainJson = "application/json";

    /// <summary>The content type to answer with.</summary>
    public static string For(KinesisWireFormat format) => format == KinesisWireFormat.Cbor ? Cbor : Json;

    /// <summary>Reads a <c>Content-Type</c> header value (parameters such as <c>charset</c> are ignored).</summary>
    /// <returns>False when the content type is missing or not one of the Kinesis encodings.</returns>
    public static bool TryParse(ReadOnlySpan<char> contentType, out KinesisWireFormat format)
    {
        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim();
        if (mediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) || mediaType.Equals(PlainJson, StringComparison.OrdinalIgnoreCase))
        {
            format = KinesisWireFormat.Json;
            return true;
        }

        if (mediaType.Equals(Cbor, StringComparison.OrdinalIgnoreCase))
        {
            format = KinesisWireFormat.Cbor;
            return true;
        }

        format = default;
        return false;
    }
}
