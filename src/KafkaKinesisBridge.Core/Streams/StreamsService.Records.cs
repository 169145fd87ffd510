using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using KafkaKinesisBridge.Core.Iterators;
using KafkaKinesisBridge.Core.Routing;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Core.Streams.Reading;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Data plane: PutRecord, PutRecords, GetShardIterator, GetRecords.
public sealed partial class StreamsService
{
    /// <summary>
    /// Header carrying a record's ExplicitHashKey (decimal ASCII), so Kafka-native consumers see the
    /// routing input Kinesis keeps; absent when the record was routed by its partition key.
    /// </summary>
    public const string ExplicitHashKeyHeader = "kinesis.explicit-hash-key";

    /// <summary>The largest data blob any stream accepts (UpdateMaxRecordSize allows up to 10240 KiB).</summary>
    internal const int MaxDataBytes = MaxMaxRecordSizeKiB * 1024;

    /// <summary>PutRecords request limit for streams with the default 1 MiB records (data + partition keys).</summary>
    internal const int PutRecordsLimitBytes = 5 * 1024 * 1024;

    /// <summary>PutRecords request limit for streams whose maximum record size exceeds 1 MiB.</summary>
    internal const int PutRecordsLargeLimitBytes = 10 * 1024 * 1024;

    internal const int MaxPutRecordsEntries = 500;

    /// <summary>GetRecords returns at most 10 MiB (Kinesis GetRecords).</summary>
    internal const int MaxGetRecordsBytes = 10 * 1024 * 1024;

    internal const int MaxGetRecordsLimit = 10000;

    private const string InternalFailureMessage = "Internal service failure.";

    /// <inheritdoc />
    public async ValueTask<PutRecordResponse> PutRecordAsync(PutRecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = StreamsMetrics.Start();
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        if (request.Data is not { } shapeData)
        {
            Constraints.Required(ref errors, null, "data");
        }
        else if (shapeData.Length > MaxDataBytes)
        {
            ValidationErrors.Add(ref errors, ValidationErrors.RenderBlob(shapeData.Length), "data", "Member must have length less than or equal to " + MaxDataBytes.ToString(CultureInfo.InvariantCulture));
        }

        Constraints.PartitionKey(ref errors, request.PartitionKey, "partitionKey");
        Constraints.HashKey(ref errors, request.ExplicitHashKey, "explicitHashKey");
        Constraints.SequenceNumber(ref errors, request.SequenceNumberForOrdering, "sequenceNumberForOrdering");
        ValidationErrors.ThrowIfAny(errors);

        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var stream = await GetDataStreamAsync(name, cancellationToken);
        var data = request.Data!.Value;
        var key = Encoding.UTF8.GetBytes(request.PartitionKey!);
        CheckRecordSize(stream, data.Length, key.Length, "data");
        var hashKey = request.ExplicitHashKey is { } explicitHashKey
            ? ParseExplicitHashKey(explicitHashKey)
            : HashKeys.FromUtf8PartitionKey(key);
        var shardIndex = stream.Router!.Route(hashKey);
        var shard = stream.Shards[shardIndex];
        if (_options.Quotas.Enabled && !shard.Quota.TryAdmitWrite(data.Length + key.Length))
        {
            _metrics.PutRecordThrottled(stream, shard);
            Errors.RateExceeded(shardIndex, name, _account);
        }

        var records = new[] { new LogRecord(key, data, NowMs, ExplicitHashKeyHeaders(request.ExplicitHashKey)) };
        var outcomes = new AppendOutcome[1];
        var status = await _store.AppendAsync(stream.Topic, shardIndex, records, outcomes, cancellationToken);
        if (status != StorageStatus.Ok)
        {
            Log.AppendFailed(_logger, stream.Topic, shardIndex, status);
            Errors.Storage(status, name, _account, "PutRecord");
        }

        var offset = outcomes[0].Offset;
        var completedAt = Stopwatch.GetTimestamp();
        if (!IsAckSafe(stream, completedAt))
        {
            // The stream may have been resharded while the append was in flight (WriteFence).
            (shardIndex, offset) = await ConfirmAppendAsync(stream, shardIndex, offset, completedAt, records[0], hashKey, cancellationToken);
        }

        _metrics.PutRecord(stream, shard, data.Length + key.Length, started);
        return new PutRecordResponse(shardIndex, shardIndex == shard.Index ? shard.ShardId : ShardIds.Format(shardIndex), new SequenceNumber(shardIndex, offset));
    }

