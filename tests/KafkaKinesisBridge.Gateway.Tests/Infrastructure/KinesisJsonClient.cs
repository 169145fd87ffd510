using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>One Kinesis API answer: the HTTP status, the JSON body, and how long the call took.</summary>
public sealed record KinesisJsonResponse(int StatusCode, JsonElement Body, TimeSpan Elapsed)
{
    /// <summary>The error name of a failed call (<c>__type</c>, without a namespace prefix), or null.</summary>
    public string? ErrorType =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("__type", out var type) && type.GetString() is { } name
            ? name[(name.LastIndexOf('#') + 1)..]
            : null;

    public bool IsSuccess => StatusCode == 200;

    /// <summary>
    /// An answer the AWS SDKs retry: any 5xx with a Kinesis error type, and throttling (HTTP 400
    /// ProvisionedThroughputExceededException, LimitExceededException).
    /// </summary>
    public bool IsRetriable =>
        ErrorType is { } type && (StatusCode >= 500 || (StatusCode == 400 && type is "ProvisionedThroughputExceededException" or "LimitExceededException"));
}

/// <summary>
/// The Kinesis API as the AWS SDKs speak it (AWS JSON 1.1 over HTTP/1.1: POST /, X-Amz-Target, a JSON
/// body), with a plain <see cref="HttpClient"/>: an independent client of the gateway's front door.
/// Failed calls are returned, not thrown, so tests can look at what a client would retry.
/// </summary>
public sealed class KinesisJsonClient : IDisposable
{
    private const string TargetPrefix = "Kinesis_20131202.";
    private static readonly MediaTypeHeaderValue ContentType = new("application/x-amz-json-1.1");
    private readonly HttpClient _http;
    private int _retriedReads;

    public KinesisJsonClient(Uri address, TimeSpan timeout)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
        {
            BaseAddress = address,
            Timeout = timeout,
        };
    }

    /// <summary>Calls <paramref name="operation"/> with <paramref name="request"/> as its JSON body.</summary>
    /// <exception cref="TaskCanceledException">The call took longer than the client's timeout.</exception>
    public async Task<KinesisJsonResponse> CallAsync(string operation, JsonObject request, CancellationToken cancellationToken = default)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(request.ToJsonString(), Encoding.UTF8),
        };
        message.Content.Headers.ContentType = ContentType;
        message.Headers.TryAddWithoutValidation("X-Amz-Target", TargetPrefix + operation);
        var watch = Stopwatch.StartNew();
        using var response = await _http.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        watch.Stop();
        var json = body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
        return new KinesisJsonResponse((int)response.StatusCode, json, watch.Elapsed);
    }

    /// <summary>Calls and requires success.</summary>
    public async Task<JsonElement> CallOkAsync(string operation, JsonObject request, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(operation, request, cancellationToken);
        Assert.True(response.IsSuccess, $"{operation}: HTTP {response.StatusCode} {response.Body}");
        return response.Body;
    }

    /// <summary>How many answers <see cref="ReadShardAsync"/> retried.</summary>
    public int RetriedReads => Volatile.Read(ref _retriedReads);

    /// <summary>Creates a stream and waits until it is ACTIVE.</summary>
    public async Task CreateActiveStreamAsync(string streamName, int shards, CancellationToken cancellationToken = default)
    {
        await CallOkAsync("CreateStream", new JsonObject { ["StreamName"] = streamName, ["ShardCount"] = shards }, cancellationToken);
        await KafkaKinesisBridge.TestSupport.Eventually.UntilAsync(
            async () =>
            {
                var summary = await CallOkAsync("DescribeStreamSummary", new JsonObject { ["StreamName"] = streamName }, cancellationToken);
                return summary.GetProperty("StreamDescriptionSummary").GetProperty("StreamStatus").GetString() == "ACTIVE";
            },
            TimeSpan.FromSeconds(20),
            $"stream {streamName} turns ACTIVE");
    }

    /// <summary>
    /// Reads a shard from TRIM_HORIZON to its end (an empty answer at MillisBehindLatest 0), returning
    /// (sequence number, data) in order. Retriable answers are retried within <paramref name="timeout"/>,
    /// as the AWS SDKs do: right after a fault (leader changes on the mock cluster) GetShardIterator
    /// may answer 503; an answer that stays retriable until the timeout fails the read with it.
    /// </summary>
    public async Task<List<(string SequenceNumber, byte[] Data)>> ReadShardAsync(string streamName, string shardId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var iterator = (await CallRetryingAsync(
            "GetShardIterator",
            new JsonObject { ["StreamName"] = streamName, ["ShardId"] = shardId, ["ShardIteratorType"] = "TRIM_HORIZON" },
            watch,
            timeout,
            cancellationToken)).GetProperty("ShardIterator").GetString();
        var records = new List<(string, byte[])>();
        while (true)
        {
            Assert.True(watch.Elapsed < timeout, $"reading {shardId} of {streamName} did not reach its end within {timeout} ({records.Count} records read)");
            var page = await CallRetryingAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator, ["Limit"] = 10_000 }, watch, timeout, cancellationToken);
            var batch = page.GetProperty("Records");
            foreach (var record in batch.EnumerateArray())
            {
                records.Add((record.GetProperty("SequenceNumber").GetString()!, record.GetProperty("Data").GetBytesFromBase64()));
            }

            iterator = page.GetProperty("NextShardIterator").GetString();
            if (batch.GetArrayLength() == 0 && page.GetProperty("MillisBehindLatest").GetInt64() == 0)
            {
                return records;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Calls until success, retrying retriable answers with backoff until <paramref name="timeout"/> (on <paramref name="watch"/>).</summary>
    private async Task<JsonElement> CallRetryingAsync(string operation, JsonObject request, Stopwatch watch, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var response = await CallAsync(operation, request, cancellationToken);
            if (response.IsSuccess)
            {
                return response.Body;
            }

            Assert.True(response.IsRetriable && watch.Elapsed < timeout, $"{operation}: HTTP {response.StatusCode} {response.Body} (after {watch.Elapsed})");
            Interlocked.Increment(ref _retriedReads);
            // A client's retry backoff (the AWS SDKs back off exponentially), not a wait for a condition.
            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
        }
    }
}
