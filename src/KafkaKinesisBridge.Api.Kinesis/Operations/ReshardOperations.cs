using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// SplitShard, MergeShards and UpdateShardCount (API reference). SplitShard input
/// <c>{"StreamName", "StreamARN", "ShardToSplit", "NewStartingHashKey"}</c> and MergeShards input
/// <c>{"StreamName", "StreamARN", "ShardToMerge", "AdjacentShardToMerge"}</c> have no output;
/// UpdateShardCount input <c>{"StreamName", "StreamARN", "TargetShardCount", "ScalingType"}</c> answers
/// <c>{"StreamName", "StreamARN", "CurrentShardCount", "TargetShardCount"}</c>.
/// </summary>
internal static class ReshardOperations
{
    public static ValueTask SplitShardAsync(IStreamsService streams, KinesisCall call) =>
        streams.SplitShardAsync(ReadSplitShard(call), call.CancellationToken);

    public static ValueTask MergeShardsAsync(IStreamsService streams, KinesisCall call) =>
        streams.MergeShardsAsync(ReadMergeShards(call), call.CancellationToken);

    public static async ValueTask UpdateShardCountAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.UpdateShardCountAsync(ReadUpdateShardCount(call), call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteString("StreamName"u8, response.StreamName);
        w.WriteString("StreamARN"u8, response.StreamARN);
        w.WriteNumber("CurrentShardCount"u8, response.CurrentShardCount);
        w.WriteNumber("TargetShardCount"u8, response.TargetShardCount);
        w.WriteEndObject();
    }

    private static SplitShardRequest ReadSplitShard(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        string? shard = null;
        string? hashKey = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("ShardToSplit"u8))
            {
                shard = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("NewStartingHashKey"u8))
            {
                hashKey = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new SplitShardRequest { StreamName = stream.Name, StreamARN = stream.Arn, ShardToSplit = shard, NewStartingHashKey = hashKey };
    }

    private static MergeShardsRequest ReadMergeShards(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        string? shard = null;
        string? adjacent = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("ShardToMerge"u8))
            {
                shard = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("AdjacentShardToMerge"u8))
            {
                adjacent = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new MergeShardsRequest { StreamName = stream.Name, StreamARN = stream.Arn, ShardToMerge = shard, AdjacentShardToMerge = adjacent };
    }

    private static UpdateShardCountRequest ReadUpdateShardCount(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        int? target = null;
        string? scaling = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("TargetShardCount"u8))
            {
                target = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("ScalingType"u8))
            {
                scaling = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new UpdateShardCountRequest { StreamName = stream.Name, StreamARN = stream.Arn, TargetShardCount = target, ScalingType = scaling };
    }
}
