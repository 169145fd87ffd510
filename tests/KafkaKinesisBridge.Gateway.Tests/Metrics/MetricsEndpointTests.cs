using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Metrics;

/// <summary>
/// GET /metrics after real traffic through the Kinesis JSON API over HTTP: the Kinesis counters
/// equal what was sent, and shard-level series follow EnableEnhancedMonitoring / DisableEnhancedMonitoring.
/// </summary>
public sealed partial class MetricsEndpointTests(EmbeddedGatewayFixture fixture) : IClassFixture<EmbeddedGatewayFixture>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterPutRecordsAndPutRecord_CountersEqualWhatWasSent()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        var stream = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await CallAsync(client, "CreateStream", new JsonObject { ["StreamName"] = stream, ["ShardCount"] = 2 });
        long sentBytes = 0;
        var sentRecords = 0;
        for (var call = 0; call < 3; call++)
        {
            var (records, bytes) = Batch(count: 40 + call, dataBytes: 10 + call, keyPrefix: "key-é-" + call);
            var response = await CallAsync(client, "PutRecords", new JsonObject { ["StreamName"] = stream, ["Records"] = records });
            Assert.Equal(0, response["FailedRecordCount"]!.GetValue<int>());
            sentBytes += bytes;
            sentRecords += 40 + call;
        }

        await CallAsync(client, "PutRecord", new JsonObject { ["StreamName"] = stream, ["PartitionKey"] = "single", ["Data"] = Convert.ToBase64String(new byte[7]) });

        var scrape = await ScrapeAsync(client);

        Assert.Equal(sentRecords + 1, Value(scrape, "kinesis_incoming_records_total", stream));
        Assert.Equal(sentBytes + 7 + 6, Value(scrape, "kinesis_incoming_bytes_total", stream));
        Assert.Equal(sentRecords, Value(scrape, "kinesis_put_records_total_records_total", stream));
        Assert.Equal(sentRecords, Value(scrape, "kinesis_put_records_successful_records_total", stream));
        Assert.Equal(0, Value(scrape, "kinesis_put_records_failed_records_total", stream));
        Assert.Equal(sentBytes, Value(scrape, "kinesis_put_records_bytes_total", stream));
        Assert.Equal(3, Value(scrape, "kinesis_put_records_success_total", stream));
        Assert.Equal(3, Value(scrape, "kinesis_put_records_latency_milliseconds_count", stream));
        Assert.Equal(1, Value(scrape, "kinesis_put_record_success_total", stream));
        Assert.Equal(13, Value(scrape, "kinesis_put_record_bytes_total", stream));
        Assert.Contains("dotnet_process_cpu_time_seconds_total", scrape, StringComparison.Ordinal);
        Assert.Empty(Series(scrape, "kinesis_shard_incoming_records_total", stream));
    }

    [Fact]
    public async Task Metrics_EnhancedMonitoringEnabledThenDisabled_ShardSeriesFollow()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };
        var stream = "shards-" + Guid.NewGuid().ToString("N")[..8];
        await CallAsync(client, "CreateStream", new JsonObject { ["StreamName"] = stream, ["ShardCount"] = 2 });
        await CallAsync(client, "PutRecords", new JsonObject { ["StreamName"] = stream, ["Records"] = Batch(20, 5, "before").Records });
        Assert.Empty(Series(await ScrapeAsync(client), "kinesis_shard_incoming_records_total", stream));

        var enabled = await CallAsync(client, "EnableEnhancedMonitoring", new JsonObject { ["StreamName"] = stream, ["ShardLevelMetrics"] = new JsonArray("IncomingRecords", "OutgoingRecords") });
        Assert.Equal("[]", enabled["CurrentShardLevelMetrics"]!.ToJsonString());
        Assert.Equal("""["IncomingRecords","OutgoingRecords"]""", enabled["DesiredShardLevelMetrics"]!.ToJsonString());
        var summary = await CallAsync(client, "DescribeStreamSummary", new JsonObject { ["StreamName"] = stream });
        Assert.Equal("""[{"ShardLevelMetrics":["IncomingRecords","OutgoingRecords"]}]""", summary["StreamDescriptionSummary"]!["EnhancedMonitoring"]!.ToJsonString());

        var (records, _) = Batch(30, 5, "during");
        await CallAsync(client, "PutRecords", new JsonObject { ["StreamName"] = stream, ["Records"] = records });
        var during = await ScrapeAsync(client);
        var perShard = Series(during, "kinesis_shard_incoming_records_total", stream);
        Assert.Equal(2, perShard.Count);
        Assert.Equal(30, perShard.Sum(s => s.Value));
        Assert.Empty(Series(during, "kinesis_shard_incoming_bytes_total", stream));

        var disabled = await CallAsync(client, "DisableEnhancedMonitoring", new JsonObject { ["StreamName"] = stream, ["ShardLevelMetrics"] = new JsonArray("ALL") });
        Assert.Equal("[]", disabled["DesiredShardLevelMetrics"]!.ToJsonString());
        await CallAsync(client, "PutRecords", new JsonObject { ["StreamName"] = stream, ["Records"] = Batch(25, 5, "after").Records });
        var after = await ScrapeAsync(client);

        Assert.Equal(30, Series(after, "kinesis_shard_incoming_records_total", stream).Sum(s => s.Value));
        Assert.Equal(75, Value(after, "kinesis_incoming_records_total", stream));
    }

    [Fact]
    public async Task Metrics_Disabled_EndpointIsNotServed()
    {
        await using var host = await GatewayHost.StartAsync(
            new GatewayHostOptions { Settings = new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" } },
            Token);
        using var client = new HttpClient { BaseAddress = host.Address };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), Token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task EnableEnhancedMonitoring_InvalidMetricName_IsValidationException()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.Address };

        var (status, body) = await SendAsync(client, "EnableEnhancedMonitoring", new JsonObject { ["StreamName"] = "whatever", ["ShardLevelMetrics"] = new JsonArray("Nope") });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("ValidationException", body["__type"]!.GetValue<string>());
    }

    private static (JsonArray Records, long Bytes) Batch(int count, int dataBytes, string keyPrefix)
    {
        var records = new JsonArray();
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var key = keyPrefix + "-" + i.ToString(CultureInfo.InvariantCulture);
            records.Add(new JsonObject { ["PartitionKey"] = key, ["Data"] = Convert.ToBase64String(new byte[dataBytes]) });

            // Kinesis counts data and the partition key's UTF-8 bytes.
            bytes += dataBytes + Encoding.UTF8.GetByteCount(key);
        }

        return (records, bytes);
    }

    private static async Task<JsonNode> CallAsync(HttpClient client, string operation, JsonObject body)
    {
        var (status, response) = await SendAsync(client, operation, body);
        Assert.True(status == HttpStatusCode.OK, $"{operation}: HTTP {(int)status} {response.ToJsonString()}");
        return response;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpClient client, string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202." + operation);
        using var response = await client.SendAsync(request, Token);
        var text = await response.Content.ReadAsStringAsync(Token);
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync(Token);
    }

    /// <summary>The one series of <paramref name="metric"/> for the stream.</summary>
    private static double Value(string scrape, string metric, string stream) =>
        Assert.Single(Series(scrape, metric, stream)).Value;

    /// <summary>Every series of <paramref name="metric"/> whose <c>stream</c> label is the stream.</summary>
    private static List<(string Labels, double Value)> Series(string scrape, string metric, string stream)
    {
        var series = new List<(string, double)>();
        foreach (var line in scrape.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (match.Success && match.Groups["name"].Value == metric && match.Groups["labels"].Value.Contains($"stream=\"{stream}\"", StringComparison.Ordinal))
            {
                series.Add((match.Groups["labels"].Value, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return series;
    }

    // A Prometheus text-format sample: name{labels} value [timestamp].
    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>\S+)")]
    private static partial Regex SampleLine();
}
