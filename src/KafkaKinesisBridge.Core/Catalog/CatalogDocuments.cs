namespace KafkaKinesisBridge.Core.Catalog;

/// <summary>
/// A document replicated through the stream catalog: JSON text under a collection and key, with the
/// version (the catalog log offset of the command that wrote it). Resources other than streams (the
/// Firehose delivery streams) live here, on the same log and the same compare-and-set rule as streams.
/// </summary>
/// <param name="Collection">The collection, e.g. <c>firehose</c>.</param>
/// <param name="Key">The key within the collection (a resource name).</param>
/// <param name="Json">The document.</param>
/// <param name="Version">The catalog offset of the command that wrote it.</param>
public sealed record CatalogDocument(string Collection, string Key, string Json, long Version);

/// <summary>
/// Documents in the replicated catalog, shared by every gateway replica: each write is a command on
/// the catalog log accepted only when based on the document's current version, so concurrent writers
/// on different replicas are ordered by the log and exactly one of them wins.
/// </summary>
public interface ICatalogDocuments
{
    /// <summary>The documents of <paramref name="collection"/>, after reading the catalog log to its end.</summary>
    ValueTask<IReadOnlyList<CatalogDocument>> ListDocumentsAsync(string collection, CancellationToken cancellationToken);

    /// <summary>
    /// Writes (<paramref name="json"/> not null) or removes (null) a document if its current version is
    /// <paramref name="basedOnVersion"/> (-1: it must not exist). Returns the new version, or null when
    /// another write came first.
    /// </summary>
    ValueTask<long?> ProposeDocumentAsync(string collection, string key, long basedOnVersion, string? json, CancellationToken cancellationToken);
}
