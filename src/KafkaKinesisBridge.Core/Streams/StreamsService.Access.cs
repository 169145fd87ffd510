namespace KafkaKinesisBridge.Core.Streams;

/// <summary>What the access check needs to know about opaque tokens: the stream they point into.</summary>
public sealed partial class StreamsService
{
    /// <summary>The region the service answers for (stream ARNs in messages).</summary>
    internal string Region => _region;

    /// <summary>The account id the service answers for (stream ARNs in messages).</summary>
    internal string AccountId => _account;

    /// <summary>The stream a genuine shard iterator points into; false for anything else.</summary>
    internal bool TryGetIteratorStream(string shardIterator, out string streamName)
    {
        var ok = _tokens.TryDecodeIterator(shardIterator, out var position);
        streamName = ok ? position.StreamName : string.Empty;
        return ok;
    }

    /// <summary>The stream of a genuine ListShards NextToken; false for anything else.</summary>
    internal bool TryGetListShardsStream(string nextToken, out string streamName)
    {
        var ok = _tokens.TryDecodeListShards(nextToken, out var position);
        streamName = ok ? position.StreamName : string.Empty;
        return ok;
    }

    /// <summary>The stream of a genuine ListStreamConsumers NextToken; null for anything else.</summary>
    internal string? ConsumerTokenStream(string? nextToken) =>
        nextToken is not null && _tokens.TryDecodeListConsumers(nextToken, out var position) ? position.StreamName : null;
}
