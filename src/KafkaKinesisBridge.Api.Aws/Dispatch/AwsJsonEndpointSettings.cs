namespace KafkaKinesisBridge.Api.Aws.Dispatch;

/// <summary>
/// What the shared AWS JSON endpoint needs from configuration, whichever services it carries:
/// signature verification (keys, region, clock skew), the in-flight body budget and the limit of a
/// request whose target names no known operation. The host builds it from its options (the gateway:
/// the <c>KinesisApi</c> section, which configures the endpoint both APIs share).
/// </summary>
/// <param name="VerifySignatures">True to verify AWS Signature Version 4 on every request.</param>
/// <param name="Credentials">Access key id and secret of each accepted key.</param>
/// <param name="Region">The region signatures must be scoped to.</param>
/// <param name="AllowedClockSkew">How far a signature's date may be from the clock.</param>
/// <param name="MaxBodyBytesInFlight">Bytes of request bodies held at once, over all connections.</param>
/// <param name="UnknownTargetMaxBodyBytes">The body limit of a request whose target is unknown or missing.</param>
public sealed record AwsJsonEndpointSettings(
    bool VerifySignatures,
    IReadOnlyList<KeyValuePair<string, string>> Credentials,
    string Region,
    TimeSpan AllowedClockSkew,
    long MaxBodyBytesInFlight,
    int UnknownTargetMaxBodyBytes);
