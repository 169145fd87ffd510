using System.Buffers.Binary;
using System.Security.Cryptography;
using KafkaKinesisBridge.Core;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Topics;
using KafkaKinesisBridge.Firehose.Delivery;
using KafkaKinesisBridge.Firehose.Model;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose;

/// <summary>
/// The Firehose operations (API version 2015-08-04), one core for the JSON and gRPC front doors.
/// Delivery streams live in the replicated catalog (<see cref="DeliveryStreamCatalog"/>); a DirectPut
/// delivery stream's records go to a log topic of its own before PutRecord/PutRecordBatch answer, so
/// an acknowledged record survives a crash and the sink worker delivers it from there.
/// </summary>
public sealed class FirehoseService
{
    private readonly ILogStore _store;
    private readonly IStreamsService _streams;
    private readonly DeliveryStreamCatalog _catalog;
    private readonly FirehoseOptions _options;
    private readonly KinesisStreamsOptions _kinesis;
    private readonly TimeProvider _time;
    private readonly IDeliveryStreamHooks? _hooks;
    private readonly FirehoseAccess _access;
    private int _nextPartition;

    public FirehoseService(
        ILogStore store,
        IStreamsService streams,
        Core.Catalog.ICatalogDocuments documents,
        IOptions<FirehoseOptions> options,
        IOptions<KinesisStreamsOptions> kinesis,
        TimeProvider time,
        IDeliveryStreamHooks? hooks = null,
        Core.Security.AccessPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(kinesis);
        _store = store;
        _streams = streams;
        _catalog = new DeliveryStreamCatalog(documents);
        _options = options.Value;
        _kinesis = kinesis.Value;
        _time = time;
        _hooks = hooks;
        _access = new FirehoseAccess(policy);
    }

    private string Account => _kinesis.AccountId;

    /// <summary>The delivery streams as the catalog holds them (the sink worker's view).</summary>
    public async ValueTask<IReadOnlyCollection<DeliveryStream>> ListAllAsync(CancellationToken cancellationToken) =>
        [.. (await _catalog.RefreshAsync(cancellationToken)).Values.Select(s => s.Stream)];

    /// <summary>The log topic of a Kinesis stream of this gateway (a KinesisStreamAsSource source).</summary>
    public string TopicOfKinesisStream(string streamName) => TopicNames.ForStream(_kinesis.TopicPrefix, streamName);

