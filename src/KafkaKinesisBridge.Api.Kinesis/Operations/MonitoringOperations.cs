using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// EnableEnhancedMonitoring and DisableEnhancedMonitoring (API reference): input
/// <c>{"StreamName", "StreamARN", "ShardLevelMetrics": [...]}</c>, output <c>EnhancedMonitoringOutput</c>
/// <c>{"StreamName", "StreamARN", "CurrentShardLevelMetrics", "DesiredShardLevelMetrics"}</c>.
/// </summary>
internal static class MonitoringOperations
{
    public static async ValueTask EnableEnhancedMonitoringAsync(IStreamsService streams, KinesisCall call) =>
        Write(call, await streams.EnableEnhancedMonitoringAsync(Read(call), call.CancellationToken));

    public static async ValueTask DisableEnhancedMonitoringAsync(IStreamsService streams, KinesisCall call) =>
        Write(call, await streams.DisableEnhancedMonitoringAsync(Read(call), call.CancellationToken));

    private static EnhancedMonitoringRequest Read(KinesisCall call)
    {
        var reader = call.CreateReader();
        var stream = default(StreamRef);
        List<string>? metrics = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (stream.TryRead(ref reader))
            {
                continue;
            }

            if (reader.PropertyNameEquals("ShardLevelMetrics"u8))
            {
                metrics = WireMembers.ReadStringList(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new EnhancedMonitoringRequest { StreamName = stream.Name, StreamARN = stream.Arn, ShardLevelMetrics = metrics };
    }

    private static void Write(KinesisCall call, EnhancedMonitoringResponse response)
    {
        var w = call.Writer;
        w.WriteStartObject();
        w.WriteString("StreamName"u8, response.StreamName);
        w.WriteString("StreamARN"u8, response.StreamARN);
        WriteNames(w, "CurrentShardLevelMetrics"u8, response.CurrentShardLevelMetrics);
        WriteNames(w, "DesiredShardLevelMetrics"u8, response.DesiredShardLevelMetrics);
        w.WriteEndObject();
    }

    private static void WriteNames(Aws.Serialization.KinesisDocumentWriter w, ReadOnlySpan<byte> member, IReadOnlyList<string> names)
    {
        w.WritePropertyName(member);
        w.WriteStartArray();
        foreach (var name in names)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
    }
}
