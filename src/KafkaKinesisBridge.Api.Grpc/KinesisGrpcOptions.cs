using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Api.Grpc;

/// <summary>Settings of the gRPC front door (section "Grpc"), applied to Grpc.AspNetCore; validated at start.</summary>
public sealed class KinesisGrpcOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Grpc";

    /// <summary>Default message size limits: 16 MiB.</summary>
    /// <remarks>
    /// A PutRecords request carries up to 5 MiB of data (500 records) plus per-record overhead, a
    /// single record may be up to 10 MiB when the stream allows it, and GetRecords answers up to
    /// 10 MiB of data: gRPC's default receive limit of 4 MiB is too small for all three.
    /// </remarks>
    public const int DefaultMaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// Largest request message accepted, in bytes. A message header declaring more is refused with
    /// RESOURCE_EXHAUSTED (Kinesis error RequestEntityTooLarge) before its payload is buffered.
    /// </summary>
    public int MaxReceiveMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>Largest response message sent, in bytes; a larger one fails the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>
    /// Compression of response messages ("gzip", any case), applied only when the client lists it in
    /// grpc-accept-encoding; null, empty or "none" for none. Compressed requests are always accepted.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>The grpc-encoding name of <see cref="ResponseCompression"/>; null for none.</summary>
    internal string? ResponseEncoding =>
        string.IsNullOrEmpty(ResponseCompression) || string.Equals(ResponseCompression, "none", StringComparison.OrdinalIgnoreCase)
            ? null
            : ResponseCompression.ToLowerInvariant();

    /// <summary>gzip level for response compression.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>
    /// When true, an unexpected handler exception's message is sent to the client in grpc-message.
    /// Keep false in production: exception text can leak internals.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }
}

/// <summary>Checks <see cref="KinesisGrpcOptions"/> at start.</summary>
internal sealed class KinesisGrpcOptionsValidator : IValidateOptions<KinesisGrpcOptions>
{
    public ValidateOptionsResult Validate(string? name, KinesisGrpcOptions options)
    {
        List<string>? failures = null;
        if (options.MaxReceiveMessageSize <= 0)
        {
            (failures ??= []).Add($"{nameof(KinesisGrpcOptions.MaxReceiveMessageSize)} must be positive (was {options.MaxReceiveMessageSize}).");
        }

        if (options.MaxSendMessageSize <= 0)
        {
            (failures ??= []).Add($"{nameof(KinesisGrpcOptions.MaxSendMessageSize)} must be positive (was {options.MaxSendMessageSize}).");
        }

        if (options.ResponseEncoding is { } encoding && encoding != "gzip")
        {
            (failures ??= []).Add($"{nameof(KinesisGrpcOptions.ResponseCompression)} '{options.ResponseCompression}' is not supported (gzip or none).");
        }

        if (!Enum.IsDefined(options.ResponseCompressionLevel))
        {
            (failures ??= []).Add($"{nameof(KinesisGrpcOptions.ResponseCompressionLevel)} '{options.ResponseCompressionLevel}' is not a compression level.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
