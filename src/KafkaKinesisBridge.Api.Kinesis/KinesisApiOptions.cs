using KafkaKinesisBridge.Core.Security;

namespace KafkaKinesisBridge.Api.Kinesis;

/// <summary>How the Kinesis front door treats request signatures.</summary>
public enum KinesisAuthMode
{
    /// <summary>
    /// Accept every request, signed with any key or not signed at all (local development: SDKs
    /// insist on signing, so they are given dummy keys).
    /// </summary>
    AcceptAny,

    /// <summary>Verify AWS Signature Version 4 against <see cref="KinesisApiOptions.Credentials"/>.</summary>
    Verify,
}

/// <summary>An access key the gateway accepts when <see cref="KinesisAuthMode.Verify"/> is on.</summary>
public sealed class KinesisCredential
{
    /// <summary>The access key id clients sign with (e.g. <c>AKIAIOSFODNN7EXAMPLE</c>).</summary>
    public string AccessKeyId { get; set; } = string.Empty;

    /// <summary>Its secret access key.</summary>
    public string SecretAccessKey { get; set; } = string.Empty;

    /// <summary>
    /// What the key may do, on both front doors (<c>Permissions:0:Streams=orders*</c>,
    /// <c>Permissions:0:Actions=read,write</c>); none listed means full access. Enforced in
    /// <see cref="KinesisAuthMode.Verify"/> mode.
    /// </summary>
    public IList<AccessPermission> Permissions { get; set; } = [];
}

/// <summary>Options of the Kinesis wire protocol front door (configuration section <c>KinesisApi</c>).</summary>
public sealed class KinesisApiOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "KinesisApi";

    /// <summary>Default <see cref="Region"/>.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>
    /// Default <see cref="MaxRequestBodyBytes"/>: 16 MiB. The largest legitimate request is a
    /// PutRecords carrying 10 MiB of data (records up to 10 MiB on streams raised with
    /// UpdateMaxRecordSize; the request limit is then 10 MiB including partition keys). Base64 in
    /// JSON makes that 13.4 MiB, plus up to 500 partition keys of 256 characters and the member
    /// names: about 13.6 MiB. CBOR carries the bytes as they are. 16 MiB covers both with margin,
    /// and bounds what one request can make the gateway buffer.
    /// </summary>
    public const int DefaultMaxRequestBodyBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Default <see cref="AllowedClockSkew"/>: Kinesis rejects signatures dated more than 5 minutes
    /// from its clock ("Signature expired: ... (... - 5 min.)", "Signature not yet current: ...").
    /// </summary>
    public static readonly TimeSpan DefaultAllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Signature handling; <see cref="KinesisAuthMode.AcceptAny"/> by default.</summary>
    public KinesisAuthMode AuthMode { get; set; } = KinesisAuthMode.AcceptAny;

    /// <summary>Keys accepted in <see cref="KinesisAuthMode.Verify"/> mode.</summary>
    public IList<KinesisCredential> Credentials { get; set; } = [];

    /// <summary>Largest request body accepted; larger ones get HTTP 413 as from Kinesis.</summary>
    public int MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// The region the API answers for: signatures must be scoped to it in
    /// <see cref="KinesisAuthMode.Verify"/> mode (clients sign with the region they are configured for).
    /// </summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>How far a signature's date may be from the gateway's clock.</summary>
    public TimeSpan AllowedClockSkew { get; set; } = DefaultAllowedClockSkew;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is invalid.</summary>
    public void Validate()
    {
        if (MaxRequestBodyBytes < 1024)
        {
            throw new ArgumentException($"{nameof(MaxRequestBodyBytes)} must be at least 1024, not {MaxRequestBodyBytes}.", nameof(MaxRequestBodyBytes));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            throw new ArgumentException($"{nameof(Region)} must be set (e.g. {DefaultRegion}).", nameof(Region));
        }

        if (AllowedClockSkew <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(AllowedClockSkew)} must be positive, not {AllowedClockSkew}.", nameof(AllowedClockSkew));
        }

        ArgumentNullException.ThrowIfNull(Credentials);
        if (AuthMode == KinesisAuthMode.Verify && Credentials.Count == 0)
        {
            throw new ArgumentException($"{nameof(KinesisAuthMode.Verify)} needs at least one credential in {nameof(Credentials)}.", nameof(Credentials));
        }

        // Ids, secrets, duplicates, stream patterns and action names.
        _ = ToAccessPolicy();
    }

    /// <summary>
    /// The access policy of both front doors: these credentials and permissions, enforced in
    /// <see cref="KinesisAuthMode.Verify"/> mode. Throws <see cref="ArgumentException"/> when a
    /// credential or permission is invalid.
    /// </summary>
    public AccessPolicy ToAccessPolicy() => AccessPolicy.Create(
        AuthMode == KinesisAuthMode.Verify,
        Credentials.Select(c => new AccessCredential(c.AccessKeyId, c.SecretAccessKey, [.. c.Permissions ?? []])));
}
