using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Faults;

/// <summary>A record the gateway acknowledged in a PutRecords answer.</summary>
public sealed record AcknowledgedPut(string Data, string ShardId, string SequenceNumber);

/// <summary>One PutRecords call: when it started and ended (on the load's clock) and its record outcomes.</summary>
public sealed record PutCall(TimeSpan Started, TimeSpan Ended, int Succeeded, int Failed, string? Error);

/// <summary>
/// Concurrent writers, each sending PutRecords calls one after the other through the Kinesis JSON API,
/// as an SDK client would: every record carries a unique payload (<c>w{writer}-c{call}-r{index}</c>),
/// every acknowledged record is logged with where the gateway says it is, and every failure is
/// classified. Failed records are not resent (a real client would resend them; here that would blur
/// "exactly once" for the records that were acknowledged).
/// </summary>
public sealed class PutRecordsLoad
{
    /// <summary>Per-record error codes Kinesis documents for PutRecords (API reference, PutRecordsResultEntry).</summary>
    private static readonly HashSet<string> RetriableRecordErrors = ["InternalFailure", "ProvisionedThroughputExceededException"];

    /// <summary>Whole-call errors the AWS SDKs retry: throttling (HTTP 400) and any 5xx with a Kinesis error type.</summary>
    private static readonly HashSet<string> RetriableThrottling = ["ProvisionedThroughputExceededException", "LimitExceededException"];

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<AcknowledgedPut> _acknowledged = new();
    private readonly ConcurrentQueue<PutCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _errors = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _unexpected = new();

    public PutRecordsLoad(int writers, int recordsPerCall)
    {
        Writers = writers;
        RecordsPerCall = recordsPerCall;
    }

    public int Writers { get; }

    public int RecordsPerCall { get; }

    /// <summary>Time since the load was created.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<AcknowledgedPut> Acknowledged => _acknowledged;

    public IReadOnlyCollection<PutCall> Calls => _calls;

    /// <summary>Errors seen, by kind ("record InternalFailure", "HTTP 503 ServiceUnavailable", ...), with counts.</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    /// <summary>Answers a Kinesis client would not retry, or that broke the protocol; must stay empty.</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    public int AcknowledgedCount => _acknowledged.Count;

    public int FailedRecordCount => _calls.Sum(c => c.Failed);

    /// <summary>Acknowledged records of calls that started at or after <paramref name="since"/>.</summary>
    public int AcknowledgedSince(TimeSpan since) => _calls.Where(c => c.Started >= since).Sum(c => c.Succeeded);

    /// <summary>Failed records of calls that started at or after <paramref name="since"/>.</summary>
    public int FailedSince(TimeSpan since) => _calls.Where(c => c.Started >= since).Sum(c => c.Failed);

    /// <summary>The longest call.</summary>
    public TimeSpan LongestCall => _calls.IsEmpty ? TimeSpan.Zero : _calls.Max(c => c.Ended - c.Started);

    /// <summary>When the first call that started at or after <paramref name="since"/> ended with every record stored; null if none did.</summary>
    public TimeSpan? FirstFullSuccessAfter(TimeSpan since) =>
        _calls.Where(c => c.Started >= since && c.Failed == 0 && c.Error is null).Select(c => (TimeSpan?)c.Ended).Min();

