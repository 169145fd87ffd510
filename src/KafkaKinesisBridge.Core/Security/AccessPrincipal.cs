namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// An authenticated caller: its access key id and what it may do. Immutable; one per configured key,
/// shared by all of its calls.
/// </summary>
public sealed class AccessPrincipal
{
    private readonly Grant[] _grants;

    private AccessPrincipal(string accessKeyId, Grant[] grants, bool unrestricted)
    {
        AccessKeyId = accessKeyId;
        _grants = grants;
        IsUnrestricted = unrestricted;
    }

    /// <summary>The access key id the caller authenticated with.</summary>
    public string AccessKeyId { get; }

    /// <summary>True when the key has no permissions listed: it may do everything.</summary>
    public bool IsUnrestricted { get; }

    /// <summary>A principal that may do everything (a key configured without permissions).</summary>
    public static AccessPrincipal Unrestricted(string accessKeyId) => new(accessKeyId, [], unrestricted: true);

    /// <summary>
    /// A principal from configured <paramref name="permissions"/> (none: unrestricted); throws
    /// <see cref="ArgumentException"/> for an empty pattern or an unknown action.
    /// </summary>
    public static AccessPrincipal Create(string accessKeyId, IEnumerable<AccessPermission> permissions)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentNullException.ThrowIfNull(permissions);
        var grants = new List<Grant>();
        foreach (var permission in permissions)
        {
            if (!KinesisOperationAccess.TryParseActions(permission.Actions, out var actions))
            {
                throw new ArgumentException(
                    $"Access key '{accessKeyId}': Actions '{permission.Actions}' is not a list of read, write, admin or *.", nameof(permissions));
            }

            var patterns = (permission.Streams ?? string.Empty)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(StreamNamePattern.Parse)
                .ToArray();
            if (patterns.Length == 0)
            {
                throw new ArgumentException($"Access key '{accessKeyId}': a permission needs Streams (a name, a pattern such as orders*, or *).", nameof(permissions));
            }

            grants.Add(new Grant(patterns, actions));
        }

        return grants.Count == 0 ? Unrestricted(accessKeyId) : new AccessPrincipal(accessKeyId, [.. grants], unrestricted: false);
    }

    /// <summary>True when the caller may do <paramref name="action"/> on the stream <paramref name="streamName"/>.</summary>
    public bool IsAllowed(AccessActions action, string streamName)
    {
        if (IsUnrestricted)
        {
            return true;
        }

        foreach (var grant in _grants)
        {
            if ((grant.Actions & action) == action && grant.Matches(streamName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the caller may do <paramref name="action"/> on at least one stream name pattern.</summary>
    public bool HasAny(AccessActions action)
    {
        if (IsUnrestricted)
        {
            return true;
        }

        foreach (var grant in _grants)
        {
            if ((grant.Actions & action) == action)
            {
                return true;
            }
        }

        return false;
    }

    private sealed record Grant(StreamNamePattern[] Patterns, AccessActions Actions)
    {
        public bool Matches(string streamName)
        {
            foreach (var pattern in Patterns)
            {
                if (pattern.Matches(streamName))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
