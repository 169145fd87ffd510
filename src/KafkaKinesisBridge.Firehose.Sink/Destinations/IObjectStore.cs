namespace KafkaKinesisBridge.Firehose.Sink.Destinations;

/// <summary>
/// The destination port: an S3-shaped object store. A put replaces any object of the same key
/// whole (S3 PutObject semantics), which is what makes a re-delivery of the same key harmless.
/// </summary>
public interface IObjectStore
{
    /// <summary>Short name for logs: "local", "s3".</summary>
    string Name { get; }

    /// <summary>
    /// Writes <paramref name="content"/> as <paramref name="key"/> in <paramref name="bucket"/>,
    /// replacing any object of that key. Completes only when the object is durable: a later crash of
    /// this process (or, for the local store, of the machine) does not lose it. Throws on failure;
    /// the caller retries.
    /// </summary>
    Task PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}
