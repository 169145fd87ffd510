using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Catalog;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Topics;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Stream lifecycle: CreateStream, DeleteStream, and the reconciler that finishes either when a
// replica crashed or storage was slow.
public sealed partial class StreamsService
{
    /// <summary>Retention of a new stream (Kinesis default: 24 hours).</summary>
    internal const int DefaultRetentionHours = 24;

    internal const int MinRetentionHours = 24;
    internal const int MaxRetentionHours = 8760;
    internal const int DefaultMaxRecordSizeKiB = 1024;
    internal const int MinMaxRecordSizeKiB = 1024;
    internal const int MaxMaxRecordSizeKiB = 10240;
    internal const int MaxTagsPerStream = 50;
    internal const int MaxTagsPerCall = 50;

    /// <inheritdoc />
    public async ValueTask<CreateStreamResponse> CreateStreamAsync(CreateStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Name(ref errors, request.StreamName, "streamName", required: true);
        Constraints.Range(ref errors, request.ShardCount, "shardCount", 1, int.MaxValue);
        Constraints.Range(ref errors, request.MaxRecordSizeInKiB, "maxRecordSizeInKiB", MinMaxRecordSizeKiB, MaxMaxRecordSizeKiB);
        ValidateTagMap(ref errors, request.Tags, "tags", required: false);
        var mode = request.StreamModeDetails?.StreamMode ?? StreamMode.Provisioned;
        if (!Enum.IsDefined(mode))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(mode.ToString()), "streamModeDetails.streamMode", "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = request.StreamName!;

        int shardCount;
        if (mode == StreamMode.Provisioned)
        {
            if (request.ShardCount is null)
            {
                Errors.InvalidArgument("ShardCount is required for a stream in PROVISIONED mode.");
            }

            shardCount = request.ShardCount.Value;
        }
        else
        {
            // ON_DEMAND streams start with the service's default shard count (Kinesis: 4) and the
            // service manages their shards, so a shard count is refused rather than ignored (API
            // reference, CreateStream: the shard count is for the provisioned mode).
            if (request.ShardCount is not null)
            {
                Errors.InvalidArgument("ShardCount must not be set for a stream in ON_DEMAND mode: the service manages its shards.");
            }

            shardCount = _options.DefaultOnDemandShardCount;
        }

        if (request.Tags is { Count: > MaxTagsPerStream })
        {
            Errors.InvalidArgument($"Failed to create stream {name} under account {_account} because a given stream cannot have more than {MaxTagsPerStream} tags associated with it.");
        }

        if (request.Tags is { } createTags)
        {
            ValidateTagCharacters(KeysAndValues(createTags), "create", name, _account);
        }

        await _catalog.RefreshAsync(cancellationToken);
        if (_streams.ContainsKey(name))
        {
            Errors.StreamExists(name, _account);
        }

        var openShards = _streams.Values.Sum(s => s.OpenShardCount);
        if ((long)openShards + shardCount > _options.ShardLimit)
        {
            Errors.Throw(
                KinesisErrorCode.LimitExceeded,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"This request would exceed the shard limit for the account {_account} in {_region}. Current shard count for the account: {openShards}. Limit: {_options.ShardLimit}. Number of additional shards that would have resulted from this request: {shardCount}."));
        }

