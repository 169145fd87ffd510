using System.Collections.Frozen;
using System.Text.Json;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Firehose.Model;

namespace KafkaKinesisBridge.Firehose.Delivery;

/// <summary>A delivery stream and its catalog version (the compare-and-set token of its next change).</summary>
/// <param name="Stream">The delivery stream (do not change it; change a clone).</param>
/// <param name="CatalogVersion">The catalog offset of the command that wrote it.</param>
public sealed record CatalogedDeliveryStream(DeliveryStream Stream, long CatalogVersion);

/// <summary>
/// The delivery streams, kept as documents of the replicated stream catalog (collection
/// <c>firehose</c>): the same log, the same compare-and-set by version, so every gateway replica sees
/// the same delivery streams and concurrent changes on two replicas are ordered, one winning.
/// A snapshot is cached for the record path (PutRecordBatch does not read the catalog log per call).
/// </summary>
internal sealed class DeliveryStreamCatalog(ICatalogDocuments documents)
{
    public const string Collection = "firehose";

    private volatile FrozenDictionary<string, CatalogedDeliveryStream> _snapshot = FrozenDictionary<string, CatalogedDeliveryStream>.Empty;

    /// <summary>Every delivery stream, after reading the catalog to its end.</summary>
    public async ValueTask<FrozenDictionary<string, CatalogedDeliveryStream>> RefreshAsync(CancellationToken cancellationToken)
    {
        var all = await documents.ListDocumentsAsync(Collection, cancellationToken);
        var streams = new Dictionary<string, CatalogedDeliveryStream>(all.Count, StringComparer.Ordinal);
        foreach (var document in all)
        {
            if (JsonSerializer.Deserialize(document.Json, DeliveryStreamJsonContext.Default.DeliveryStream) is { } stream)
            {
                streams[document.Key] = new CatalogedDeliveryStream(stream, document.Version);
            }
        }

        var snapshot = streams.ToFrozenDictionary(StringComparer.Ordinal);
        _snapshot = snapshot;
        return snapshot;
    }

    /// <summary>The delivery stream, after reading the catalog to its end; null when there is none.</summary>
    public async ValueTask<CatalogedDeliveryStream?> GetAsync(string name, CancellationToken cancellationToken) =>
        (await RefreshAsync(cancellationToken)).GetValueOrDefault(name);

    /// <summary>The delivery stream from the cached snapshot, refreshing once when it is not there.</summary>
    public async ValueTask<CatalogedDeliveryStream?> GetCachedAsync(string name, CancellationToken cancellationToken) =>
        _snapshot.GetValueOrDefault(name) ?? await GetAsync(name, cancellationToken);

    /// <summary>Writes <paramref name="stream"/> if the catalog still holds <paramref name="basedOn"/> (-1: none). Null: someone else changed it first.</summary>
    public async ValueTask<CatalogedDeliveryStream?> ProposeAsync(DeliveryStream stream, long basedOn, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(stream, DeliveryStreamJsonContext.Default.DeliveryStream);
        var version = await documents.ProposeDocumentAsync(Collection, stream.Name, basedOn, json, cancellationToken);
        return version is { } v ? new CatalogedDeliveryStream(stream, v) : null;
    }

    /// <summary>Removes the delivery stream if the catalog still holds <paramref name="basedOn"/>.</summary>
    public async ValueTask<bool> RemoveAsync(string name, long basedOn, CancellationToken cancellationToken) =>
        await documents.ProposeDocumentAsync(Collection, name, basedOn, null, cancellationToken) is not null;
}
