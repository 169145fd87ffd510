using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// Tags: the stream-named operations (AddTagsToStream, RemoveTagsFromStream, ListTagsForStream) and
/// their resource-ARN forms (TagResource, UntagResource, ListTagsForResource), which Kinesis added
/// for streams and consumers. Here the only taggable resource is a stream, so a ResourceARN is a
/// stream ARN handed to the same core operations; the core rejects anything else (a consumer ARN
/// names no stream it knows).
/// </summary>
internal static class TagOperations
{
    /// <summary>ListTagsForStream's largest page (API reference: Limit 1..50).</summary>
    private const int MaxTagsPerPage = 50;

    public static ValueTask AddTagsToStreamAsync(IStreamsService streams, KinesisCall call)
    {
        var (stream, tags) = ReadTags(call, resourceArn: false);
        return streams.AddTagsToStreamAsync(
            new AddTagsToStreamRequest { StreamName = stream.Name, StreamARN = stream.Arn, Tags = tags },
            call.CancellationToken);
    }

    public static ValueTask RemoveTagsFromStreamAsync(IStreamsService streams, KinesisCall call)
    {
        var (stream, keys) = ReadTagKeys(call, resourceArn: false);
        return streams.RemoveTagsFromStreamAsync(
            new RemoveTagsFromStreamRequest { StreamName = stream.Name, StreamARN = stream.Arn, TagKeys = keys },
            call.CancellationToken);
    }

    public static async ValueTask ListTagsForStreamAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.ListTagsForStreamAsync(ReadListTagsForStream(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        WireMembers.WriteTagList(w, response.Tags);
        w.WriteBoolean("HasMoreTags"u8, response.HasMoreTags);
        w.WriteEndObject();
    }

    /// <summary>TagResource: <c>{"ResourceARN", "Tags": {key: value}}</c>, empty output.</summary>
    public static ValueTask TagResourceAsync(IStreamsService streams, KinesisCall call)
    {
        var (resource, tags) = ReadTags(call, resourceArn: true);
        return streams.AddTagsToStreamAsync(
            new AddTagsToStreamRequest { StreamARN = RequireResourceArn(resource.Arn), Tags = tags },
            call.CancellationToken);
    }

    /// <summary>UntagResource: <c>{"ResourceARN", "TagKeys": [...]}</c>, empty output.</summary>
    public static ValueTask UntagResourceAsync(IStreamsService streams, KinesisCall call)
    {
        var (resource, keys) = ReadTagKeys(call, resourceArn: true);
        return streams.RemoveTagsFromStreamAsync(
            new RemoveTagsFromStreamRequest { StreamARN = RequireResourceArn(resource.Arn), TagKeys = keys },
            call.CancellationToken);
    }

    /// <summary>
    /// ListTagsForResource: <c>{"ResourceARN"}</c> → <c>{"Tags": [...]}</c>, every tag, unpaged (the
    /// output has no pagination members), gathered from the core's pages.
    /// </summary>
    public static async ValueTask ListTagsForResourceAsync(IStreamsService streams, KinesisCall call)
    {
        var arn = RequireResourceArn(ReadResourceArn(call));
        var tags = new List<Tag>();
        string? after = null;
        while (true)
        {
            var page = await streams.ListTagsForStreamAsync(
                new ListTagsForStreamRequest { StreamARN = arn, ExclusiveStartTagKey = after, Limit = MaxTagsPerPage },
                call.CancellationToken);
            tags.AddRange(page.Tags);
            if (!page.HasMoreTags || page.Tags.Count == 0)
            {
                break;
            }

            after = page.Tags[^1].Key;
        }

        var w = call.Writer;
        w.WriteStartObject();
        WireMembers.WriteTagList(w, tags);
        w.WriteEndObject();
    }

    private static string RequireResourceArn(string? arn) =>
        arn ?? throw KinesisException.ValidationFailed("null", "resourceARN", "Member must not be null");

    private static (StreamRef Stream, Dictionary<string, string>? Tags) ReadTags(KinesisCall call, bool resourceArn)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        Dictionary<string, string>? tags = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (TryReadTarget(ref reader, ref stream, resourceArn))
            {
                continue;
            }

            if (reader.PropertyNameEquals("Tags"u8))
            {
                tags = WireMembers.ReadTagMap(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return (stream, tags);
    }

    private static (StreamRef Stream, List<string>? Keys) ReadTagKeys(KinesisCall call, bool resourceArn)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        List<string>? keys = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (TryReadTarget(ref reader, ref stream, resourceArn))
            {
                continue;
            }

            if (reader.PropertyNameEquals("TagKeys"u8))
            {
                keys = WireMembers.ReadStringList(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return (stream, keys);
    }

    private static string? ReadResourceArn(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (!TryReadTarget(ref reader, ref stream, resourceArn: true))
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return stream.Arn;
    }

    /// <summary>StreamName/StreamARN for the stream operations; ResourceARN (into Arn) for the resource ones.</summary>
    private static bool TryReadTarget(ref KinesisDocumentReader reader, ref StreamRef stream, bool resourceArn)
    {
        if (!resourceArn)
        {
            return stream.TryRead(ref reader);
        }

        if (reader.PropertyNameEquals("ResourceARN"u8))
        {
            stream.Arn = reader.ReadString();
            return true;
        }

        return false;
    }

    private static ListTagsForStreamRequest ReadListTagsForStream(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        string? exclusiveStart = null;
        int? limit = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("ExclusiveStartTagKey"u8))
            {
                exclusiveStart = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Limit"u8))
            {
                limit = reader.ReadInt32();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new ListTagsForStreamRequest { StreamName = stream.Name, StreamARN = stream.Arn, ExclusiveStartTagKey = exclusiveStart, Limit = limit };
    }
}
