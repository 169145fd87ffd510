namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// One permission of an access key, as configured: which streams, which actions
/// (<c>...:Permissions:0:Streams=orders*</c>, <c>...:Permissions:0:Actions=read,write</c>).
/// </summary>
public sealed class AccessPermission
{
    /// <summary>Stream name patterns, comma-separated (<c>*</c> is a wildcard); default every stream.</summary>
    public string Streams { get; set; } = "*";

    /// <summary>Actions: <c>read</c>, <c>write</c>, <c>admin</c> or <c>*</c>, comma-separated.</summary>
    public string Actions { get; set; } = string.Empty;
}

/// <summary>An access key the gateway accepts, with what it may do.</summary>
/// <param name="AccessKeyId">The access key id clients present.</param>
/// <param name="SecretAccessKey">Its secret.</param>
/// <param name="Permissions">What the key may do; none listed means everything (full access).</param>
public sealed record AccessCredential(string AccessKeyId, string SecretAccessKey, IReadOnlyList<AccessPermission> Permissions);
