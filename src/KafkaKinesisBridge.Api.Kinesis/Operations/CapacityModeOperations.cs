using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>On-demand capacity mode over the Kinesis wire protocol: UpdateStreamMode.</summary>
internal static class CapacityModeOperations
{
    /// <summary>
    /// UpdateStreamMode (Kinesis_20131202.UpdateStreamMode): members StreamARN and StreamModeDetails,
    /// both required; the stream is named by ARN only, as in the Kinesis input. The response is empty.
    /// </summary>
    public static ValueTask UpdateStreamModeAsync(IStreamsService streams, KinesisCall call) =>
        streams.UpdateStreamModeAsync(ReadUpdateStreamMode(call), call.CancellationToken);

    private static UpdateStreamModeRequest ReadUpdateStreamMode(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? arn = null;
        StreamModeDetails? mode = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamARN"u8))
            {
                arn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("StreamModeDetails"u8))
            {
                mode = WireMembers.ReadStreamModeDetails(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        if (arn is null)
        {
            // Required by the service model: the ValidationException Kinesis gives for a missing member.
            throw KinesisException.ValidationFailed("null", "streamARN", "Member must not be null");
        }

        return new UpdateStreamModeRequest { StreamARN = arn, StreamModeDetails = mode };
    }
}