    /// <summary>CreateDeliveryStream: returns the ARN.</summary>
    public async ValueTask<string> CreateDeliveryStreamAsync(CreateDeliveryStreamRequest request, CancellationToken cancellationToken)
    {
        _access.Check("CreateDeliveryStream", Core.Security.AccessActions.Admin, request?.DeliveryStreamName);

        ArgumentNullException.ThrowIfNull(request);
        var name = DeliveryStreamValidation.Name(request.DeliveryStreamName);
        var type = request.DeliveryStreamType switch
        {
            null or "DirectPut" => DeliveryStreamType.DirectPut,
            "KinesisStreamAsSource" => DeliveryStreamType.KinesisStreamAsSource,
            var other => throw FirehoseErrors.Constraint("deliveryStreamType", other, "satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]"),
        };

        if ((request.S3DestinationConfiguration is null) == (request.ExtendedS3DestinationConfiguration is null))
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument,
                "Exactly one destination configuration is required: ExtendedS3DestinationConfiguration or S3DestinationConfiguration (other destinations are not supported by this gateway).");
        }

        var extended = request.ExtendedS3DestinationConfiguration is not null;
        var destination = DeliveryStreamValidation.Destination(
            request.ExtendedS3DestinationConfiguration ?? request.S3DestinationConfiguration!,
            extended ? "extendedS3DestinationConfiguration" : "s3DestinationConfiguration",
            extended,
            current: null);
        var tags = request.Tags is null ? [] : DeliveryStreamValidation.Tags(request.Tags, "tags");
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var incarnation = BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

        KinesisStreamSource? source = null;
        if (type == DeliveryStreamType.KinesisStreamAsSource)
        {
            var config = request.KinesisStreamSourceConfiguration
                ?? throw new FirehoseException(FirehoseErrors.InvalidArgument, "KinesisStreamSourceConfiguration is required when DeliveryStreamType is KinesisStreamAsSource.");
            var streamName = DeliveryStreamValidation.KinesisStreamName(config.KinesisStreamARN);
            var role = DeliveryStreamValidation.RoleArn(config.RoleARN, "kinesisStreamSourceConfiguration.roleARN");
            await RequireKinesisStreamAsync(config.KinesisStreamARN!, cancellationToken);
            source = new KinesisStreamSource(config.KinesisStreamARN!, streamName, role, now);
        }
        else if (request.KinesisStreamSourceConfiguration is not null)
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, "KinesisStreamSourceConfiguration is only allowed when DeliveryStreamType is KinesisStreamAsSource.");
        }

        var all = await _catalog.RefreshAsync(cancellationToken);
        if (all.ContainsKey(name))
        {
            throw FirehoseErrors.AlreadyExists(name, Account);
        }

        if (all.Count >= _options.MaxDeliveryStreams)
        {
            throw new FirehoseException(FirehoseErrors.LimitExceeded, $"You have already reached the limit of {_options.MaxDeliveryStreams} delivery streams.");
        }

        var stream = new DeliveryStream
        {
            Name = name,
            Arn = $"arn:aws:firehose:{_kinesis.Region}:{Account}:deliverystream/{name}",
            Status = DeliveryStreamStatus.CREATING,
            Type = type,
            Incarnation = incarnation,
            CreatedAtMs = now,
            UpdatedAtMs = now,
            Topic = type == DeliveryStreamType.DirectPut ? $"{TopicNames.ForStream(_options.TopicPrefix, name)}.{incarnation:x16}" : null,
            Partitions = type == DeliveryStreamType.DirectPut ? _options.DirectPutPartitions : 0,
            Source = source,
            Destination = destination,
            Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal),
        };

        Check(stream);

        // Claim the name (CREATING), make the log, then ACTIVE: a crash in between leaves a CREATING
        // stream that the next call touching it finishes (CompleteCreationAsync).
        var claimed = await _catalog.ProposeAsync(stream, -1, cancellationToken) ?? throw FirehoseErrors.AlreadyExists(name, Account);
        await CompleteCreationAsync(claimed, cancellationToken);
        return stream.Arn;
    }

    /// <summary>DescribeDeliveryStream.</summary>
    public async ValueTask<DeliveryStream> DescribeDeliveryStreamAsync(string? name, CancellationToken cancellationToken)
    {
        _access.Check("DescribeDeliveryStream", Core.Security.AccessActions.Read, name);

        var found = await FindAsync(DeliveryStreamValidation.Name(name), cancellationToken);
        return found.Stream;
    }

    /// <summary>ListDeliveryStreams: names in order, after <paramref name="exclusiveStart"/>, of <paramref name="type"/> when given.</summary>
    public async ValueTask<DeliveryStreamNamePage> ListDeliveryStreamsAsync(int? limit, string? type, string? exclusiveStart, CancellationToken cancellationToken)
    {
        _access.Check("ListDeliveryStreams", Core.Security.AccessActions.Read, null);

        if (limit is < 1 or > 10000)
        {
            throw FirehoseErrors.Constraint("limit", limit, limit < 1 ? "have value greater than or equal to 1" : "have value less than or equal to 10000");
        }

        DeliveryStreamType? wanted = type switch
        {
            null => null,
            "DirectPut" => DeliveryStreamType.DirectPut,
            "KinesisStreamAsSource" => DeliveryStreamType.KinesisStreamAsSource,
            "MSKAsSource" or "DatabaseAsSource" => (DeliveryStreamType)(-1),
            _ => throw FirehoseErrors.Constraint("deliveryStreamType", type, "satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]"),
        };
        var all = await _catalog.RefreshAsync(cancellationToken);
        var names = all.Values
            .Where(s => wanted is null || s.Stream.Type == wanted)
            .Select(s => s.Stream.Name)
            .Where(n => exclusiveStart is null || string.CompareOrdinal(n, exclusiveStart) > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
        var take = limit ?? 10;
        return new DeliveryStreamNamePage([.. names.Take(take)], names.Count > take);
    }

    /// <summary>DeleteDeliveryStream: DELETING, the DirectPut log removed, then gone from the catalog.</summary>
    public async ValueTask DeleteDeliveryStreamAsync(string? name, CancellationToken cancellationToken)
    {
        _access.Check("DeleteDeliveryStream", Core.Security.AccessActions.Admin, name);

        var found = await FindAsync(DeliveryStreamValidation.Name(name), cancellationToken);
        var current = found;
        if (found.Stream.Status != DeliveryStreamStatus.DELETING)
        {
            var deleting = found.Stream.Clone();
            deleting.Status = DeliveryStreamStatus.DELETING;
            deleting.UpdatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            current = await _catalog.ProposeAsync(deleting, found.CatalogVersion, cancellationToken)
                ?? throw new FirehoseException(FirehoseErrors.ResourceInUse, $"Firehose {found.Stream.Name} under account {Account} was changed while being deleted; try again.");
        }

        if (current.Stream.Topic is { } topic)
        {
            var status = await _store.DeleteTopicAsync(topic, cancellationToken);
            if (status is not (StorageStatus.Ok or StorageStatus.TopicNotFound))
            {
                throw Unavailable(status);
            }
        }

        // Lost only to a concurrent delete of the same stream, which removes it all the same.
        await _catalog.RemoveAsync(current.Stream.Name, current.CatalogVersion, cancellationToken);
        if (_hooks is not null)
        {
            await _hooks.OnDeletedAsync(current.Stream, cancellationToken);
        }
    }

    /// <summary>
    /// PutRecord / PutRecordBatch: appends the records to the delivery stream's log, all in one
    /// partition (chosen round-robin per call), and returns one outcome per record, in order. Sizes are
    /// checked by the caller's door (<see cref="ValidateBatch"/>).
    /// </summary>
    public async ValueTask<PutRecordResult[]> PutRecordsAsync(string? name, ReadOnlyMemory<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
    {
        _access.Check("PutRecordBatch", Core.Security.AccessActions.Write, name);

        var streamName = DeliveryStreamValidation.Name(name);
        var found = await _catalog.GetCachedAsync(streamName, cancellationToken) ?? throw FirehoseErrors.NotFound(streamName, Account);
        if (found.Stream.Status == DeliveryStreamStatus.CREATING)
        {
            found = await CompleteCreationAsync(found, cancellationToken);
        }

        var stream = found.Stream;
        if (stream.Type == DeliveryStreamType.KinesisStreamAsSource)
        {
            throw FirehoseErrors.PutToKinesisSource();
        }

        if (stream.Status != DeliveryStreamStatus.ACTIVE || stream.Topic is null)
        {
            throw FirehoseErrors.NotFound(streamName, Account);
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var logRecords = new LogRecord[records.Length];
        for (var i = 0; i < logRecords.Length; i++)
        {
            logRecords[i] = new LogRecord(ReadOnlyMemory<byte>.Empty, records.Span[i], now);
        }

        var partition = (int)((uint)Interlocked.Increment(ref _nextPartition) % (uint)Math.Max(1, stream.Partitions));
        var outcomes = new AppendOutcome[logRecords.Length];
        var status = await _store.AppendAsync(stream.Topic, partition, logRecords, outcomes, cancellationToken);
        if (status is StorageStatus.TopicNotFound or StorageStatus.PartitionNotFound)
        {
            // The stream was deleted since the cached snapshot (on this replica or another).
            if (await _catalog.GetAsync(streamName, cancellationToken) is null)
            {
                throw FirehoseErrors.NotFound(streamName, Account);
            }

            throw Unavailable(status);
        }

        var results = new PutRecordResult[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            results[i] = outcomes[i].Status == StorageStatus.Ok
                ? new PutRecordResult(RecordIds.Format(stream.Incarnation, partition, outcomes[i].Offset), null, null)
                : new PutRecordResult(null, FirehoseErrors.ServiceUnavailable, "Slow down.");
        }

        return results;
    }

    /// <summary>
    /// PutRecordBatch limits (API reference): 1-500 records, each up to 1,000 KiB, 4 MiB in all.
    /// </summary>
    public static void ValidateBatch(ReadOnlySpan<ReadOnlyMemory<byte>> records, bool batch)
    {
        if (batch && records.Length is < 1 or > DeliveryStreamValidation.MaxBatchRecords)
        {
            throw FirehoseErrors.Constraint("records", "[...]", records.Length < 1 ? "have length greater than or equal to 1" : "have length less than or equal to 500");
        }

        long total = 0;
        for (var i = 0; i < records.Length; i++)
        {
            var length = records[i].Length;
            if (length > DeliveryStreamValidation.MaxRecordBytes)
            {
                throw FirehoseErrors.Constraint(batch ? $"records.{i + 1}.member.data" : "record.data", "java.nio.HeapByteBuffer", "have length less than or equal to 1024000");
            }

            total += length;
        }

        if (total > DeliveryStreamValidation.MaxBatchBytes)
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, $"Records size exceeds 4 MB limit: {total} bytes.");
        }
    }

    /// <summary>UpdateDestination: replaces the members given, if CurrentDeliveryStreamVersionId is current; VersionId + 1.</summary>
    public async ValueTask UpdateDestinationAsync(UpdateDestinationRequest request, CancellationToken cancellationToken)
    {
        _access.Check("UpdateDestination", Core.Security.AccessActions.Admin, request?.DeliveryStreamName);

        ArgumentNullException.ThrowIfNull(request);
        var name = DeliveryStreamValidation.Name(request.DeliveryStreamName);
        if (request.CurrentDeliveryStreamVersionId is null)
        {
            throw FirehoseErrors.Missing("currentDeliveryStreamVersionId");
        }

        if (request.DestinationId is null)
        {
            throw FirehoseErrors.Missing("destinationId");
        }

        if (!long.TryParse(request.CurrentDeliveryStreamVersionId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var given))
        {
            throw FirehoseErrors.Constraint("currentDeliveryStreamVersionId", request.CurrentDeliveryStreamVersionId, "satisfy regular expression pattern: [0-9]+");
        }

        var found = await FindAsync(name, cancellationToken);
        if (found.Stream.Status != DeliveryStreamStatus.ACTIVE)
        {
            throw FirehoseErrors.NotActive(name, Account, found.Stream.Status.ToString());
        }

        if (!string.Equals(request.DestinationId, DestinationId, StringComparison.Ordinal))
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, $"Destination {request.DestinationId} not found for delivery stream {name}; its destination is {DestinationId}.");
        }

        if (given != found.Stream.VersionId)
        {
            throw FirehoseErrors.VersionMismatch(name, request.CurrentDeliveryStreamVersionId, found.Stream.VersionId);
        }

        if ((request.S3DestinationUpdate is null) == (request.ExtendedS3DestinationUpdate is null))
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, "Exactly one destination update is required: ExtendedS3DestinationUpdate or S3DestinationUpdate.");
        }

        var extended = request.ExtendedS3DestinationUpdate is not null;
        var updated = found.Stream.Clone();
        updated.Destination = DeliveryStreamValidation.Destination(
            request.ExtendedS3DestinationUpdate ?? request.S3DestinationUpdate!,
            extended ? "extendedS3DestinationUpdate" : "s3DestinationUpdate",
            extended,
            found.Stream.Destination);
        Check(updated);
        updated.VersionId++;
        updated.UpdatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (await _catalog.ProposeAsync(updated, found.CatalogVersion, cancellationToken) is null)
        {
            // Another update (on this or another replica) won the compare-and-set.
            throw FirehoseErrors.VersionMismatch(name, request.CurrentDeliveryStreamVersionId, found.Stream.VersionId + 1);
        }
    }

    /// <summary>The one destination's id (Firehose numbers destinations; a delivery stream here has one).</summary>
    public const string DestinationId = "destinationId-000000000001";

    /// <summary>TagDeliveryStream: adds or replaces tags, at most 50 per delivery stream.</summary>
    public async ValueTask TagDeliveryStreamAsync(string? name, List<TagEntry>? tags, CancellationToken cancellationToken)
    {
        _access.Check("TagDeliveryStream", Core.Security.AccessActions.Admin, name);

        var streamName = DeliveryStreamValidation.Name(name);
        var added = DeliveryStreamValidation.Tags(tags, "tags");
        await ChangeTagsAsync(streamName, t =>
        {
            foreach (var (key, value) in added)
            {
                t[key] = value;
            }
        }, cancellationToken);
    }

    /// <summary>UntagDeliveryStream: removes the keys (absent keys are ignored).</summary>
    public async ValueTask UntagDeliveryStreamAsync(string? name, List<string>? keys, CancellationToken cancellationToken)
    {
        _access.Check("UntagDeliveryStream", Core.Security.AccessActions.Admin, name);

        var streamName = DeliveryStreamValidation.Name(name);
        if (keys is null)
        {
            throw FirehoseErrors.Missing("tagKeys");
        }

        if (keys.Count is < 1 or > DeliveryStreamValidation.MaxTagsPerStream)
        {
            throw FirehoseErrors.Constraint("tagKeys", "[...]", keys.Count < 1 ? "have length greater than or equal to 1" : "have length less than or equal to 50");
        }

        var validated = keys.Select(k => DeliveryStreamValidation.TagKey(k, "tagKeys.member")).ToList();
        await ChangeTagsAsync(streamName, t => validated.ForEach(k => t.Remove(k)), cancellationToken);
    }

    /// <summary>ListTagsForDeliveryStream: tags in key order, after <paramref name="exclusiveStartTagKey"/>.</summary>
    public async ValueTask<TagPage> ListTagsForDeliveryStreamAsync(string? name, string? exclusiveStartTagKey, int? limit, CancellationToken cancellationToken)
    {
        _access.Check("ListTagsForDeliveryStream", Core.Security.AccessActions.Read, name);

        var streamName = DeliveryStreamValidation.Name(name);
        if (limit is < 1 or > 50)
        {
            throw FirehoseErrors.Constraint("limit", limit, limit < 1 ? "have value greater than or equal to 1" : "have value less than or equal to 50");
        }

        var found = await FindAsync(streamName, cancellationToken);
        var tags = found.Stream.Tags
            .Where(t => exclusiveStartTagKey is null || string.CompareOrdinal(t.Key, exclusiveStartTagKey) > 0)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToList();
        var take = limit ?? 50;
        return new TagPage([.. tags.Take(take)], tags.Count > take);
    }

    private async ValueTask ChangeTagsAsync(string name, Action<Dictionary<string, string>> change, CancellationToken cancellationToken)
    {
        // Compare-and-set, retried: tag changes commute with other tag changes and updates.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var found = await FindAsync(name, cancellationToken);
            if (found.Stream.Status == DeliveryStreamStatus.DELETING)
            {
                throw FirehoseErrors.NotActive(name, Account, found.Stream.Status.ToString());
            }

            var updated = found.Stream.Clone();
            change(updated.Tags);
            if (updated.Tags.Count > DeliveryStreamValidation.MaxTagsPerStream)
            {
                throw new FirehoseException(FirehoseErrors.LimitExceeded, $"A delivery stream has at most {DeliveryStreamValidation.MaxTagsPerStream} tags; this would make {updated.Tags.Count}.");
            }

            if (await _catalog.ProposeAsync(updated, found.CatalogVersion, cancellationToken) is not null)
            {
                return;
            }
        }

        throw new FirehoseException(FirehoseErrors.ConcurrentModification, $"Firehose {name} is being changed concurrently; try again.");
    }

    private async ValueTask<CatalogedDeliveryStream> FindAsync(string name, CancellationToken cancellationToken)
    {
        var found = await _catalog.GetAsync(name, cancellationToken) ?? throw FirehoseErrors.NotFound(name, Account);
        return found.Stream.Status == DeliveryStreamStatus.CREATING ? await CompleteCreationAsync(found, cancellationToken) : found;
    }

    private async ValueTask<CatalogedDeliveryStream> CompleteCreationAsync(CatalogedDeliveryStream creating, CancellationToken cancellationToken)
    {
        var stream = creating.Stream;
        if (stream.Topic is { } topic)
        {
            // Infinite retention: the sink's committed position, not time, decides what is no longer needed.
            var status = await _store.CreateTopicAsync(new TopicSpec(topic, stream.Partitions, Timeout.InfiniteTimeSpan), cancellationToken);
            if (status is not (StorageStatus.Ok or StorageStatus.TopicAlreadyExists))
            {
                throw Unavailable(status);
            }
        }

        var active = stream.Clone();
        active.Status = DeliveryStreamStatus.ACTIVE;
        active.UpdatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return await _catalog.ProposeAsync(active, creating.CatalogVersion, cancellationToken)
            ?? await _catalog.GetAsync(stream.Name, cancellationToken)
            ?? throw FirehoseErrors.NotFound(stream.Name, Account);
    }

    private async ValueTask RequireKinesisStreamAsync(string arn, CancellationToken cancellationToken)
    {
        try
        {
            await _streams.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamARN = arn }, cancellationToken);
        }
        catch (KinesisException e) when (e.Code == KinesisErrorCode.ResourceNotFound)
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, $"Stream {arn} does not exist: {e.Message}");
        }
        catch (KinesisException e) when (e.Code is KinesisErrorCode.InvalidArgument)
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, e.Message);
        }
    }

    private void Check(DeliveryStream stream)
    {
        if (_hooks?.Validate(stream) is { } reason)
        {
            throw new FirehoseException(FirehoseErrors.InvalidArgument, reason);
        }
    }

    private static FirehoseException Unavailable(StorageStatus status) =>
        new(FirehoseErrors.ServiceUnavailable, $"The delivery stream's log is unavailable ({status}); back off and retry.");
}
