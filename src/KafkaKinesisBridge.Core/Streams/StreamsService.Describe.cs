using System.Globalization;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Iterators;
using KafkaKinesisBridge.Core.Validation;

namespace KafkaKinesisBridge.Core.Streams;

// Read-only control plane: DescribeStream, DescribeStreamSummary, ListStreams, ListShards, DescribeLimits.
public sealed partial class StreamsService
{
    /// <summary>NextTokens of ListShards and ListStreams expire after 300 seconds (Kinesis ListShards NextToken).</summary>
    internal static readonly TimeSpan NextTokenTtl = TimeSpan.FromSeconds(300);

    /// <inheritdoc />
    public async ValueTask<DescribeStreamResponse> DescribeStreamAsync(DescribeStreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Range(ref errors, request.Limit, "limit", 1, 10000);
        Constraints.Name(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false, Constraints.MaxShardIdLength);
        ValidationErrors.ThrowIfAny(errors);
        var stream = await GetFreshStreamAsync(ResolveStreamName(request.StreamName, request.StreamARN), cancellationToken);

        var limit = request.Limit ?? 100;
        var shards = new List<Shard>(Math.Min(limit, stream.Shards.Length));
        var hasMore = false;

        // Kinesis lists no shards while the stream is CREATING.
        if (stream.Status != StreamStatus.Creating)
        {
            var lastIndex = request.ExclusiveStartShardId is { } start ? LastIndexBefore(start) : -1;
            var trimHorizonMs = NowMs - (stream.Entry.RetentionHours * 3_600_000L);
            foreach (var shard in stream.Shards)
            {
                // A shard closed longer ago than the retention period holds no records: Kinesis no
                // longer lists it.
                if (shard.Index <= lastIndex || (!shard.IsOpen && shard.Entry.ClosedAtMs < trimHorizonMs))
                {
                    continue;
                }

                if (shards.Count == limit)
                {
                    hasMore = true;
                    break;
                }

                shards.Add(shard.Public);
            }
        }

        return new DescribeStreamResponse(new StreamDescription
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            StreamStatus = stream.Status,
            StreamModeDetails = stream.ModeDetails,
            Shards = shards,
            HasMoreShards = hasMore,
            RetentionPeriodHours = stream.Entry.RetentionHours,
            StreamCreationTimestamp = stream.CreatedAt,
            EnhancedMonitoring = stream.EnhancedMonitoring,
            EncryptionType = EncryptionType.None,
        });
    }

    /// <inheritdoc />
    public async ValueTask<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        ValidationErrors.ThrowIfAny(errors);
        var stream = await GetFreshStreamAsync(ResolveStreamName(request.StreamName, request.StreamARN), cancellationToken);
        return new DescribeStreamSummaryResponse(new StreamDescriptionSummary
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            StreamStatus = stream.Status,
            StreamModeDetails = stream.ModeDetails,
            RetentionPeriodHours = stream.Entry.RetentionHours,
            StreamCreationTimestamp = stream.CreatedAt,
            EnhancedMonitoring = stream.EnhancedMonitoring,
            EncryptionType = EncryptionType.None,
            OpenShardCount = stream.OpenShardCount,
            ConsumerCount = stream.Entry.Consumers?.Count ?? 0,
            MaxRecordSizeInKiB = stream.Entry.MaxRecordSizeKiB,
        });
    }

    /// <inheritdoc />
    public async ValueTask<ListStreamsResponse> ListStreamsAsync(ListStreamsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        Constraints.Range(ref errors, request.Limit, "limit", 1, 10000);
        Constraints.Name(ref errors, request.ExclusiveStartStreamName, "exclusiveStartStreamName", required: false);
        if (request.NextToken is not null)
        {
            Constraints.Length(ref errors, request.NextToken, "nextToken", 1, Constraints.MaxNextTokenLength);
        }

        ValidationErrors.ThrowIfAny(errors);
        var after = request.ExclusiveStartStreamName;
        if (request.NextToken is { } token)
        {
            if (after is not null)
            {
                Errors.InvalidArgument("NextToken and ExclusiveStartStreamName cannot be provided together.");
            }

            if (!_tokens.TryDecodeListStreams(token, out var last, out var issuedAtMs))
            {
                Errors.InvalidArgument("Invalid NextToken.");
            }

            CheckTokenAge(issuedAtMs);
            after = last;
        }

        await _catalog.RefreshAsync(cancellationToken);

        // "If you specify a value greater than 100, at most 100 results are returned." (ListStreams Limit)
        var limit = Math.Min(request.Limit ?? 100, 100);
        var names = _streams.Keys
            .Where(n => after is null || string.CompareOrdinal(n, after) > 0)
            .Order(StringComparer.Ordinal)
            .Take(limit + 1)
            .ToList();
        var hasMore = names.Count > limit;
        if (hasMore)
        {
            names.RemoveAt(names.Count - 1);
        }

        var summaries = new List<StreamSummary>(names.Count);
        foreach (var name in names)
        {
            if (_streams.TryGetValue(name, out var stream))
            {
                summaries.Add(new StreamSummary
                {
                    StreamName = stream.Name,
                    StreamARN = stream.Arn,
                    StreamStatus = stream.Status,
                    StreamModeDetails = stream.ModeDetails,
                    StreamCreationTimestamp = stream.CreatedAt,
                });
            }
        }

        return new ListStreamsResponse
        {
            StreamNames = names,
            HasMoreStreams = hasMore,
            NextToken = hasMore ? _tokens.EncodeListStreams(names[^1], NowMs) : null,
            StreamSummaries = summaries,
        };
    }

    /// <inheritdoc />
    public async ValueTask<ListShardsResponse> ListShardsAsync(ListShardsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureReady();
        ValidationErrors? errors = null;
        ValidateStreamIdentity(ref errors, request.StreamName, request.StreamARN);
        Constraints.Range(ref errors, request.MaxResults, "maxResults", 1, 10000);
        Constraints.Name(ref errors, request.ExclusiveStartShardId, "exclusiveStartShardId", required: false, Constraints.MaxShardIdLength);
        if (request.NextToken is not null)
        {
            Constraints.Length(ref errors, request.NextToken, "nextToken", 1, Constraints.MaxNextTokenLength);
        }

        if (request.ShardFilter is { } shape)
        {
            Constraints.Required(ref errors, shape.Type, "shardFilter.type");
            Constraints.Name(ref errors, shape.ShardId, "shardFilter.shardId", required: false, Constraints.MaxShardIdLength);
        }

        ValidationErrors.ThrowIfAny(errors);

        // Kinesis ListShards: a NextToken carries the stream and the filter of the first call.
        string name;
        ulong? incarnation = null;
        int lastIndex;
        ShardFilterType filterType;
        long filterTimestampMs;
        if (request.NextToken is { } token)
        {
            if (request.StreamName is not null || request.StreamARN is not null)
            {
                Errors.InvalidArgument("NextToken and StreamName cannot be provided together.");
            }

            if (request.ExclusiveStartShardId is not null || request.ShardFilter is not null || request.StreamCreationTimestamp is not null)
            {
                Errors.InvalidArgument("NextToken cannot be provided together with ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp.");
            }

            if (!_tokens.TryDecodeListShards(token, out var position) || !Enum.IsDefined((ShardFilterType)position.FilterType))
            {
                Errors.InvalidArgument("Invalid NextToken.");
            }

            CheckTokenAge(position.IssuedAtMs);
            name = position.StreamName;
            incarnation = position.Incarnation;
            lastIndex = position.LastShardIndex;
            filterType = (ShardFilterType)position.FilterType;
            filterTimestampMs = position.FilterTimestampMs;
        }
        else
        {
            if (request.StreamName is null && request.StreamARN is null)
            {
                Errors.InvalidArgument("Either NextToken or StreamName should be provided.");
            }

            name = ResolveStreamName(request.StreamName, request.StreamARN);
            lastIndex = -1;
            (filterType, filterTimestampMs, var afterShardId) = ReadShardFilter(request.ShardFilter);
            if (afterShardId is not null)
            {
                lastIndex = LastIndexBefore(afterShardId);
            }

            if (request.ExclusiveStartShardId is { } exclusive)
            {
                lastIndex = Math.Max(lastIndex, LastIndexBefore(exclusive));
            }
        }

        var stream = await GetFreshStreamAsync(name, cancellationToken);
        if (incarnation is { } expected && expected != stream.Incarnation)
        {
            Errors.StreamNotFound(name, _account);
        }

        if (request.StreamCreationTimestamp is { } created
            && Math.Abs(created.ToUnixTimeMilliseconds() - stream.Entry.CreatedAtMs) >= 1000)
        {
            // The name now belongs to a different stream than the one the caller means.
            Errors.StreamNotFound(name, _account);
        }

        var maxResults = request.MaxResults ?? 1000;
        var trimHorizonMs = Math.Max(NowMs - (stream.Entry.RetentionHours * 3_600_000L), stream.Entry.CreatedAtMs);
        var shards = new List<Shard>(Math.Min(maxResults, stream.Shards.Length));
        var hasMore = false;
        foreach (var shard in stream.Shards)
        {
            if (shard.Index <= lastIndex || !Matches(shard, filterType, filterTimestampMs, trimHorizonMs, stream.Entry.CreatedAtMs))
            {
                continue;
            }

            if (shards.Count == maxResults)
            {
                hasMore = true;
                break;
            }

            shards.Add(shard.Public);
        }

        return new ListShardsResponse
        {
            Shards = shards,
            NextToken = hasMore
                ? _tokens.EncodeListShards(new ListShardsPosition(
                    stream.Name,
                    stream.Incarnation,
                    shards[^1].ShardIndex,
                    (byte)filterType,
                    filterTimestampMs,
                    NowMs))
                : null,
        };
    }

    /// <inheritdoc />
    public async ValueTask<DescribeLimitsResponse> DescribeLimitsAsync(CancellationToken cancellationToken)
    {
        EnsureReady();
        await _catalog.RefreshAsync(cancellationToken);
        var streams = _streams.Values.ToArray();
        return new DescribeLimitsResponse(
            _options.ShardLimit,
            streams.Sum(s => s.OpenShardCount),
            streams.Count(s => s.Entry.Mode == StreamMode.OnDemand),
            _options.OnDemandStreamCountLimit);
    }

    private void CheckTokenAge(long issuedAtMs)
    {
        var now = _time.GetUtcNow();
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(issuedAtMs);
        if (now - issuedAt > NextTokenTtl)
        {
            Errors.Throw(
                KinesisErrorCode.ExpiredNextToken,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"The NextToken has expired: it was issued at {Errors.JavaDate(issuedAt)}, more than {(long)NextTokenTtl.TotalSeconds} seconds before now ({Errors.JavaDate(now)})."));
        }
    }

    /// <summary>Checks a ShardFilter's members for its type (Kinesis ListShards ShardFilter).</summary>
    private static (ShardFilterType Type, long TimestampMs, string? AfterShardId) ReadShardFilter(ShardFilter? filter)
    {
        if (filter is null)
        {
            return (ShardFilterType.FromTrimHorizon, 0, null);
        }

        var type = filter.Type!.Value;
        if (!Enum.IsDefined(type))
        {
            Errors.InvalidArgument("Invalid ShardFilter type.");
        }

        if (type == ShardFilterType.AfterShardId)
        {
            if (filter.ShardId is null)
            {
                Errors.InvalidArgument("ShardId must be specified in the ShardFilter when the ShardFilter type is AFTER_SHARD_ID.");
            }
        }
        else if (filter.ShardId is not null)
        {
            Errors.InvalidArgument($"ShardId can only be specified in the ShardFilter when the ShardFilter type is AFTER_SHARD_ID, not {type.ToWireName()}.");
        }

        var needsTimestamp = type is ShardFilterType.AtTimestamp or ShardFilterType.FromTimestamp;
        if (needsTimestamp && filter.Timestamp is null)
        {
            Errors.InvalidArgument($"Timestamp must be specified in the ShardFilter when the ShardFilter type is {type.ToWireName()}.");
        }

        if (!needsTimestamp && filter.Timestamp is not null)
        {
            Errors.InvalidArgument($"Timestamp can only be specified in the ShardFilter when the ShardFilter type is AT_TIMESTAMP or FROM_TIMESTAMP, not {type.ToWireName()}.");
        }

        return (type, filter.Timestamp?.ToUnixTimeMilliseconds() ?? 0, filter.ShardId);
    }

    /// <summary>
    /// The shard index an exclusive-start shard id names (read as Kinesis reads shard ids: the digits
    /// after the last '-'), so listing continues with the next index.
    /// </summary>
    private static int LastIndexBefore(string shardId)
    {
        if (ShardIds.TryParse(shardId, out var index))
        {
            return index;
        }

        // Text that names no shard index: order it against formatted ids ("shardId-...") by ordinal.
        return string.CompareOrdinal(shardId, ShardIds.Prefix) < 0 ? -1 : int.MaxValue;
    }

    /// <summary>Whether a shard passes a ShardFilter (API reference, ShardFilter).</summary>
    private static bool Matches(ShardRuntime shard, ShardFilterType type, long timestampMs, long trimHorizonMs, long streamCreatedMs)
    {
        switch (type)
        {
            case ShardFilterType.AtLatest:
                // The shards taking writes now (a parent whose reshard is still fencing takes none).
                return shard.IsRoutable;
            case ShardFilterType.AfterShardId:
                return true;
            case ShardFilterType.AtTrimHorizon:
                return IsOpenAt(shard, trimHorizonMs);
            case ShardFilterType.FromTrimHorizon:
                return ClosedAtOrAfter(shard, trimHorizonMs);
            case ShardFilterType.AtTimestamp:
                return IsOpenAt(shard, Math.Max(timestampMs, streamCreatedMs));
            case ShardFilterType.FromTimestamp:
                return ClosedAtOrAfter(shard, Math.Max(timestampMs, trimHorizonMs));
            default:
                return true;
        }

        static bool IsOpenAt(ShardRuntime shard, long time) =>
            (shard.Entry.ParentIndex is null || shard.Entry.CreatedAtMs <= time) && ClosedAtOrAfter(shard, time);

        static bool ClosedAtOrAfter(ShardRuntime shard, long time) => shard.Entry.ClosedAtMs is not { } closed || closed >= time;
    }
}
