using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// One AWS service served on the shared AWS JSON 1.1 / CBOR 1.1 endpoint, told apart from the
/// others by the prefix of <c>X-Amz-Target</c> (<c>Kinesis_20131202.</c>, <c>Firehose_20150804.</c>):
/// every AWS JSON protocol request is <c>POST /</c> with <c>X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;</c>
/// (AWS JSON 1.1 protocol, smithy <c>aws.protocols#awsJson1_1</c>), so one port serves several services.
/// Registered in DI as <see cref="IAwsJsonService"/>; <see cref="AwsJsonDispatcher"/> does the
/// framing, limits and signature, then calls <see cref="InvokeAsync"/>.
/// </summary>
public interface IAwsJsonService
{
    /// <summary>The target prefix before the dot, e.g. <c>Kinesis_20131202</c>.</summary>
    string TargetPrefix { get; }

    /// <summary>The SigV4 signing name clients scope their credentials to, e.g. <c>kinesis</c>, <c>firehose</c>.</summary>
    string SigningName { get; }

    /// <summary>The service's name in messages, e.g. <c>Kinesis</c>.</summary>
    string DisplayName { get; }

    /// <summary>Resolves an operation name (after the dot) to the service's operation number.</summary>
    bool TryParseOperation(ReadOnlySpan<char> name, out int operation);

    /// <summary>The name of an operation number, for logs.</summary>
    string GetOperationName(int operation);

    /// <summary>The largest request body of <paramref name="operation"/>, known before the body is read.</summary>
    int MaxBodyBytesFor(int operation);

    /// <summary>
    /// True when the service runs <paramref name="operation"/>. The dispatcher validates the request's
    /// shape only for those: an operation the service does not run is answered as such, whatever its body.
    /// </summary>
    bool Serves(int operation) => true;

    /// <summary>
    /// Handles one framed, size-checked and authenticated call. A <see cref="KinesisSerializationException"/>
    /// or <see cref="System.Text.Json.JsonException"/> is answered as <c>SerializationException</c>, any other
    /// exception as <c>InternalFailure</c>.
    /// </summary>
    ValueTask<AwsJsonResult> InvokeAsync(AwsJsonRequest request);
}

/// <summary>A call as the dispatcher hands it to an <see cref="IAwsJsonService"/>.</summary>
public sealed class AwsJsonRequest
{
    internal AwsJsonRequest(
        HttpContext httpContext,
        int operation,
        KinesisWireFormat format,
        Memory<byte> body,
        string requestId,
        string? accessKeyId,
        PooledSegmentWriter output)
    {
        HttpContext = httpContext;
        Operation = operation;
        Format = format;
        Body = body;
        RequestId = requestId;
        AccessKeyId = accessKeyId;
        Output = output;
    }

    /// <summary>The HTTP exchange.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The service's operation number (<see cref="IAwsJsonService.TryParseOperation"/>).</summary>
    public int Operation { get; }

    /// <summary>The request's encoding; the response uses the same.</summary>
    public KinesisWireFormat Format { get; }

    /// <summary>The body, writable so blobs decode in place; valid until the call's task completes.</summary>
    public Memory<byte> Body { get; }

    /// <summary>The request id sent back in <c>x-amzn-RequestId</c>.</summary>
    public string RequestId { get; }

    /// <summary>The access key id: verified when signatures are verified, else as claimed (null when unsigned).</summary>
    public string? AccessKeyId { get; }

    /// <summary>Where the response body goes (answered with HTTP 200 on success).</summary>
    internal PooledSegmentWriter Output { get; }

    /// <summary>A document writer over <see cref="Output"/> in the request's encoding (flush and dispose it before returning).</summary>
    public KinesisDocumentWriter CreateWriter() => new(Format, Output);

    /// <summary>A reader over <see cref="Body"/> (read once: blobs decode in place).</summary>
    public KinesisDocumentReader CreateReader() => new(Format, Body);

    /// <summary>The response body, for services that encode it themselves.</summary>
    public System.Buffers.IBufferWriter<byte> OutputWriter => Output;
}

/// <summary>What an <see cref="IAwsJsonService"/> returns.</summary>
public readonly struct AwsJsonResult
{
    private AwsJsonResult(KinesisWireError? error, bool responseHandled)
    {
        Error = error;
        IsResponseHandled = responseHandled;
    }

    /// <summary>Answer 200 with what was written.</summary>
    public static AwsJsonResult Success => default;

    /// <summary>The service wrote the HTTP response itself (event streams).</summary>
    public static AwsJsonResult ResponseHandled => new(null, true);

    /// <summary>The error to answer with, if any (anything written is discarded).</summary>
    public KinesisWireError? Error { get; }

    /// <summary>True when the service wrote the response itself.</summary>
    public bool IsResponseHandled { get; }

    /// <summary>Answer with <paramref name="error"/>.</summary>
    public static AwsJsonResult Failure(KinesisWireError error) => new(error, false);
}