    /// <inheritdoc />
    public async ValueTask<PutRecordsResponse> PutRecordsAsync(PutRecordsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = StreamsMetrics.Start();
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        ValidatePutRecordsShape(ref errors, request.Records.Span);
        ValidationErrors.ThrowIfAny(errors);

        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var stream = await GetDataStreamAsync(name, cancellationToken);
        var batch = PreparePutRecords(stream, request.Records.Span);
        try
        {
            await AppendBatchAsync(stream, batch, cancellationToken);
            await FenceBatchAsync(stream, batch, request.Records, Stopwatch.GetTimestamp(), cancellationToken);
            var throttled = batch.Failed;
            CompletePutRecords(batch);
            _metrics.PutRecords(stream, batch, throttled, started);
            return batch.ToResponse();
        }
        finally
        {
            batch.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask<GetShardIteratorResponse> GetShardIteratorAsync(GetShardIteratorRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Name(ref errors, request.ShardId, "shardId", required: true, Constraints.MaxShardIdLength);
        Constraints.Required(ref errors, request.ShardIteratorType, "shardIteratorType");
        Constraints.SequenceNumber(ref errors, request.StartingSequenceNumber, "startingSequenceNumber");
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        if (request.ShardIteratorType is { } shapeType && !Enum.IsDefined(shapeType))
        {
            ValidationErrors.Add(ref errors, ValidationErrors.Render(shapeType.ToString()), "shardIteratorType", "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]");
        }

        ValidationErrors.ThrowIfAny(errors);
        var name = ResolveStreamName(request.StreamName, request.StreamARN);
        var type = request.ShardIteratorType!.Value;
        var stream = await GetDataStreamAsync(name, cancellationToken);
        var shardId = request.ShardId!;
        if (!ShardIds.TryParse(shardId, out var shardIndex))
        {
            Errors.CouldNotFindShard(shardId, name, _account);
        }

        if (shardIndex >= stream.Shards.Length)
        {
            Errors.ShardNotFound(shardIndex, name, _account);
        }

        var shard = stream.Shards[shardIndex];
        CheckIteratorParameters(type, request.StartingSequenceNumber, request.Timestamp);

        var offset = await StartOffsetAsync(stream, shard, type, request.StartingSequenceNumber, request.Timestamp, "GetShardIterator", cancellationToken);
        return new GetShardIteratorResponse(
            _tokens.EncodeIterator(new IteratorPosition(name, stream.Incarnation, shardIndex, offset, NowMs)));
    }

    /// <inheritdoc />
    public async ValueTask<GetRecordsResponse> GetRecordsAsync(GetRecordsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = StreamsMetrics.Start();
        EnsureReady();
        ValidationErrors? errors = null;
        if (request.ShardIterator is null)
        {
            Constraints.Required(ref errors, null, "shardIterator");
        }
        else
        {
            Constraints.Length(ref errors, request.ShardIterator, "shardIterator", 1, Constraints.MaxShardIteratorLength);
        }

        Constraints.Range(ref errors, request.Limit, "limit", 1, MaxGetRecordsLimit);
        Constraints.StreamArn(ref errors, request.StreamARN);
        ValidationErrors.ThrowIfAny(errors);

        if (!_tokens.TryDecodeIterator(request.ShardIterator!, out var position))
        {
            Errors.InvalidShardIterator();
        }

        var now = _time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(position.IssuedAtMs);
        if (now - issuedAt > _options.IteratorTtl)
        {
            Errors.ExpiredIterator(issuedAt, now, _options.IteratorTtl);
        }

        if (request.StreamARN is { } arn && !string.Equals(ResolveStreamName(null, arn), position.StreamName, StringComparison.Ordinal))
        {
            Errors.InvalidArgument($"StreamARN {arn} does not name the stream of the shard iterator.");
        }

        var name = position.StreamName;
        if (!_streams.TryGetValue(name, out var stream) || stream.Incarnation != position.Incarnation || stream.Router is null)
        {
            await _catalog.RefreshAsync(cancellationToken);
            if (!_streams.TryGetValue(name, out stream) || stream.Incarnation != position.Incarnation || stream.Router is null)
            {
                // The stream was deleted (and perhaps re-created): the iterator's shard is gone.
                Errors.ShardNotFound(position.ShardIndex, name, _account);
            }
        }

        if (position.ShardIndex >= stream.Shards.Length)
        {
            Errors.ShardNotFound(position.ShardIndex, name, _account);
        }

        var shardIndex = position.ShardIndex;
        var shard = stream.Shards[shardIndex];
        if (_options.Quotas.Enabled && !shard.Quota.TryAdmitRead())
        {
            _metrics.GetRecordsThrottled(stream, shard);
            Errors.RateExceeded(shardIndex, name, _account);
        }

        var page = await _reader.ReadAsync(
            stream,
            shardIndex,
            position.Offset,
            request.Limit ?? MaxGetRecordsLimit,
            MaxGetRecordsBytes,
            now.ToUnixTimeMilliseconds(),
            cancellationToken);
        try
        {
            return CompleteGetRecords(stream, shard, position, page, now, started);
        }
        catch
        {
            page.Dispose();
            throw;
        }
    }

    private GetRecordsResponse CompleteGetRecords(
        StreamRuntime stream,
        ShardRuntime shard,
        IteratorPosition position,
        in ShardPage page,
        DateTimeOffset now,
        long started)
    {
        if (page.Status != StorageStatus.Ok)
        {
            throw Errors.FromStorage(page.Status, stream.Name, _account, "GetRecords");
        }

        if (_options.Quotas.Enabled)
        {
            shard.Quota.ChargeRead(page.Bytes);
        }

        // A closed shard read to its end: no next iterator, and its children (GetRecords ChildShards).
        var records = page.Records;
        var nextIterator = page.IsEndOfShard
            ? null
            : _tokens.EncodeIterator(position with { Offset = page.NextOffset, IssuedAtMs = now.ToUnixTimeMilliseconds() });

        // CloudWatch GetRecords.IteratorAgeMilliseconds: now minus the arrival of the last record
        // returned; 0 when the call returned nothing (the reader is at the tip).
        var iteratorAge = records.Length > 0 ? Math.Max(0, now.ToUnixTimeMilliseconds() - records.Span[^1].TimestampMs) : 0;
        _metrics.GetRecords(stream, shard, records.Length, page.Bytes, iteratorAge, started);
        return new GetRecordsResponse(page.Read, new StreamRecordList(shard.Index, records), nextIterator, page.MillisBehindLatest, page.ChildShards);
    }

    private static void ValidatePutRecordsShape(ref ValidationErrors? errors, ReadOnlySpan<PutRecordsRequestEntry> entries)
    {
        if (entries.Length < 1)
        {
            ValidationErrors.Add(ref errors, "'[]'", "records", "Member must have length greater than or equal to 1");
            return;
        }

        if (entries.Length > MaxPutRecordsEntries)
        {
            ValidationErrors.Add(ref errors, string.Create(CultureInfo.InvariantCulture, $"'[{entries.Length} records]'"), "records", "Member must have length less than or equal to 500");
            return;
        }

        for (var i = 0; i < entries.Length; i++)
        {
            ref readonly var entry = ref entries[i];
            var key = entry.PartitionKey;
            if (key is null || key.Length is < 1 or > Constraints.MaxPartitionKeyLength
                || entry.Data.Length > MaxDataBytes
                || (entry.ExplicitHashKey is { } hash && !Constraints.IsDecimal(hash, 39)))
            {
                // Slow path, only for a failing record: build the member paths.
                var prefix = "records." + (i + 1).ToString(CultureInfo.InvariantCulture) + ".member.";
                Constraints.PartitionKey(ref errors, key, prefix + "partitionKey");
                Constraints.HashKey(ref errors, entry.ExplicitHashKey, prefix + "explicitHashKey");
                if (entry.Data.Length > MaxDataBytes)
                {
                    ValidationErrors.Add(ref errors, ValidationErrors.RenderBlob(entry.Data.Length), prefix + "data", "Member must have length less than or equal to " + MaxDataBytes.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
    }

    /// <summary>
    /// Synchronous part of PutRecords: sizes, routing, grouping by shard and quota admission, with no
    /// per-record allocation. Throws (before anything is written) for a request Kinesis rejects whole.
    /// </summary>
    private PutRecordsBatch PreparePutRecords(StreamRuntime stream, ReadOnlySpan<PutRecordsRequestEntry> entries)
    {
        var count = entries.Length;

        // Pass 1: sizes. Kinesis counts the data and the partition key against both the record limit
        // and the request limit; we count the key's UTF-8 bytes.
        var totalKeyBytes = 0;
        long totalBytes = 0;
        for (var i = 0; i < count; i++)
        {
            ref readonly var entry = ref entries[i];
            var keyBytes = Encoding.UTF8.GetByteCount(entry.PartitionKey!);
            CheckRecordSize(stream, entry.Data.Length, keyBytes, i);
            totalKeyBytes += keyBytes;
            totalBytes += entry.Data.Length + keyBytes;
        }

        var requestLimit = stream.MaxRecordBytes > DefaultMaxRecordSizeKiB * 1024 ? PutRecordsLargeLimitBytes : PutRecordsLimitBytes;
        if (totalBytes > requestLimit)
        {
            Errors.InvalidArgument(string.Create(
                CultureInfo.InvariantCulture,
                $"Records size exceeds {requestLimit / (1024 * 1024)} MB limit: the request holds {totalBytes} bytes of data and partition keys, the limit is {requestLimit}."));
        }

        var shardCount = stream.Shards.Length;
        var batch = new PutRecordsBatch(count, shardCount, totalKeyBytes);
        try
        {
            // Pass 2: encode keys and route. Every hash key is checked before anything is written.
            var router = stream.Router!;
            var groupStart = batch.GroupStart.AsSpan(0, shardCount + 1);
            groupStart.Clear();
            var keyOffset = 0;
            for (var i = 0; i < count; i++)
            {
                ref readonly var entry = ref entries[i];
                var written = Encoding.UTF8.GetBytes(entry.PartitionKey!, batch.Keys.AsSpan(keyOffset));
                batch.KeyOffsets[i] = keyOffset;
                batch.KeyLengths[i] = written;
                var hashKey = entry.ExplicitHashKey is { } explicitHashKey
                    ? ParseExplicitHashKey(explicitHashKey)
                    : HashKeys.FromUtf8PartitionKey(batch.Keys.AsSpan(keyOffset, written));
                keyOffset += written;
                var shard = router.Route(hashKey);
                batch.ShardOf[i] = shard;
                groupStart[shard + 1]++;
            }

            // Counting sort by shard, stable: request order is kept within each shard.
            for (var s = 0; s < shardCount; s++)
            {
                groupStart[s + 1] += groupStart[s];
            }

            var fill = batch.AppendStart.AsSpan(0, shardCount);
            groupStart[..shardCount].CopyTo(fill);
            for (var i = 0; i < count; i++)
            {
                var position = fill[batch.ShardOf[i]]++;
                batch.Order[position] = i;
                batch.Sizes[position] = entries[i].Data.Length + batch.KeyLengths[i];
            }

            // Quotas, per shard, records in request order; records over quota fail alone.
            var admitted = batch.Admitted.AsSpan(0, count);
            if (_options.Quotas.Enabled)
            {
                for (var s = 0; s < shardCount; s++)
                {
                    var start = groupStart[s];
                    var length = groupStart[s + 1] - start;
                    if (length > 0)
                    {
                        stream.Shards[s].Quota.AdmitWrites(batch.Sizes.AsSpan(start, length), admitted.Slice(start, length));
                    }
                }
            }
            else
            {
                admitted.Fill(true);
            }

            // Storage records, grouped by shard; results of throttled records.
            var nowMs = NowMs;
            var results = batch.Results!;
            var w = 0;
            var failed = 0;
            for (var s = 0; s < shardCount; s++)
            {
                batch.AppendStart[s] = w;
                string? throttled = null;
                for (var position = groupStart[s]; position < groupStart[s + 1]; position++)
                {
                    var i = batch.Order[position];
                    if (!admitted[position])
                    {
                        throttled ??= Errors.RateExceededMessage(s, stream.Name, _account);
                        results[i] = new PutRecordsResultEntry(PutRecordsErrorCodes.ProvisionedThroughputExceeded, throttled);
                        failed++;
                        continue;
                    }

                    ref readonly var entry = ref entries[i];
                    batch.Records[w] = new LogRecord(batch.Key(i), entry.Data, nowMs, ExplicitHashKeyHeaders(entry.ExplicitHashKey));
                    batch.RecordIndex[w] = i;
                    w++;
                }

                batch.AppendCount[s] = w - batch.AppendStart[s];
            }

            batch.Appended = w;
            batch.Failed = failed;
            return batch;
        }
        catch
        {
            batch.Dispose();
            throw;
        }
    }

    /// <summary>One AppendAsync per shard with records, all shards concurrently.</summary>
    private async ValueTask AppendBatchAsync(StreamRuntime stream, PutRecordsBatch batch, CancellationToken cancellationToken)
    {
        var shardCount = batch.ShardCount;
        var pending = ArrayPool<ValueTask<StorageStatus>>.Shared.Rent(shardCount);
        var started = 0;
        Exception? fault = null;
        try
        {
            for (var s = 0; s < shardCount; s++)
            {
                var length = batch.AppendCount[s];
                if (length == 0)
                {
                    continue;
                }

                var start = batch.AppendStart[s];
                pending[s] = _store.AppendAsync(
                    stream.Topic,
                    s,
                    batch.Records.AsMemory(start, length),
                    batch.Outcomes.AsMemory(start, length),
                    cancellationToken);
                started++;
            }

            // Await every append, even after a fault: their memory is rented and returned afterwards.
            for (var s = 0; s < shardCount && started > 0; s++)
            {
                if (batch.AppendCount[s] == 0)
                {
                    continue;
                }

                try
                {
                    var status = await pending[s];
                    if (status != StorageStatus.Ok)
                    {
                        Log.AppendFailed(_logger, stream.Topic, s, status);
                    }
                }
                catch (Exception exception)
                {
                    fault ??= exception;
                }
            }
        }
        finally
        {
            ArrayPool<ValueTask<StorageStatus>>.Shared.Return(pending, clearArray: true);
        }

        if (fault is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
        }
    }

    /// <summary>Turns storage outcomes into results; a failed append fails only its own records.</summary>
    private static void CompletePutRecords(PutRecordsBatch batch)
    {
        var results = batch.Results!;
        var failed = batch.Failed;
        for (var w = 0; w < batch.Appended; w++)
        {
            var i = batch.RecordIndex[w];
            var outcome = batch.Outcomes[w];
            if (outcome.Status == StorageStatus.Ok)
            {
                var shard = batch.ShardOf[i];
                results[i] = new PutRecordsResultEntry(shard, new SequenceNumber(shard, outcome.Offset));
            }
            else
            {
                results[i] = new PutRecordsResultEntry(PutRecordsErrorCodes.InternalFailure, InternalFailureMessage);
                failed++;
            }
        }

        batch.Failed = failed;
    }

    /// <summary>
    /// A record over the stream's maximum size fails the request: data alone over the limit is the
    /// ValidationException of the Data member (as Kinesis reports 1 MiB data); data within it whose
    /// partition key pushes the record over is InvalidArgumentException.
    /// </summary>
    private void CheckRecordSize(StreamRuntime stream, int dataBytes, int keyBytes, string member)
    {
        if (dataBytes > stream.MaxRecordBytes)
        {
            ValidationErrors? errors = null;
            ValidationErrors.Add(ref errors, ValidationErrors.RenderBlob(dataBytes), member, "Member must have length less than or equal to " + stream.MaxRecordBytes.ToString(CultureInfo.InvariantCulture));
            ValidationErrors.ThrowIfAny(errors);
        }

        if (dataBytes + keyBytes > stream.MaxRecordBytes)
        {
            Errors.InvalidArgument(string.Create(
                CultureInfo.InvariantCulture,
                $"Record size ({dataBytes + keyBytes} bytes of data and partition key) exceeds the maximum record size of stream {stream.Name} under account {_account} ({stream.MaxRecordBytes} bytes)."));
        }
    }

    private void CheckRecordSize(StreamRuntime stream, int dataBytes, int keyBytes, int index)
    {
        if (dataBytes + keyBytes > stream.MaxRecordBytes)
        {
            CheckRecordSize(stream, dataBytes, keyBytes, "records." + (index + 1).ToString(CultureInfo.InvariantCulture) + ".member.data");
        }
    }

    /// <summary>An ExplicitHashKey that matched the pattern but exceeds 2^128 - 1 is InvalidArgumentException.</summary>
    private static UInt128 ParseExplicitHashKey(string value)
    {
        if (!HashKeys.TryParse(value, out var hashKey))
        {
            Errors.InvalidArgument($"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {value}");
        }

        return hashKey;
    }

    private static LogHeader[]? ExplicitHashKeyHeaders(string? explicitHashKey) =>
        explicitHashKey is null ? null : [new LogHeader(ExplicitHashKeyHeader, Encoding.ASCII.GetBytes(explicitHashKey))];

    /// <summary>GetShardIterator: which parameters each iterator type requires or forbids.</summary>
    private static void CheckIteratorParameters(ShardIteratorType type, string? startingSequenceNumber, DateTimeOffset? timestamp)
    {
        const string Either = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ";
        var wire = type.ToWireName();
        switch (type)
        {
            case ShardIteratorType.AtSequenceNumber or ShardIteratorType.AfterSequenceNumber when startingSequenceNumber is null:
                Errors.InvalidArgument(Either + $"Request specified {wire} and no StartingSequenceNumber.");
                break;
            case ShardIteratorType.TrimHorizon or ShardIteratorType.Latest or ShardIteratorType.AtTimestamp when startingSequenceNumber is not null:
                Errors.InvalidArgument(Either + $"Request specified {wire} and also a StartingSequenceNumber.");
                break;
            case ShardIteratorType.AtTimestamp when timestamp is null:
                Errors.InvalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
                break;
            case not ShardIteratorType.AtTimestamp when timestamp is not null:
                Errors.InvalidArgument($"Must specify timestampInMillis parameter only for iterator of type AT_TIMESTAMP. Current request has {wire} with a timestamp parameter.");
                break;
        }
    }

    /// <summary>
    /// The offset a read starting at <paramref name="type"/> begins at (GetShardIterator, SubscribeToShard),
    /// within the shard's readable range.
    /// </summary>
    private async ValueTask<long> StartOffsetAsync(
        StreamRuntime stream,
        ShardRuntime shard,
        ShardIteratorType type,
        string? startingSequenceNumber,
        DateTimeOffset? timestamp,
        string operation,
        CancellationToken cancellationToken)
    {
        var name = stream.Name;
        var shardIndex = shard.Index;
        var offsets = await _store.GetOffsetsAsync(stream.Topic, shardIndex, cancellationToken);
        if (offsets.Status != StorageStatus.Ok)
        {
            Errors.Storage(offsets.Status, name, _account, operation);
        }

        // The shard's readable range: from the trim horizon (never before this incarnation's first
        // offset) to the tip (the high watermark now, or the end of a closed shard).
        var (first, tip) = ShardReader.Bounds(shard, offsets.Offsets);
        long offset;
        switch (type)
        {
            case ShardIteratorType.TrimHorizon:
                offset = first;
                break;
            case ShardIteratorType.Latest:
                offset = tip;
                break;
            case ShardIteratorType.AtTimestamp:
                var lookup = await _store.GetOffsetForTimestampAsync(stream.Topic, shardIndex, timestamp!.Value.ToUnixTimeMilliseconds(), cancellationToken);
                if (lookup.Status != StorageStatus.Ok)
                {
                    Errors.Storage(lookup.Status, name, _account, operation);
                }

                // A timestamp after the newest record gives the tip, as Kinesis does.
                offset = Math.Clamp(lookup.Offset, first, Math.Max(first, tip));
                break;
            default:
                offset = SequenceNumberOffset(type, startingSequenceNumber!, shard, name, first, tip, operation);
                break;
        }

        return offset;
    }

    /// <summary>
    /// The offset an AT_/AFTER_SEQUENCE_NUMBER iterator starts at. The sequence number must be one of
    /// this shard's, not beyond its end; one below the trim horizon starts at the trim horizon.
    /// </summary>
    private long SequenceNumberOffset(ShardIteratorType type, string text, ShardRuntime shard, string streamName, long first, long tip, string operation)
    {
        if (!SequenceNumber.TryParse(text, out var sequenceNumber))
        {
            Errors.InvalidArgument($"StartingSequenceNumber {text} used in {operation} on shard {shard.ShardId} in stream {streamName} under account {_account} is invalid.");
        }

        if (sequenceNumber.ShardIndex != shard.Index)
        {
            Errors.InvalidArgument($"Invalid StartingSequenceNumber. It encodes {ShardIds.Format(sequenceNumber.ShardIndex)}, while it was used in a call to a shard with {shard.ShardId}");
        }

        // A number is beyond the shard when reading after it would start past the tip: a layout 1
        // number must name a stored record; a layout 2 position may be the tip itself (the number of
        // the last record, or of an empty shard's start, as a ContinuationSequenceNumber is).
        if (sequenceNumber.AfterOffset > tip)
        {
            Errors.InvalidArgument($"StartingSequenceNumber {text} used in {operation} on shard {shard.ShardId} in stream {streamName} under account {_account} is invalid because it is beyond the end of the shard.");
        }

        var offset = type == ShardIteratorType.AfterSequenceNumber ? sequenceNumber.AfterOffset : sequenceNumber.Offset;
        return Math.Max(offset, first);
    }
}