        if (mode == StreamMode.OnDemand && _streams.Values.Count(s => s.Entry.Mode == StreamMode.OnDemand) >= _options.OnDemandStreamCountLimit)
        {
            Errors.Throw(
                KinesisErrorCode.LimitExceeded,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"This request would exceed the limit of {_options.OnDemandStreamCountLimit} streams in ON_DEMAND mode for the account {_account} in {_region}."));
        }

        var topic = TopicNames.ForStream(_options.TopicPrefix, name);
        if (_streams.Values.Any(s => string.Equals(s.Topic, topic, StringComparison.Ordinal)))
        {
            TopicInUse(name, topic);
        }

        var now = NowMs;
        var ranges = HashKeys.Split(shardCount);
        var entry = new StreamEntry
        {
            Name = name,
            Incarnation = NewIncarnation(),
            Status = StreamStatus.Creating,
            CreatedAtMs = now,
            UpdatedAtMs = now,
            RetentionHours = DefaultRetentionHours,
            Mode = mode,
            MaxRecordSizeKiB = request.MaxRecordSizeInKiB ?? DefaultMaxRecordSizeKiB,
            Tags = request.Tags is null ? new(StringComparer.Ordinal) : new Dictionary<string, string>(request.Tags, StringComparer.Ordinal),
            Topic = topic,
            Shards = [.. ranges.Select((range, i) => new ShardEntry
            {
                Index = i,
                StartingHashKey = range.StartingHashKey.ToString(CultureInfo.InvariantCulture),
                EndingHashKey = range.EndingHashKey.ToString(CultureInfo.InvariantCulture),
                CreatedAtMs = now,
            })],
        };

        var (accepted, _) = await _catalog.ProposeAsync(
            new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = name, BasedOnVersion = -1, Stream = entry },
            cancellationToken);
        if (!accepted)
        {
            // Another replica created the name (or took the topic) first.
            if (_streams.ContainsKey(name))
            {
                Errors.StreamExists(name, _account);
            }

            TopicInUse(name, topic);
        }

        var status = await WithinCreateTimeoutAsync(
            name,
            "create topic",
            StreamStatus.Creating,
            ct => ActivateAsync(name, ct),
            cancellationToken);
        return new CreateStreamResponse(status);
    }

    /// <inheritdoc />
    public async ValueTask DeleteStreamAsync(DeleteStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);

        // A CREATING stream may be deleted too (Kinesis refuses): a create stuck on unavailable storage
        // must not pin the name.
        await UpdateStreamAsync(
            name,
            (current, updated) =>
            {
                if (current.Status == StreamStatus.Deleting)
                {
                    Errors.StreamNotActive(name, _account, current.Status);
                }

                // Kinesis API reference, DeleteStream EnforceConsumerDeletion: "If this parameter is unset
                // (null) or if you set it to false, and the stream has registered consumers, the call to
                // the DeleteStream API fails with ResourceInUseException."
                // (Consumers already DELETING no longer count.)
                if (current.Entry.Consumers?.Exists(c => c.DeletingSinceMs is null) == true && request.EnforceConsumerDeletion != true)
                {
                    Errors.Throw(
                        KinesisErrorCode.ResourceInUse,
                        $"Stream {name} under account {_account} has registered consumers; deregister them or set EnforceConsumerDeletion.");
                }

                updated.Status = StreamStatus.Deleting;
                return true;
            },
            cancellationToken);

        await WithinCreateTimeoutAsync(
            name,
            "delete topic",
            StreamStatus.Deleting,
            async ct =>
            {
                await FinishDeleteAsync(name, ct);
                return StreamStatus.Deleting;
            },
            cancellationToken);
    }

    /// <summary>
    /// One reconciler pass: finishes creates and deletes that have been pending longer than
    /// <see cref="KinesisStreamsOptions.CreateTimeout"/> (a replica crashed mid-way, or storage was
    /// slow). Idempotent and safe on every replica at once: storage steps tolerate "already done" and
    /// catalog steps are compare-and-set.
    /// </summary>
    internal async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        await _catalog.RefreshAsync(cancellationToken);
        var now = NowMs;
        var grace = (long)_options.CreateTimeout.TotalMilliseconds;
        var consumerDeletion = (long)_options.FanOut.ConsumerDeletionDelay.TotalMilliseconds;
        foreach (var stream in _streams.Values.ToArray())
        {
            if (stream.Entry.Consumers?.Exists(c => c.DeletingSinceMs is { } since && now - since >= consumerDeletion + grace) == true)
            {
                // Consumers deregistered through a replica that stopped before removing them.
                try
                {
                    await RemoveDeletedConsumersAsync(stream.Name, cancellationToken);
                }
                catch (KinesisException exception)
                {
                    Log.ReconcileFailed(_logger, exception);
                }
            }

            if (now - stream.Entry.UpdatedAtMs < grace)
            {
                continue;
            }

            try
            {
                if (stream.Status == StreamStatus.Creating)
                {
                    Log.Reconciling(_logger, "create", stream.Name);
                    await ActivateAsync(stream.Name, cancellationToken);
                }
                else if (stream.Status == StreamStatus.Deleting)
                {
                    Log.Reconciling(_logger, "delete", stream.Name);
                    await FinishDeleteAsync(stream.Name, cancellationToken);
                }
                else if (stream.Status == StreamStatus.Updating)
                {
                    // A reshard whose replica stopped before fixing the parents' ends. This replica saw
                    // the version after it was committed, so a full lease from now on its own
                    // monotonic clock is always safe, whatever the other replica's wall clock said
                    // (UpdatedAtMs is stamped before the storage step, on another machine).
                    Log.Reconciling(_logger, "reshard", stream.Name);
                    await _resharder.FinishAsync(stream.Name, stream.Incarnation, Stopwatch.GetTimestamp(), cancellationToken);
                }
            }
            catch (KinesisException exception)
            {
                Log.ReconcileFailed(_logger, exception);
            }
        }
    }

    /// <summary>
    /// Creates the topic of a CREATING stream and marks it ACTIVE. Returns the resulting status;
    /// CREATING when storage did not finish (the reconciler retries later).
    /// </summary>
    private async Task<StreamStatus> ActivateAsync(string name, CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(name, out var stream))
        {
            Errors.StreamNotFound(name, _account);
        }

        if (stream.Status != StreamStatus.Creating)
        {
            return stream.Status;
        }

        var entry = stream.Entry;
        var partitions = entry.Shards.Count;
        var status = await _store.CreateTopicAsync(new TopicSpec(entry.Topic, partitions, Retention(entry.RetentionHours)), cancellationToken);
        var reused = false;
        if (status == StorageStatus.TopicAlreadyExists)
        {
            // Another replica's attempt, or a topic an earlier stream of this name left behind.
            reused = true;
            var info = await _store.DescribeTopicAsync(entry.Topic, cancellationToken);
            status = info.Status;
            if (status == StorageStatus.Ok && info.Topic.Partitions < partitions)
            {
                status = await _store.AddPartitionsAsync(entry.Topic, partitions, cancellationToken);
            }
            else if (status == StorageStatus.Ok && info.Topic.Partitions > partitions)
            {
                Log.TopicShapeMismatch(_logger, name, entry.Topic, info.Topic.Partitions, partitions);
                return StreamStatus.Creating;
            }

            if (status == StorageStatus.Ok)
            {
                status = await _store.SetRetentionAsync(entry.Topic, Retention(entry.RetentionHours), cancellationToken);
            }
        }

        if (status != StorageStatus.Ok)
        {
            Log.StreamStepPending(_logger, name, "create topic", status);
            return StreamStatus.Creating;
        }

        var updated = entry.Clone();
        if (reused)
        {
            // Records already in the partitions belong to no incarnation of this stream: start after them.
            foreach (var shard in updated.Shards)
            {
                var offsets = await _store.GetOffsetsAsync(entry.Topic, shard.Index, cancellationToken);
                if (offsets.Status != StorageStatus.Ok)
                {
                    Log.StreamStepPending(_logger, name, "read offsets", offsets.Status);
                    return StreamStatus.Creating;
                }

                shard.StartingOffset = offsets.Offsets.HighWatermark;
            }
        }

        updated.Status = StreamStatus.Active;
        updated.UpdatedAtMs = NowMs;
        var (accepted, _) = await _catalog.ProposeAsync(
            new CatalogCommand { Kind = CatalogCommandKind.PutStream, StreamName = name, BasedOnVersion = stream.Version, Stream = updated },
            cancellationToken);
        if (accepted)
        {
            Log.StreamCreated(_logger, name, partitions, entry.Topic);
            return StreamStatus.Active;
        }

        // Someone else activated (or deleted) it meanwhile.
        return _streams.TryGetValue(name, out var now) ? now.Status : StreamStatus.Deleting;
    }

    /// <summary>Deletes the topic of a DELETING stream, then removes the stream from the catalog.</summary>
    private async Task FinishDeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(name, out var stream) || stream.Status != StreamStatus.Deleting)
        {
            return;
        }

        var status = await _store.DeleteTopicAsync(stream.Topic, cancellationToken);
        if (status is not (StorageStatus.Ok or StorageStatus.TopicNotFound))
        {
            Log.StreamStepPending(_logger, name, "delete topic", status);
            return;
        }

        var (accepted, _) = await _catalog.ProposeAsync(
            new CatalogCommand { Kind = CatalogCommandKind.RemoveStream, StreamName = name, BasedOnVersion = stream.Version },
            cancellationToken);
        if (accepted)
        {
            Log.StreamDeleted(_logger, name, stream.Topic);
        }
    }

    /// <summary>
    /// Runs a storage step for at most <see cref="KinesisStreamsOptions.CreateTimeout"/>; on timeout or a
    /// retriable failure answers <paramref name="pending"/> and leaves the rest to the reconciler.
    /// </summary>
    private async Task<StreamStatus> WithinCreateTimeoutAsync(
        string name,
        string step,
        StreamStatus pending,
        Func<CancellationToken, Task<StreamStatus>> action,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.CreateTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await action(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StreamStepPending(_logger, name, step, StorageStatus.Timeout);
            return pending;
        }
        catch (KinesisException exception) when (exception.Code.IsRetriable())
        {
            Log.StreamStepPending(_logger, name, step, StorageStatus.Unavailable);
            return pending;
        }
    }

    private void TopicInUse(string name, string topic) =>
        Errors.Throw(
            KinesisErrorCode.ResourceInUse,
            $"Stream {name} under account {_account} cannot be created: its storage topic {topic} is still in use by another stream.");

    private static TimeSpan Retention(int hours) => TimeSpan.FromHours(hours);

    private static ulong NewIncarnation()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes) | 1UL;
    }

    /// <summary>Shape checks of a tag map (service model TagMap: 1..200 entries, keys 1..128, values 0..256).</summary>
    private static void ValidateTagMap(ref ValidationErrors? errors, IReadOnlyDictionary<string, string>? tags, string member, bool required)
    {
        if (tags is null)
        {
            if (required)
            {
                Constraints.Required(ref errors, null, member);
            }

            return;
        }

        var rendered = new Lazy<string>(() => "'{" + string.Join(", ", tags.Select(t => t.Key + "=" + t.Value)) + "}'");
        if (tags.Count < 1)
        {
            ValidationErrors.Add(ref errors, rendered.Value, member, "Member must have length greater than or equal to 1");
        }
        else if (tags.Count > 200)
        {
            ValidationErrors.Add(ref errors, rendered.Value, member, "Member must have length less than or equal to 200");
        }

        if (tags.Keys.Any(k => k is null || k.Length is < 1 or > Constraints.MaxTagKeyLength))
        {
            ValidationErrors.Add(ref errors, rendered.Value, member, "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]");
        }

        if (tags.Values.Any(v => v is null || v.Length > Constraints.MaxTagValueLength))
        {
            ValidationErrors.Add(ref errors, rendered.Value, member, "Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]");
        }
    }

    /// <summary>
    /// Tag keys and values: Unicode letters and digits, spaces and <c>_ . / = + - @ :</c>, in Kinesis'
    /// words (recorded by kinesalite's tests of AddTagsToStream and RemoveTagsFromStream). Tabs and
    /// line breaks are not the "white space" the rule allows. <c>%</c> passes the first check and is
    /// refused by the second, with the operation's own sentence.
    /// </summary>
    private static void ValidateTagCharacters(IEnumerable<string> texts, string operation, string streamName, string accountId)
    {
        var percent = false;
        foreach (var text in texts)
        {
            foreach (var c in text)
            {
                if (!IsTagCharacter(c))
                {
                    Errors.InvalidArgument("Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.");
                }

                percent |= c == '%';
            }
        }

        if (percent)
        {
            Errors.InvalidArgument($"Failed to {operation} stream {streamName} under account {accountId} because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'.");
        }

        static bool IsTagCharacter(char c) =>
            char.IsLetterOrDigit(c)
            || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.SpaceSeparator
            || c is '_' or '.' or '/' or '=' or '+' or '-' or '@' or '%' or ':';
    }

    private static IEnumerable<string> KeysAndValues(IReadOnlyDictionary<string, string> tags) => tags.Keys.Concat(tags.Values);
}
