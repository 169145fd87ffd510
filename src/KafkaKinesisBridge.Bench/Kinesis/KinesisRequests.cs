using System.Buffers;
using System.Text.Json;

namespace KafkaKinesisBridge.Bench.Kinesis;

/// <summary>
/// Request bodies of the AWS JSON 1.1 protocol (Kinesis API reference: blobs as base64 strings),
/// encoded once before measuring, and the setup calls (create, wait until ACTIVE, list shards,
/// iterators), which go through the same API so the tool also works against other Kinesis-compatible
/// servers.
/// </summary>
public static class KinesisRequests
{
    /// <summary>A PutRecords body: <c>{"StreamName":..,"Records":[{"Data":"base64","PartitionKey":..},..]}</c>.</summary>
    public static byte[] PutRecords(string streamName, IReadOnlyList<(string PartitionKey, byte[] Data)> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var buffer = new ArrayBufferWriter<byte>(records.Count * 200);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("StreamName"u8, streamName);
            writer.WriteStartArray("Records"u8);
            foreach (var (partitionKey, data) in records)
            {
                writer.WriteStartObject();
                writer.WriteBase64String("Data"u8, data);
                writer.WriteString("PartitionKey"u8, partitionKey);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A PutRecord body.</summary>
    public static byte[] PutRecord(string streamName, string partitionKey, byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("StreamName"u8, streamName);
            writer.WriteBase64String("Data"u8, data);
            writer.WriteString("PartitionKey"u8, partitionKey);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a GetRecords body into <paramref name="buffer"/> (reset first), reused per caller.</summary>
    public static ReadOnlyMemory<byte> GetRecords(ArrayBufferWriter<byte> buffer, string shardIterator, int limit)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ShardIterator"u8, shardIterator);
            writer.WriteNumber("Limit"u8, limit);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Creates the stream (an existing one is reused) and waits until it is ACTIVE.</summary>
    public static async Task EnsureStreamAsync(KinesisJsonClient client, string streamName, int shards, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            using var created = await client.CallForDocumentAsync("CreateStream", new { StreamName = streamName, ShardCount = shards }, cancellationToken);
        }
        catch (KinesisCallException e) when (e.ErrorType == "ResourceInUseException")
        {
            // Exists already: reuse it.
        }

        for (var attempt = 0; attempt < 600; attempt++)
        {
            using var summary = await client.CallForDocumentAsync("DescribeStreamSummary", new { StreamName = streamName }, cancellationToken);
            if (summary.RootElement.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE")
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Stream {streamName} did not become ACTIVE.");
    }

    /// <summary>The shard ids of a stream (ListShards, following NextToken).</summary>
    public static async Task<IReadOnlyList<string>> ListShardIdsAsync(KinesisJsonClient client, string streamName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var shards = new List<string>();
        object request = new { StreamName = streamName };
        while (true)
        {
            using var page = await client.CallForDocumentAsync("ListShards", request, cancellationToken);
            foreach (var shard in page.RootElement.GetProperty("Shards").EnumerateArray())
            {
                shards.Add(shard.GetProperty("ShardId").GetString()!);
            }

            if (!page.RootElement.TryGetProperty("NextToken", out var next) || next.ValueKind != JsonValueKind.String)
            {
                return shards;
            }

            request = new { NextToken = next.GetString() };
        }
    }

    /// <summary>A TRIM_HORIZON iterator of one shard.</summary>
    public static async Task<string> TrimHorizonIteratorAsync(KinesisJsonClient client, string streamName, string shardId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.CallForDocumentAsync(
            "GetShardIterator",
            new { StreamName = streamName, ShardId = shardId, ShardIteratorType = "TRIM_HORIZON" },
            cancellationToken);
        return response.RootElement.GetProperty("ShardIterator").GetString()!;
    }
}
