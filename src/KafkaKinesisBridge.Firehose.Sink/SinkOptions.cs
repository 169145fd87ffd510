using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink;

/// <summary>Settings of the sink worker (section <c>Firehose:Sink</c>).</summary>
public sealed class SinkOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Firehose:Sink";

    /// <summary>Runs the worker in this process; false leaves delivery to other (sink-only) processes.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// This process is a sink worker only (switch <c>--sink-only</c>): the host serves no API and
    /// only delivers (scale-out on Kafka: several such processes share the partitions).
    /// </summary>
    public bool SinkOnly { get; set; }

    /// <summary>Root of the local-directory destination (one folder per bucket), used when no S3 endpoint is set.</summary>
    public string LocalDirectory { get; set; } = "data/firehose-objects";

    /// <summary>An S3-compatible endpoint; when null, the SDK's <c>AWS_ENDPOINT_URL_S3</c> / <c>AWS_ENDPOINT_URL</c>, else the local directory.</summary>
    public string? S3Endpoint { get; set; }

    /// <summary>The signing region for S3 (else the SDK's chain: <c>AWS_REGION</c>, profile).</summary>
    public string? S3Region { get; set; }

    /// <summary>Where log-store sources keep their checkpoints (embedded log; Kafka without consumer groups).</summary>
    public string CheckpointDirectory { get; set; } = "data/firehose-checkpoints";

    /// <summary>fsync objects of the local directory and checkpoints (a process crash loses nothing without it; a power loss may).</summary>
    public bool Fsync { get; set; } = true;

    /// <summary>How often the worker asks the provider for the active delivery streams.</summary>
    public TimeSpan CatalogPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a source waits for records before the pipeline checks its buffers' intervals.</summary>
    public TimeSpan MaxPollWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest pause between reads of an idle log-store source.</summary>
    public TimeSpan IdlePollDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Records per storage read.</summary>
    public int ReadMaxRecords { get; set; } = 10_000;

    /// <summary>Bytes per storage read.</summary>
    public int ReadMaxBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Memory bound of one delivery stream's buffers together: past it the largest buffer is delivered
    /// before more is read (each buffer is also bounded by BufferingHints.SizeInMBs).
    /// </summary>
    public long MaxBufferedBytesPerStream { get; set; } = 256L * 1024 * 1024;

    /// <summary>First retry delay of a failed write (exponential with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest retry delay.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause before a failed pipeline (source or checkpoint fault) starts again from its committed positions.</summary>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On shutdown, how long buffers may take to be delivered; what is not is delivered again at the next start.</summary>
    public TimeSpan ShutdownFlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>GZIP and ZIP level.</summary>
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>The S3 endpoint in effect: the setting, else the SDK's standard variables; null for the local directory.</summary>
    public string? EffectiveS3Endpoint => string.IsNullOrEmpty(S3Endpoint) ? Destinations.S3ObjectStore.EndpointFromEnvironment() : S3Endpoint;
}

/// <summary>Validates <see cref="SinkOptions"/> at start.</summary>
internal sealed class SinkOptionsValidator : IValidateOptions<SinkOptions>
{
    public ValidateOptionsResult Validate(string? name, SinkOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.LocalDirectory))
        {
            failures.Add("Firehose:Sink:LocalDirectory is required.");
        }

        if (string.IsNullOrWhiteSpace(options.CheckpointDirectory))
        {
            failures.Add("Firehose:Sink:CheckpointDirectory is required.");
        }

        if (options.S3Endpoint is { Length: > 0 } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
        {
            failures.Add("Firehose:Sink:S3Endpoint must be an absolute URL.");
        }

        if (options.CatalogPollInterval <= TimeSpan.Zero || options.MaxPollWait <= TimeSpan.Zero || options.IdlePollDelay <= TimeSpan.Zero
            || options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay
            || options.RestartDelay <= TimeSpan.Zero || options.ShutdownFlushTimeout < TimeSpan.Zero)
        {
            failures.Add("Firehose:Sink intervals and delays must be positive (RetryMaxDelay at least RetryBaseDelay).");
        }

        if (options.ReadMaxRecords < 1 || options.ReadMaxBytes < 1)
        {
            failures.Add("Firehose:Sink:ReadMaxRecords and ReadMaxBytes must be at least 1.");
        }

        if (options.MaxBufferedBytesPerStream < 1024 * 1024)
        {
            failures.Add("Firehose:Sink:MaxBufferedBytesPerStream must be at least 1 MiB.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
