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

    /// <summary>
    /// Largest request body accepted for any operation, a ceiling over the per-operation limits
    /// (<see cref="MaxPutRecordsBodyBytes"/> and the others); larger ones get HTTP 413 as from Kinesis.
    /// </summary>
    public int MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>
    /// The region the API answers for: signatures must be scoped to it in
    /// <see cref="KinesisAuthMode.Verify"/> mode (clients sign with the region they are configured for).
    /// </summary>
    public string Region { get; set; } = DefaultRegion;

    /// <summary>How far a signature's date may be from the gateway's clock.</summary>
    public TimeSpan AllowedClockSkew { get; set; } = DefaultAllowedClockSkew;

    // ----- Request limits (bounded memory) ------------------------------------------------------
    // Each operation's body is limited to what its largest valid request can need, checked against
    // Content-Length before anything is read and while a chunked body arrives (HTTP 413 with a
    // Kinesis-shaped body), and the bodies being read and processed at once share one budget: a
    // request waits for its share instead of growing the process (backpressure through the socket).

    /// <summary>
    /// Default <see cref="MaxPutRecordsBodyBytes"/>: 15 MiB. Kinesis caps a PutRecords request at 5 MiB
    /// of data and partition keys, 10 MiB on streams raised with UpdateMaxRecordSize (which the
    /// gateway serves). 10 MiB of data is 13.33 MiB of base64 in JSON; 500 entries add at most about
    /// 0.8 MiB of partition keys (256 characters, escaped), hash keys and member names.
    /// </summary>
    public const int DefaultMaxPutRecordsBodyBytes = 15 * 1024 * 1024;

    /// <summary>
    /// Default <see cref="MaxPutRecordBodyBytes"/>: 14 MiB, one record of up to 10 MiB (a raised
    /// stream's largest) as base64 (13.33 MiB) plus its keys.
    /// </summary>
    public const int DefaultMaxPutRecordBodyBytes = 14 * 1024 * 1024;

    /// <summary>
    /// Default <see cref="MaxOtherBodyBytes"/>: 1 MiB. Every other request (control plane, GetRecords,
    /// GetShardIterator, tags) is a few names, numbers and at most 200 tags of 128 + 256 characters:
    /// well under 1 MiB even escaped.
    /// </summary>
    public const int DefaultMaxOtherBodyBytes = 1024 * 1024;

    /// <summary>
    /// Default <see cref="MaxBodyBytesInFlight"/>: 256 MiB, seventeen of the largest PutRecords at
    /// once, far more than a gateway's network delivers in the time one takes to process.
    /// </summary>
    public const long DefaultMaxBodyBytesInFlight = 256L * 1024 * 1024;

    /// <summary>Largest PutRecords request body.</summary>
    public int MaxPutRecordsBodyBytes { get; set; } = DefaultMaxPutRecordsBodyBytes;

    /// <summary>Largest PutRecord request body.</summary>
    public int MaxPutRecordBodyBytes { get; set; } = DefaultMaxPutRecordBodyBytes;

    /// <summary>Largest body of any other operation (and of a request whose target is unknown).</summary>
    public int MaxOtherBodyBytes { get; set; } = DefaultMaxOtherBodyBytes;

    /// <summary>
    /// Bytes of request bodies held at once, over all connections: a request reserves its declared
    /// length (or its operation's limit when chunked) before reading, and waits while the budget is
    /// spent, until its client gives up.
    /// </summary>
    public long MaxBodyBytesInFlight { get; set; } = DefaultMaxBodyBytesInFlight;

    /// <summary>The body limit of <paramref name="operation"/> (null: unknown target), never above <see cref="MaxRequestBodyBytes"/>.</summary>
    internal int MaxBodyBytesFor(Protocol.KinesisOperation? operation) => Math.Min(MaxRequestBodyBytes, operation switch
    {
        Protocol.KinesisOperation.PutRecords => MaxPutRecordsBodyBytes,
        Protocol.KinesisOperation.PutRecord => MaxPutRecordBodyBytes,
        _ => MaxOtherBodyBytes,
    });

    private void ValidateLimits()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(MaxPutRecordsBodyBytes), MaxPutRecordsBodyBytes),
            (nameof(MaxPutRecordBodyBytes), MaxPutRecordBodyBytes),
            (nameof(MaxOtherBodyBytes), MaxOtherBodyBytes),
        })
        {
            if (value < 1024)
            {
                throw new ArgumentException($"{name} must be at least 1024, not {value}.", name);
            }
        }

        var largest = Math.Max(MaxPutRecordsBodyBytes, Math.Max(MaxPutRecordBodyBytes, MaxOtherBodyBytes));
        if (MaxBodyBytesInFlight < Math.Min(largest, MaxRequestBodyBytes))
        {
            throw new ArgumentException(
                $"{nameof(MaxBodyBytesInFlight)} ({MaxBodyBytesInFlight}) must hold at least the largest request body ({Math.Min(largest, MaxRequestBodyBytes)}).",
                nameof(MaxBodyBytesInFlight));
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a value is invalid.</summary>
    public void Validate()
    {
        ValidateLimits();
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
