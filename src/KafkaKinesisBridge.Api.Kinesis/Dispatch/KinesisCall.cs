using System.Buffers;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using Microsoft.AspNetCore.Http;

namespace KafkaKinesisBridge.Api.Kinesis.Dispatch;

/// <summary>One Kinesis API call as a handler sees it: the parsed framing, the body, and where to write the answer.</summary>
public sealed class KinesisCall
{
    private readonly Memory<byte> _body;
    private readonly PooledSegmentWriter _output;
    private KinesisDocumentWriter? _writer;

    /// <summary>The Kinesis view of a call the shared dispatcher routed here.</summary>
    internal KinesisCall(AwsJsonRequest request, KinesisOperation operation)
    {
        HttpContext = request.HttpContext;
        Operation = operation;
        Format = request.Format;
        _body = request.Body;
        RequestId = request.RequestId;
        AccessKeyId = request.AccessKeyId;
        _output = request.Output;
    }

    /// <summary>The operation named by <c>X-Amz-Target</c>.</summary>
    public KinesisOperation Operation { get; }

    /// <summary>The request's encoding; the response uses the same.</summary>
    public KinesisWireFormat Format { get; }

    /// <summary>The request id sent back in <c>x-amzn-RequestId</c>.</summary>
    public string RequestId { get; }

    /// <summary>
    /// The caller's access key id: verified in <see cref="KinesisAuthMode.Verify"/> mode, as
    /// claimed by the request otherwise (null when unsigned).
    /// </summary>
    public string? AccessKeyId { get; }

    /// <summary>The HTTP exchange (for event stream responses and connection details).</summary>
    public HttpContext HttpContext { get; }

    /// <summary>Cancelled when the client goes away.</summary>
    public CancellationToken CancellationToken => HttpContext.RequestAborted;

    /// <summary>The raw request body.</summary>
    public ReadOnlyMemory<byte> Body => _body;

    /// <summary>The response body, for handlers that encode it themselves (do not mix with <see cref="Writer"/> without flushing it).</summary>
    public IBufferWriter<byte> Output => _output;

    /// <summary>The response writer in the request's encoding.</summary>
    public KinesisDocumentWriter Writer => _writer ??= new KinesisDocumentWriter(Format, _output);

    /// <summary>
    /// A reader over the body. Reading decodes blobs in place, so a body can be read once; blob
    /// memory it returns stays valid until the handler's task completes.
    /// </summary>
    public KinesisDocumentReader CreateReader() => new(Format, _body);

    /// <summary>Flushes and releases the writer (called by the dispatcher after the handler).</summary>
    internal void CompleteWriter()
    {
        if (_writer is not null)
        {
            _writer.Flush();
            _writer.Dispose();
            _writer = null;
        }
    }
}
