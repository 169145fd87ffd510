using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Routing;

namespace KafkaKinesisBridge.Core.Catalog;

/// <summary>
/// The catalog's state machine: a pure, deterministic function of the log prefix applied so far.
/// Every replica that applies the same log reaches the same state and the same accept/reject decision
/// for every command, which is what makes log order a compare-and-set.
/// </summary>
/// <remarks>Not thread-safe: <see cref="StreamCatalog"/> applies commands one at a time.</remarks>
internal sealed class CatalogState
{
    private readonly Dictionary<string, CatalogStream> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _topicOwners = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, CatalogStream> Streams => _streams;

    public byte[]? SigningKey { get; private set; }

    /// <summary>The stream using <paramref name="topic"/>, if any (including a DELETING one).</summary>
    public string? TopicOwner(string topic) => _topicOwners.GetValueOrDefault(topic);

    /// <summary>The current version of a stream, or -1 when it does not exist.</summary>
    public long VersionOf(string streamName) => _streams.TryGetValue(streamName, out var stream) ? stream.Version : -1;

    /// <summary>
    /// Applies the command found at <paramref name="offset"/>. Returns true when accepted; then
    /// <paramref name="changed"/> names the stream that changed (null for a key change).
    /// </summary>
    public bool Apply(CatalogCommand command, long offset, out string? changed)
    {
        changed = null;
        switch (command.Kind)
        {
            case CatalogCommandKind.PutStream:
                return ApplyPut(command, offset, out changed);
            case CatalogCommandKind.RemoveStream:
                return ApplyRemove(command, out changed);
            case CatalogCommandKind.SetSigningKey:
                return ApplySigningKey(command);
            case CatalogCommandKind.PutDocument:
            case CatalogCommandKind.RemoveDocument:
                return ApplyDocument(command, offset);
            default:
                return false;
        }
    }

    private bool ApplyPut(CatalogCommand command, long offset, out string? changed)
    {
        changed = null;
        var entry = command.Stream;
        var name = command.StreamName;
        if (entry is null || name is null || !string.Equals(entry.Name, name, StringComparison.Ordinal) || !IsWellFormed(entry))
        {
            return false;
        }

        if (VersionOf(name) != command.BasedOnVersion)
        {
            return false;
        }

        if (_streams.TryGetValue(name, out var current))
        {
            // An update may not move the stream to another topic or incarnation.
            if (!string.Equals(current.Entry.Topic, entry.Topic, StringComparison.Ordinal) || current.Entry.Incarnation != entry.Incarnation)
            {
                return false;
            }
        }
        else if (TopicOwner(entry.Topic) is not null)
        {
            // Two streams never share a topic, even when one of them is DELETING.
            return false;
        }

        _streams[name] = new CatalogStream(entry, offset);
        _topicOwners[entry.Topic] = name;
        changed = name;
        return true;
    }

    private bool ApplyRemove(CatalogCommand command, out string? changed)
    {
        changed = null;
        var name = command.StreamName;
        if (name is null || !_streams.TryGetValue(name, out var current) || current.Version != command.BasedOnVersion)
        {
            return false;
        }

        _streams.Remove(name);
        _topicOwners.Remove(current.Entry.Topic);
        changed = name;
        return true;
    }

    /// <summary>Documents by collection and key (see <see cref="CatalogCommandKind.PutDocument"/>).</summary>
    public IReadOnlyDictionary<(string Collection, string Key), CatalogDocument> Documents => _documents;

    private readonly Dictionary<(string Collection, string Key), CatalogDocument> _documents = [];

    private bool ApplyDocument(CatalogCommand command, long offset)
    {
        if (string.IsNullOrEmpty(command.Collection) || string.IsNullOrEmpty(command.DocumentKey))
        {
            return false;
        }

        var key = (command.Collection, command.DocumentKey);
        var version = _documents.TryGetValue(key, out var current) ? current.Version : -1;
        if (version != command.BasedOnVersion)
        {
            return false;
        }

        if (command.Kind == CatalogCommandKind.RemoveDocument)
        {
            return _documents.Remove(key);
        }

        if (command.Document is null)
        {
            return false;
        }

        _documents[key] = new CatalogDocument(command.Collection, command.DocumentKey, command.Document, offset);
        return true;
    }

    private bool ApplySigningKey(CatalogCommand command)
    {
        if (SigningKey is not null || command.SigningKey is null)
        {
            return false;
        }

        try
        {
            var key = Convert.FromBase64String(command.SigningKey);
            if (key.Length < 32)
            {
                return false;
            }

            SigningKey = key;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsWellFormed(StreamEntry entry)
    {
        if (string.IsNullOrEmpty(entry.Topic) || entry.Shards is null || entry.Tags is null || !Enum.IsDefined(entry.Status))
        {
            return false;
        }

        for (var i = 0; i < entry.Shards.Count; i++)
        {
            var shard = entry.Shards[i];
            if (shard is null || shard.Index != i
                || !HashKeys.TryParse(shard.StartingHashKey, out var start)
                || !HashKeys.TryParse(shard.EndingHashKey, out var end)
                || start > end)
            {
                return false;
            }
        }

        return entry.Status == StreamStatus.Deleting || entry.Shards.Count > 0;
    }
}
