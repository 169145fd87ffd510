using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// The one authentication and permission policy of both front doors: the configured access keys,
/// their secrets and what each may do, and whether the gateway enforces them at all.
/// </summary>
/// <remarks>
/// Built by the host from configuration (<c>KinesisApi:AuthMode</c> and <c>KinesisApi:Credentials</c>).
/// The Kinesis door verifies SigV4 with <see cref="TryGetSecret"/>; the gRPC door checks bearer
/// credentials with <see cref="BearerTokenAuthenticator"/>; both then run the call under
/// <see cref="AccessContext.Enter"/> and the core refuses what the principal may not do.
/// </remarks>
public sealed class AccessPolicy
{
    private readonly FrozenDictionary<string, Entry> _keys;

    private AccessPolicy(bool enforced, FrozenDictionary<string, Entry> keys)
    {
        IsEnforced = enforced;
        _keys = keys;
    }

    /// <summary>A policy that enforces nothing: every call is allowed, with or without credentials.</summary>
    public static AccessPolicy Open { get; } = new(false, FrozenDictionary<string, Entry>.Empty);

    /// <summary>True when calls must authenticate and are checked against their key's permissions.</summary>
    public bool IsEnforced { get; }

    /// <summary>
    /// A policy over <paramref name="credentials"/>; <paramref name="enforced"/> false accepts every
    /// call (the keys are still known, for secrets and principals). Throws <see cref="ArgumentException"/>
    /// for a key without id or secret, a key configured twice, or an invalid permission.
    /// </summary>
    public static AccessPolicy Create(bool enforced, IEnumerable<AccessCredential> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var keys = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var credential in credentials)
        {
            if (string.IsNullOrEmpty(credential.AccessKeyId) || string.IsNullOrEmpty(credential.SecretAccessKey))
            {
                throw new ArgumentException("Every credential needs an AccessKeyId and a SecretAccessKey.", nameof(credentials));
            }

            if (keys.ContainsKey(credential.AccessKeyId))
            {
                throw new ArgumentException($"Access key id '{credential.AccessKeyId}' is configured twice.", nameof(credentials));
            }

            var principal = AccessPrincipal.Create(credential.AccessKeyId, credential.Permissions ?? []);
            keys.Add(credential.AccessKeyId, new Entry(credential.SecretAccessKey, HashSecret(credential.SecretAccessKey), principal));
        }

        if (enforced && keys.Count == 0)
        {
            throw new ArgumentException("Enforcing access needs at least one credential.", nameof(credentials));
        }

        return new AccessPolicy(enforced, keys.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The secret of <paramref name="accessKeyId"/> (SigV4 needs it to recompute signatures).</summary>
    public bool TryGetSecret(string accessKeyId, out string secretAccessKey)
    {
        if (_keys.TryGetValue(accessKeyId, out var entry))
        {
            secretAccessKey = entry.Secret;
            return true;
        }

        secretAccessKey = string.Empty;
        return false;
    }

    /// <summary>The principal of a configured key (after its signature or secret was verified).</summary>
    public AccessPrincipal? FindPrincipal(string accessKeyId) =>
        _keys.TryGetValue(accessKeyId, out var entry) ? entry.Principal : null;

    /// <summary>
    /// The principal when <paramref name="secretAccessKey"/> is the secret of <paramref name="accessKeyId"/>;
    /// null otherwise. The secrets are compared in constant time (as SHA-256 digests, so neither their
    /// content nor their length shows in the timing), and an unknown key costs the same comparison.
    /// </summary>
    public AccessPrincipal? VerifySecret(string accessKeyId, ReadOnlySpan<char> secretAccessKey)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        HashSecret(secretAccessKey, presented);
        var found = _keys.TryGetValue(accessKeyId, out var entry);
        var expected = found ? entry!.SecretHash : UnknownKeyHash;
        var equal = CryptographicOperations.FixedTimeEquals(presented, expected);
        return found && equal ? entry!.Principal : null;
    }

    private static readonly byte[] UnknownKeyHash = HashSecret("\0 no such key \0");

    private static byte[] HashSecret(string secret)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        HashSecret(secret, hash);
        return hash;
    }

    private static void HashSecret(ReadOnlySpan<char> secret, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var rented = length <= 512 ? stackalloc byte[512] : new byte[length];
        var written = Encoding.UTF8.GetBytes(secret, rented);
        SHA256.HashData(rented[..written], destination);
        CryptographicOperations.ZeroMemory(rented[..written]);
    }

    private sealed record Entry(string Secret, byte[] SecretHash, AccessPrincipal Principal);
}
