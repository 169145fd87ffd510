using System.IO.Compression;

namespace KafkaKinesisBridge.Grpc.Client;

/// <summary>Settings of a <see cref="GrpcClient"/>.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>Default <see cref="MaxReceiveMessageSize"/>: 16 MiB, as the server transport.</summary>
    public const int DefaultMaxReceiveMessageSize = 16 * 1024 * 1024;

    /// <summary>Largest response message accepted, in bytes, after decompression.</summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent, in bytes (before compression); null for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Compression of request messages unless a call says otherwise (<see cref="CallOptions.RequestCompression"/>).</summary>
    public GrpcCompression RequestCompression { get; set; } = GrpcCompression.None;

    /// <summary>gzip level for request compression.</summary>
    public CompressionLevel RequestCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>When true (default) the client sends grpc-accept-encoding "identity,gzip", letting the server compress responses.</summary>
    public bool AcceptCompressedResponses { get; set; } = true;

    /// <summary>
    /// When true (default) the handler the client creates opens another HTTP/2 connection once
    /// the server's concurrent-stream limit is reached on the existing ones.
    /// </summary>
    public bool EnableMultipleHttp2Connections { get; set; } = true;

    /// <summary>The user-agent header (gRPC PROTOCOL-HTTP2 "User-Agent").</summary>
    public string UserAgent { get; set; } = "grpc-dotnet-kkb/1.0";

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        if (MaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"{nameof(MaxReceiveMessageSize)} must be positive.");
        }

        if (MaxSendMessageSize is <= 0)
        {
            throw new ArgumentException($"{nameof(MaxSendMessageSize)} must be positive or null.");
        }

        if (!Enum.IsDefined(RequestCompression))
        {
            throw new ArgumentException($"{nameof(RequestCompression)} '{RequestCompression}' is not supported.");
        }

        if (string.IsNullOrWhiteSpace(UserAgent))
        {
            throw new ArgumentException($"{nameof(UserAgent)} must not be empty.");
        }
    }
}

/// <summary>Per-call settings. The default value means: no metadata, no deadline, no cancellation, the client's compression.</summary>
public readonly struct CallOptions
{
    /// <summary>Request metadata (custom headers).</summary>
    public Metadata? Headers { get; init; }

    /// <summary>How long the call may take; sent as grpc-timeout and enforced locally (DEADLINE_EXCEEDED).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Cancels the call (RST_STREAM CANCEL to the server; the call fails with CANCELLED).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Overrides <see cref="GrpcClientOptions.RequestCompression"/> for this call.</summary>
    public GrpcCompression? RequestCompression { get; init; }
}
