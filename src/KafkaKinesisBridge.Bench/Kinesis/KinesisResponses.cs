using System.Text.Json;

namespace KafkaKinesisBridge.Bench.Kinesis;

/// <summary>What a GetRecords answer held, as far as the benchmark needs it.</summary>
/// <param name="Records">Records returned.</param>
/// <param name="DataBytes">Decoded bytes of their Data blobs.</param>
/// <param name="NextShardIterator">The iterator to continue with; null at the end of a closed shard.</param>
/// <param name="MillisBehindLatest">How far behind the tip the reader is.</param>
public readonly record struct GetRecordsSummary(int Records, long DataBytes, string? NextShardIterator, long MillisBehindLatest);

/// <summary>
/// Reads the members the workloads need from AWS JSON 1.1 answers with <see cref="Utf8JsonReader"/>,
/// without building objects per record (the client must not be the bottleneck).
/// </summary>
public static class KinesisResponses
{
    /// <summary>The <c>FailedRecordCount</c> of a PutRecords answer (0 when absent).</summary>
    public static int FailedRecordCount(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                if (reader.ValueTextEquals("FailedRecordCount"u8))
                {
                    reader.Read();
                    return reader.GetInt32();
                }

                // Skip the Records array without walking its 500 entries token by token in this loop.
                reader.Read();
                reader.Skip();
            }
        }

        return 0;
    }

    /// <summary>Counts the records of a GetRecords answer and sums their data sizes.</summary>
    public static GetRecordsSummary GetRecords(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var records = 0;
        long bytes = 0;
        string? next = null;
        long behind = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 2)
            {
                records++;
            }
            else if (reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.CurrentDepth == 3 && reader.ValueTextEquals("Data"u8))
                {
                    reader.Read();
                    bytes += Base64DecodedLength(ref reader);
                }
                else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("NextShardIterator"u8))
                {
                    reader.Read();
                    next = reader.GetString();
                }
                else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("MillisBehindLatest"u8))
                {
                    reader.Read();
                    behind = reader.GetInt64();
                }
            }
        }

        return new GetRecordsSummary(records, bytes, next, behind);
    }

    /// <summary>Decoded length of a base64 string token, without decoding it.</summary>
    private static int Base64DecodedLength(ref Utf8JsonReader reader)
    {
        // A writer may escape '+' and '/' (\u002B): then count the unescaped text.
        var length = reader.ValueIsEscaped ? reader.GetString()!.Length : reader.ValueSpan.Length;
        if (length == 0)
        {
            return 0;
        }

        var span = reader.ValueSpan;
        var padding = span.Length > 0 && span[^1] == (byte)'=' ? (span.Length > 1 && span[^2] == (byte)'=' ? 2 : 1) : 0;
        return (length / 4 * 3) - padding;
    }
}
