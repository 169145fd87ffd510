namespace KafkaKinesisBridge.Grpc;

/// <summary>Message compression (grpc-encoding) this transport can apply to messages it sends.</summary>
public enum GrpcCompression
{
    /// <summary>No compression (identity).</summary>
    None = 0,

    /// <summary>gzip, applied to each message separately.</summary>
    Gzip = 1,
}
