using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// Stream lifecycle, description and settings operations. Request and response members are those of
/// the Kinesis API reference for each operation; operations whose output Kinesis models as empty
/// (CreateStream, DeleteStream, the retention and record size updates) answer HTTP 200 with an
/// empty body, as Kinesis does.
/// </summary>
internal static class StreamOperations
{
    // ----- CreateStream ----------------------------------------------------------------------

    public static async ValueTask CreateStreamAsync(IStreamsService streams, KinesisCall call)
    {
        // The core answers with the status it reached (ACTIVE, or CREATING when storage is slow);
        // Kinesis' CreateStream output is empty either way, and clients poll DescribeStream(Summary).
        await streams.CreateStreamAsync(ReadCreateStream(call), call.CancellationToken);
    }

    private static CreateStreamRequest ReadCreateStream(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? name = null;
        int? shardCount = null;
        StreamModeDetails? mode = null;
        Dictionary<string, string>? tags = null;
        int? maxRecordSize = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamName"u8))
            {
                name = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ShardCount"u8))
            {
                shardCount = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("StreamModeDetails"u8))
            {
                mode = WireMembers.ReadStreamModeDetails(ref reader);
            }
            else if (reader.PropertyNameEquals("Tags"u8))
            {
                tags = WireMembers.ReadTagMap(ref reader);
            }
            else if (reader.PropertyNameEquals("MaxRecordSizeInKiB"u8))
            {
                maxRecordSize = reader.ReadInt32();
            }
            else
            {
                // WarmThroughputMiBps, RecordDistributionStrategy: no meaning on this gateway.
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new CreateStreamRequest
        {
            StreamName = name,
            ShardCount = shardCount,
            StreamModeDetails = mode,
            Tags = tags,
            MaxRecordSizeInKiB = maxRecordSize,
        };
    }

    // ----- DeleteStream ----------------------------------------------------------------------

    public static ValueTask DeleteStreamAsync(IStreamsService streams, KinesisCall call) =>
        streams.DeleteStreamAsync(ReadDeleteStream(call), call.CancellationToken);

    private static DeleteStreamRequest ReadDeleteStream(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        bool? enforce = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("EnforceConsumerDeletion"u8))
            {
                enforce = reader.ReadBoolean();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new DeleteStreamRequest { StreamName = stream.Name, StreamARN = stream.Arn, EnforceConsumerDeletion = enforce };
    }

    // ----- DescribeStream --------------------------------------------------------------------

    public static async ValueTask DescribeStreamAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.DescribeStreamAsync(ReadDescribeStream(call), call.CancellationToken);
        var d = response.StreamDescription;
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("StreamDescription"u8);
        w.WriteStartObject();
        w.WriteString("StreamName"u8, d.StreamName);
        w.WriteString("StreamARN"u8, d.StreamARN);
        w.WriteString("StreamStatus"u8, d.StreamStatus.ToWireName());
        WireMembers.WriteStreamModeDetails(w, d.StreamModeDetails);
        WireMembers.WriteShards(w, "Shards"u8, d.Shards);
        w.WriteBoolean("HasMoreShards"u8, d.HasMoreShards);
        w.WriteNumber("RetentionPeriodHours"u8, d.RetentionPeriodHours);
        WireMembers.WriteTimestamp(w, "StreamCreationTimestamp"u8, d.StreamCreationTimestamp);
        WireMembers.WriteEnhancedMonitoring(w, d.EnhancedMonitoring);
        w.WriteString("EncryptionType"u8, d.EncryptionType.ToWireName());
        if (d.KeyId is { } keyId)
        {
            w.WriteString("KeyId"u8, keyId);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static DescribeStreamRequest ReadDescribeStream(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        int? limit = null;
        string? exclusiveStart = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("Limit"u8))
            {
                limit = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("ExclusiveStartShardId"u8))
            {
                exclusiveStart = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new DescribeStreamRequest { StreamName = stream.Name, StreamARN = stream.Arn, Limit = limit, ExclusiveStartShardId = exclusiveStart };
    }

    // ----- DescribeStreamSummary -------------------------------------------------------------

    public static async ValueTask DescribeStreamSummaryAsync(IStreamsService streams, KinesisCall call)
    {
        var stream = StreamRef.ReadOnly(call);
        var response = await streams.DescribeStreamSummaryAsync(
            new DescribeStreamSummaryRequest { StreamName = stream.Name, StreamARN = stream.Arn },
            call.CancellationToken);
        var d = response.StreamDescriptionSummary;
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("StreamDescriptionSummary"u8);
        w.WriteStartObject();
        w.WriteString("StreamName"u8, d.StreamName);
        w.WriteString("StreamARN"u8, d.StreamARN);
        w.WriteString("StreamStatus"u8, d.StreamStatus.ToWireName());
        WireMembers.WriteStreamModeDetails(w, d.StreamModeDetails);
        w.WriteNumber("RetentionPeriodHours"u8, d.RetentionPeriodHours);
        WireMembers.WriteTimestamp(w, "StreamCreationTimestamp"u8, d.StreamCreationTimestamp);
        WireMembers.WriteEnhancedMonitoring(w, d.EnhancedMonitoring);
        w.WriteString("EncryptionType"u8, d.EncryptionType.ToWireName());
        if (d.KeyId is { } keyId)
        {
            w.WriteString("KeyId"u8, keyId);
        }

        w.WriteNumber("OpenShardCount"u8, d.OpenShardCount);
        w.WriteNumber("ConsumerCount"u8, d.ConsumerCount);
        w.WriteNumber("MaxRecordSizeInKiB"u8, d.MaxRecordSizeInKiB);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    // ----- ListStreams -----------------------------------------------------------------------

    public static async ValueTask ListStreamsAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.ListStreamsAsync(ReadListStreams(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("StreamNames"u8);
        w.WriteStartArray();
        foreach (var name in response.StreamNames)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteBoolean("HasMoreStreams"u8, response.HasMoreStreams);
        if (response.NextToken is { } next)
        {
            w.WriteString("NextToken"u8, next);
        }

        w.WritePropertyName("StreamSummaries"u8);
        w.WriteStartArray();
        foreach (var s in response.StreamSummaries)
        {
            w.WriteStartObject();
            w.WriteString("StreamName"u8, s.StreamName);
            w.WriteString("StreamARN"u8, s.StreamARN);
            w.WriteString("StreamStatus"u8, s.StreamStatus.ToWireName());
            WireMembers.WriteStreamModeDetails(w, s.StreamModeDetails);
            WireMembers.WriteTimestamp(w, "StreamCreationTimestamp"u8, s.StreamCreationTimestamp);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static ListStreamsRequest ReadListStreams(KinesisCall call)
    {
        var reader = call.CreateReader();
        int? limit = null;
        string? exclusiveStart = null;
        string? nextToken = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("Limit"u8))
            {
                limit = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("ExclusiveStartStreamName"u8))
            {
                exclusiveStart = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("NextToken"u8))
            {
                nextToken = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new ListStreamsRequest { Limit = limit, ExclusiveStartStreamName = exclusiveStart, NextToken = nextToken };
    }

    // ----- ListShards ------------------------------------------------------------------------

    public static async ValueTask ListShardsAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.ListShardsAsync(ReadListShards(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        WireMembers.WriteShards(w, "Shards"u8, response.Shards);
        if (response.NextToken is { } next)
        {
            w.WriteString("NextToken"u8, next);
        }

        w.WriteEndObject();
    }

    private static ListShardsRequest ReadListShards(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        string? nextToken = null;
        string? exclusiveStart = null;
        int? maxResults = null;
        DateTimeOffset? created = null;
        ShardFilter? filter = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("NextToken"u8))
            {
                nextToken = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ExclusiveStartShardId"u8))
            {
                exclusiveStart = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("MaxResults"u8))
            {
                maxResults = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("StreamCreationTimestamp"u8))
            {
                created = WireMembers.ReadTimestamp(ref reader);
            }
            else if (reader.PropertyNameEquals("ShardFilter"u8))
            {
                filter = WireMembers.ReadShardFilter(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new ListShardsRequest
        {
            StreamName = stream.Name,
            StreamARN = stream.Arn,
            NextToken = nextToken,
            ExclusiveStartShardId = exclusiveStart,
            MaxResults = maxResults,
            StreamCreationTimestamp = created,
            ShardFilter = filter,
        };
    }

    // ----- Retention and record size ---------------------------------------------------------

    public static ValueTask IncreaseStreamRetentionPeriodAsync(IStreamsService streams, KinesisCall call) =>
        streams.IncreaseStreamRetentionPeriodAsync(ReadRetention(call), call.CancellationToken);

    public static ValueTask DecreaseStreamRetentionPeriodAsync(IStreamsService streams, KinesisCall call) =>
        streams.DecreaseStreamRetentionPeriodAsync(ReadRetention(call), call.CancellationToken);

    private static UpdateStreamRetentionPeriodRequest ReadRetention(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        int? hours = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("RetentionPeriodHours"u8))
            {
                hours = reader.ReadInt32();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new UpdateStreamRetentionPeriodRequest { StreamName = stream.Name, StreamARN = stream.Arn, RetentionPeriodHours = hours };
    }

    /// <summary>
    /// UpdateMaxRecordSize (Kinesis_20131202.UpdateMaxRecordSize): the Kinesis input names the stream
    /// by StreamARN only (members MaxRecordSizeInKiB, StreamARN, StreamId), so StreamName is not read
    /// here; the gRPC API additionally accepts a name.
    /// </summary>
    public static ValueTask UpdateMaxRecordSizeAsync(IStreamsService streams, KinesisCall call) =>
        streams.UpdateMaxRecordSizeAsync(ReadUpdateMaxRecordSize(call), call.CancellationToken);

    private static UpdateMaxRecordSizeRequest ReadUpdateMaxRecordSize(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? arn = null;
        int? size = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamARN"u8))
            {
                arn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("MaxRecordSizeInKiB"u8))
            {
                size = reader.ReadInt32();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new UpdateMaxRecordSizeRequest { StreamARN = arn, MaxRecordSizeInKiB = size };
    }

    // ----- DescribeLimits --------------------------------------------------------------------

    public static async ValueTask DescribeLimitsAsync(IStreamsService streams, KinesisCall call)
    {
        ReadEmpty(call);
        var limits = await streams.DescribeLimitsAsync(call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteNumber("ShardLimit"u8, limits.ShardLimit);
        w.WriteNumber("OpenShardCount"u8, limits.OpenShardCount);
        w.WriteNumber("OnDemandStreamCount"u8, limits.OnDemandStreamCount);
        w.WriteNumber("OnDemandStreamCountLimit"u8, limits.OnDemandStreamCountLimit);
        w.WriteEndObject();
    }

    private static void ReadEmpty(KinesisCall call)
    {
        var reader = call.CreateReader();
        WireMembers.ReadEmptyInput(ref reader);
    }
}

/// <summary>
/// The StreamName / StreamARN pair most inputs carry (Kinesis accepts either; the core checks that
/// at least one is given and that both agree). <c>StreamId</c> (reserved by Kinesis) is skipped.
/// </summary>
internal struct StreamRef
{
    public string? Name;
    public string? Arn;

    /// <summary>Reads the current member if it is StreamName or StreamARN.</summary>
    public bool TryRead(ref KinesisDocumentReader reader)
    {
        if (reader.PropertyNameEquals("StreamName"u8))
        {
            Name = reader.ReadString();
            return true;
        }

        if (reader.PropertyNameEquals("StreamARN"u8))
        {
            Arn = reader.ReadString();
            return true;
        }

        return false;
    }

    /// <summary>Reads an input whose only members name the stream.</summary>
    public static StreamRef ReadOnly(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (!stream.TryRead(ref reader))
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return stream;
    }
}
