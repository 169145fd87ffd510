using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Stream settings and tags: retention, maximum record size, AddTags/RemoveTags/ListTags.
public sealed partial class StreamsService
{
    /// <inheritdoc />
    public ValueTask IncreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken) =>
        UpdateRetentionAsync(request, increase: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask DecreaseStreamRetentionPeriodAsync(UpdateStreamRetentionPeriodRequest request, CancellationToken cancellationToken) =>
        UpdateRetentionAsync(request, increase: false, cancellationToken);

    /// <inheritdoc />
    public async ValueTask UpdateMaxRecordSizeAsync(UpdateMaxRecordSizeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Required(ref errors, request.MaxRecordSizeInKiB, "maxRecordSizeInKiB");
        Constraints.Range(ref errors, request.MaxRecordSizeInKiB, "maxRecordSizeInKiB", MinMaxRecordSizeKiB, MaxMaxRecordSizeKiB);
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var size = request.MaxRecordSizeInKiB!.Value;
        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                RequireActive(current, _account);
                if (updated.MaxRecordSizeKiB == size)
                {
                    return false;
                }

                updated.MaxRecordSizeKiB = size;
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask AddTagsToStreamAsync(AddTagsToStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        ValidateTagMap(ref errors, request.Tags, "tags", required: true);
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var tags = request.Tags!;
        if (tags.Count > MaxTagsPerCall)
        {
            Errors.InvalidArgument($"Failed to add tags to stream {name} under account {_account} because a request cannot add more than {MaxTagsPerCall} tags.");
        }

        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                // After the stream is found, as Kinesis orders it (kinesalite actions/addTagsToStream.js).
                ValidateTagCharacters(KeysAndValues(tags), "add tags to", name, _account);
                RequireActive(current, _account);
                foreach (var (key, value) in tags)
                {
                    updated.Tags[key] = value;
                }

                if (updated.Tags.Count > MaxTagsPerStream)
                {
                    Errors.InvalidArgument($"Failed to add tags to stream {name} under account {_account} because a given stream cannot have more than {MaxTagsPerStream} tags associated with it.");
                }

                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask RemoveTagsFromStreamAsync(RemoveTagsFromStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        var keys = request.TagKeys;
        if (keys is null)
        {
            Constraints.Required(ref errors, null, "tagKeys");
        }
        else
        {
            var rendered = "'[" + string.Join(", ", keys) + "]'";
            if (keys.Count < 1)
            {
                ValidationErrors.Add(ref errors, rendered, "tagKeys", "Member must have length greater than or equal to 1");
            }
            else if (keys.Count > MaxTagsPerStream)
            {
                ValidationErrors.Add(ref errors, rendered, "tagKeys", "Member must have length less than or equal to 50");
            }

            if (keys.Any(k => k is null || k.Length is < 1 or > Constraints.MaxTagKeyLength))
            {
                ValidationErrors.Add(ref errors, rendered, "tagKeys", "Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
            }
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                ValidateTagCharacters(keys!, "remove tags from", name, _account);
                RequireActive(current, _account);
                var removed = false;
                foreach (var key in keys!)
                {
                    removed |= updated.Tags.Remove(key);
                }

                return removed;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        if (request.ExclusiveStartTagKey is { } startKey)
        {
            Constraints.Length(ref errors, startKey, "exclusiveStartTagKey", 1, Constraints.MaxTagKeyLength);
        }

        Constraints.Range(ref errors, request.Limit, "limit", 1, 50);
        ValidationErrors.ThrowIfAny(errors);
        var stream = await GetFreshStreamAsync(ResolveStreamName(request.StreamName, request.StreamARN), cancellationToken);
        var limit = request.Limit ?? 50;
        var ordered = stream.Entry.Tags
            .Where(t => request.ExclusiveStartTagKey is null || string.CompareOrdinal(t.Key, request.ExclusiveStartTagKey) > 0)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => new Tag(t.Key, t.Value))
            .ToList();
        var hasMore = ordered.Count > limit;
        if (hasMore)
        {
            ordered.RemoveRange(limit, ordered.Count - limit);
        }

        return new ListTagsForStreamResponse(ordered, hasMore);
    }

    /// <summary>
    /// Retention changes (Kinesis: 24 to 8760 hours; Increase may not shorten, Decrease may not
    /// lengthen). The topic retention is set first, so the catalog never promises more retention
    /// than storage keeps; then the catalog records the new value.
    /// </summary>
    private async ValueTask UpdateRetentionAsync(UpdateStreamRetentionPeriodRequest request, bool increase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Required(ref errors, request.RetentionPeriodHours, "retentionPeriodHours");
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var hours = request.RetentionPeriodHours!.Value;
        if (hours < MinRetentionHours)
        {
            Errors.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"Minimum allowed retention period is {MinRetentionHours} hours. Requested retention period ({hours} hours) is too short."));
        }

        if (hours > MaxRetentionHours)
        {
            Errors.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"Maximum allowed retention period is {MaxRetentionHours} hours. Requested retention period ({hours} hours) is too long."));
        }

        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                RequireActive(current, _account);
                var existing = current.Entry.RetentionHours;
                if (increase && hours < existing)
                {
                    Errors.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"Requested retention period ({hours} hours) for stream {name} can not be shorter than existing retention period ({existing} hours). Use DecreaseRetentionPeriod API."));
                }

                if (!increase && hours > existing)
                {
                    Errors.InvalidArgument(string.Create(CultureInfo.InvariantCulture, $"Requested retention period ({hours} hours) for stream {name} can not be longer than existing retention period ({existing} hours). Use IncreaseRetentionPeriod API."));
                }

                if (hours == existing)
                {
                    return false;
                }

                updated.RetentionHours = hours;
                return true;
            },
            async (current, ct) =>
            {
                var status = await _store.SetRetentionAsync(current.Topic, Retention(hours), ct);
                if (status != StorageStatus.Ok)
                {
                    Log.RetentionFailed(_logger, current.Topic, status);
                    Errors.Storage(status, name, _account, "Changing the retention period");
                }
            },
            cancellationToken);
    }
}