    /// <summary>Runs the writers until <paramref name="stop"/> fires; each call is bounded by the client's timeout.</summary>
    public Task RunAsync(KinesisJsonClient client, string streamName, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(client, streamName, w, stop), CancellationToken.None)));

    /// <summary>A one-line summary for the test output.</summary>
    public string Describe() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{_calls.Count} calls, {AcknowledgedCount} records acknowledged, {FailedRecordCount} failed, longest call {LongestCall.TotalMilliseconds:F0} ms; errors: {(_errors.IsEmpty ? "none" : string.Join(", ", _errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} x{e.Value}")))}");

    /// <summary>Parses a payload back into (writer, call, index).</summary>
    public static (int Writer, int Call, int Index) Parse(string data)
    {
        var parts = data.Split('-');
        return (int.Parse(parts[0].AsSpan(1), CultureInfo.InvariantCulture), int.Parse(parts[1].AsSpan(1), CultureInfo.InvariantCulture), int.Parse(parts[2].AsSpan(1), CultureInfo.InvariantCulture));
    }

    private async Task WriteAsync(KinesisJsonClient client, string streamName, int writer, CancellationToken stop)
    {
        for (var call = 0; !stop.IsCancellationRequested; call++)
        {
            var payloads = new string[RecordsPerCall];
            var records = new JsonArray();
            for (var j = 0; j < RecordsPerCall; j++)
            {
                payloads[j] = string.Create(CultureInfo.InvariantCulture, $"w{writer}-c{call}-r{j}");
                records.Add(new JsonObject
                {
                    ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payloads[j])),
                    // Keys spread over the shards; each writer's records of one shard keep their order.
                    ["PartitionKey"] = string.Create(CultureInfo.InvariantCulture, $"key-{writer}-{j}"),
                });
            }

            var started = Now;
            KinesisJsonResponse response;
            try
            {
                // Not cancelled by stop: a call in flight finishes, so its outcome is known.
                response = await client.CallAsync("PutRecords", new JsonObject { ["StreamName"] = streamName, ["Records"] = records });
            }
            catch (TaskCanceledException)
            {
                // The client's timeout: the gateway hung beyond the bound.
                Count("client timeout");
                _unexpected.Enqueue($"PutRecords did not answer within the client's timeout (started at {started})");
                _calls.Enqueue(new PutCall(started, Now, 0, RecordsPerCall, "timeout"));
                continue;
            }
            catch (HttpRequestException ex)
            {
                Count("connection error");
                _unexpected.Enqueue($"PutRecords failed at the transport: {ex.Message}");
                _calls.Enqueue(new PutCall(started, Now, 0, RecordsPerCall, "transport"));
                continue;
            }

            _calls.Enqueue(Record(response, payloads, started));
        }
    }

    private PutCall Record(KinesisJsonResponse response, string[] payloads, TimeSpan started)
    {
        if (!response.IsSuccess)
        {
            var type = response.ErrorType;
            var kind = string.Create(CultureInfo.InvariantCulture, $"HTTP {response.StatusCode} {type}");
            Count(kind);
            var retriable = type is not null && (response.StatusCode >= 500 || (response.StatusCode == 400 && RetriableThrottling.Contains(type)));
            if (!retriable)
            {
                _unexpected.Enqueue($"PutRecords answered {kind}, which Kinesis clients do not retry: {response.Body}");
            }

            return new PutCall(started, Now, 0, payloads.Length, kind);
        }

        var results = response.Body.GetProperty("Records");
        var failed = 0;
        var index = 0;
        foreach (var result in results.EnumerateArray())
        {
            if (result.TryGetProperty("ErrorCode", out var code) && code.GetString() is { Length: > 0 } error)
            {
                failed++;
                Count("record " + error);
                if (!RetriableRecordErrors.Contains(error))
                {
                    _unexpected.Enqueue($"record error {error}: {result}");
                }
            }
            else
            {
                _acknowledged.Enqueue(new AcknowledgedPut(payloads[index], result.GetProperty("ShardId").GetString()!, result.GetProperty("SequenceNumber").GetString()!));
            }

            index++;
        }

        if (index != payloads.Length || response.Body.GetProperty("FailedRecordCount").GetInt32() != failed)
        {
            _unexpected.Enqueue($"PutRecords answer does not match its request: {response.Body}");
        }

        return new PutCall(started, Now, payloads.Length - failed, failed, null);
    }

    private void Count(string kind) => _errors.AddOrUpdate(kind, 1, static (_, n) => n + 1);
}
