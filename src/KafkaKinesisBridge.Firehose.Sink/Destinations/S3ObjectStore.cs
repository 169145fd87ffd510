using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace KafkaKinesisBridge.Firehose.Sink.Destinations;

/// <summary>
/// Objects in an S3-compatible store through the AWS SDK for .NET: path-style addressing (what
/// MinIO, s3rver and most S3-compatible stores need), the endpoint from <see cref="SinkOptions"/>
/// or the SDK's standard <c>AWS_ENDPOINT_URL_S3</c> / <c>AWS_ENDPOINT_URL</c>, credentials and
/// region from the SDK's standard chain (<c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>,
/// <c>AWS_REGION</c>, profiles, ...). PutObject replaces an object whole, and answers only once the
/// object is stored durably (S3 semantics).
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;

    /// <summary>Connects to <paramref name="endpoint"/> (a URL such as <c>http://127.0.0.1:4569</c>) with the
    /// SDK's credential chain, or <paramref name="credentials"/> when given.</summary>
    public S3ObjectStore(string endpoint, string? region = null, AWSCredentials? credentials = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        var config = new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            // S3-compatible stores often lack the SDK's newer default of a trailing CRC checksum in
            // aws-chunked bodies; send a checksum only when the operation requires one.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrEmpty(region))
        {
            config.AuthenticationRegion = region;
        }

        _client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    /// <inheritdoc />
    public string Name => "s3";

    /// <summary>The endpoint from the SDK's standard variables: <c>AWS_ENDPOINT_URL_S3</c>, else <c>AWS_ENDPOINT_URL</c>; null if neither.</summary>
    public static string? EndpointFromEnvironment()
    {
        var endpoint = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3");
        return string.IsNullOrEmpty(endpoint) ? NullIfEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL")) : endpoint;
    }

    /// <inheritdoc />
    public async Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var body = MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
        await using (body.ConfigureAwait(false))
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = false,
            };
            await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
