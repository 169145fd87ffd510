using KafkaKinesisBridge.Core.Catalog;

namespace KafkaKinesisBridge.Core.Streams;

/// <summary>The catalog's documents (other resources replicated on the stream catalog's log).</summary>
public sealed partial class StreamsService : ICatalogDocuments
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CatalogDocument>> ListDocumentsAsync(string collection, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        await _catalog.RefreshAsync(cancellationToken);
        return await _catalog.GetDocumentsAsync(collection, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<long?> ProposeDocumentAsync(string collection, string key, long basedOnVersion, string? json, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(collection);
        ArgumentException.ThrowIfNullOrEmpty(key);
        var (accepted, offset) = await _catalog.ProposeAsync(
            new CatalogCommand
            {
                Kind = json is null ? CatalogCommandKind.RemoveDocument : CatalogCommandKind.PutDocument,
                Collection = collection,
                DocumentKey = key,
                Document = json,
                BasedOnVersion = basedOnVersion,
            },
            cancellationToken);
        return accepted ? offset : null;
    }
}
