using System.IO.Compression;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>What every call handler shares: validated options, the logger and the clock.</summary>
internal sealed class GrpcServerRuntime
{
    public GrpcServerRuntime(GrpcTransportOptions options, ILogger logger, TimeProvider timeProvider)
    {
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        ResponseCompression = options.ResponseCompression;
        ResponseCompressionLevel = options.ResponseCompressionLevel;
        EnableDetailedErrors = options.EnableDetailedErrors;
        Logger = logger;
        TimeProvider = timeProvider;
    }

    public int MaxReceiveMessageSize { get; }

    public int? MaxSendMessageSize { get; }

    public GrpcCompression ResponseCompression { get; }

    public CompressionLevel ResponseCompressionLevel { get; }

    public bool EnableDetailedErrors { get; }

    public ILogger Logger { get; }

    public TimeProvider TimeProvider { get; }
}
