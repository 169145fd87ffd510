using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Grpc;

/// <summary>Settings of the gRPC server transport. Bind from configuration or set in code; validated at start.</summary>
public sealed class GrpcTransportOptions
{
    /// <summary>Default <see cref="MaxReceiveMessageSize"/>: 16 MiB.</summary>
    /// <remarks>
    /// A Kinesis PutRecords request carries up to 5 MiB of data (500 records) plus per-record
    /// overhead, and a single record may be up to 10 MiB when the stream allows it, so the gRPC
    /// default of 4 MiB is too small.
    /// </remarks>
    public const int DefaultMaxReceiveMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// Largest request message accepted, in bytes, after decompression. A message header declaring
    /// more is refused with RESOURCE_EXHAUSTED before its payload is buffered.
    /// </summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent, in bytes (before compression); null for no limit. A larger message fails the call with RESOURCE_EXHAUSTED.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Compression of response messages, applied only when the client lists it in grpc-accept-encoding.</summary>
    public GrpcCompression ResponseCompression { get; set; } = GrpcCompression.None;

    /// <summary>gzip level for response compression.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>
    /// When true, an unexpected handler exception's type and message are sent to the client in
    /// grpc-message. Keep false in production: exception text can leak internals.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }
}

/// <summary>Checks <see cref="GrpcTransportOptions"/> at start.</summary>
internal sealed class GrpcTransportOptionsValidator : IValidateOptions<GrpcTransportOptions>
{
    public ValidateOptionsResult Validate(string? name, GrpcTransportOptions options)
    {
        List<string>? failures = null;
        if (options.MaxReceiveMessageSize <= 0)
        {
            (failures ??= []).Add($"{nameof(GrpcTransportOptions.MaxReceiveMessageSize)} must be positive (was {options.MaxReceiveMessageSize}).");
        }

        if (options.MaxSendMessageSize is <= 0)
        {
            (failures ??= []).Add($"{nameof(GrpcTransportOptions.MaxSendMessageSize)} must be positive or null (was {options.MaxSendMessageSize}).");
        }

        if (!Enum.IsDefined(options.ResponseCompression))
        {
            (failures ??= []).Add($"{nameof(GrpcTransportOptions.ResponseCompression)} '{options.ResponseCompression}' is not supported.");
        }

        if (!Enum.IsDefined(options.ResponseCompressionLevel))
        {
            (failures ??= []).Add($"{nameof(GrpcTransportOptions.ResponseCompressionLevel)} '{options.ResponseCompressionLevel}' is not a compression level.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
