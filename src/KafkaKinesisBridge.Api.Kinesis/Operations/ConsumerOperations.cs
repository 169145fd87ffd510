using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Serialization;
using KafkaKinesisBridge.Core.Api;

namespace KafkaKinesisBridge.Api.Kinesis.Operations;

/// <summary>
/// Enhanced fan-out consumers (API reference): RegisterStreamConsumer <c>{"StreamARN", "ConsumerName",
/// "Tags"}</c> → <c>{"Consumer": Consumer}</c>; DeregisterStreamConsumer and DescribeStreamConsumer
/// <c>{"StreamARN", "ConsumerName", "ConsumerARN"}</c> → nothing / <c>{"ConsumerDescription": ...}</c>;
/// ListStreamConsumers <c>{"StreamARN", "NextToken", "MaxResults", "StreamCreationTimestamp"}</c> →
/// <c>{"Consumers": [...], "NextToken"}</c>. SubscribeToShard is an event stream, served separately.
/// </summary>
internal static class ConsumerOperations
{
    public static async ValueTask RegisterStreamConsumerAsync(IStreamsService streams, KinesisCall call)
    {
        var request = ReadRegister(call);
        var response = await streams.RegisterStreamConsumerAsync(request, call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("Consumer"u8);
        WriteConsumer(w, response.Consumer);
        w.WriteEndObject();
    }

    public static ValueTask DeregisterStreamConsumerAsync(IStreamsService streams, KinesisCall call) =>
        streams.DeregisterStreamConsumerAsync(ReadConsumerRef(call), call.CancellationToken);

    public static async ValueTask DescribeStreamConsumerAsync(IStreamsService streams, KinesisCall call)
    {
        var response = await streams.DescribeStreamConsumerAsync(ReadConsumerRef(call), call.CancellationToken);
        var d = response.ConsumerDescription;
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("ConsumerDescription"u8);
        w.WriteStartObject();
        w.WriteString("ConsumerName"u8, d.ConsumerName);
        w.WriteString("ConsumerARN"u8, d.ConsumerARN);
        w.WriteString("ConsumerStatus"u8, d.ConsumerStatus.ToWireName());
        WireMembers.WriteTimestamp(w, "ConsumerCreationTimestamp"u8, d.ConsumerCreationTimestamp);
        w.WriteString("StreamARN"u8, d.StreamARN);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static async ValueTask ListStreamConsumersAsync(IStreamsService streams, KinesisCall call)
    {
        var request = ReadList(call);
        var response = await streams.ListStreamConsumersAsync(request, call.CancellationToken);
        var w = call.Writer;
        w.WriteStartObject();
        w.WritePropertyName("Consumers"u8);
        w.WriteStartArray();
        foreach (var consumer in response.Consumers)
        {
            WriteConsumer(w, consumer);
        }

        w.WriteEndArray();
        if (response.NextToken is { } next)
        {
            w.WriteString("NextToken"u8, next);
        }

        w.WriteEndObject();
    }

    private static void WriteConsumer(KinesisDocumentWriter w, Consumer consumer)
    {
        w.WriteStartObject();
        w.WriteString("ConsumerName"u8, consumer.ConsumerName);
        w.WriteString("ConsumerARN"u8, consumer.ConsumerARN);
        w.WriteString("ConsumerStatus"u8, consumer.ConsumerStatus.ToWireName());
        WireMembers.WriteTimestamp(w, "ConsumerCreationTimestamp"u8, consumer.ConsumerCreationTimestamp);
        w.WriteEndObject();
    }

    private static RegisterStreamConsumerRequest ReadRegister(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? streamArn = null;
        string? consumerName = null;
        Dictionary<string, string>? tags = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamARN"u8))
            {
                streamArn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ConsumerName"u8))
            {
                consumerName = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("Tags"u8))
            {
                tags = WireMembers.ReadTagMap(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new RegisterStreamConsumerRequest { StreamARN = streamArn, ConsumerName = consumerName, Tags = tags };
    }

    private static StreamConsumerRequest ReadConsumerRef(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? streamArn = null;
        string? consumerName = null;
        string? consumerArn = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamARN"u8))
            {
                streamArn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ConsumerName"u8))
            {
                consumerName = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("ConsumerARN"u8))
            {
                consumerArn = reader.ReadString();
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new StreamConsumerRequest { StreamARN = streamArn, ConsumerName = consumerName, ConsumerARN = consumerArn };
    }

    private static ListStreamConsumersRequest ReadList(KinesisCall call)
    {
        var reader = call.CreateReader();
        string? streamArn = null;
        string? nextToken = null;
        int? maxResults = null;
        DateTimeOffset? created = null;
        reader.ReadStartObject();
        while (reader.ReadProperty())
        {
            if (reader.PropertyNameEquals("StreamARN"u8))
            {
                streamArn = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("NextToken"u8))
            {
                nextToken = reader.ReadString();
            }
            else if (reader.PropertyNameEquals("MaxResults"u8))
            {
                maxResults = reader.ReadInt32();
            }
            else if (reader.PropertyNameEquals("StreamCreationTimestamp"u8))
            {
                created = WireMembers.ReadTimestamp(ref reader);
            }
            else
            {
                reader.SkipValue();
            }
        }

        reader.ReadEndOfDocument();
        return new ListStreamConsumersRequest { StreamARN = streamArn, NextToken = nextToken, MaxResults = maxResults, StreamCreationTimestamp = created };
    }
}
