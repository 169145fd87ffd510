using System.Net.Http.Headers;
using System.Text;
using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Metrics;

/// <summary>On a Kafka backend (librdkafka's mock cluster), /metrics carries the producer's librdkafka statistics.</summary>
public sealed class KafkaClientMetricsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_KafkaBackendAfterAWrite_ReportsProducerStatistics()
    {
        await using var host = await GatewayHost.StartAsync(
            new GatewayHostOptions
            {
                Backend = StorageBackend.KafkaMock,
                Settings = new Dictionary<string, string?> { ["Metrics:KafkaStatisticsInterval"] = "00:00:00.200" },
            },
            Token);
        using var client = new HttpClient { BaseAddress = host.Address };
        await PostAsync(client, "CreateStream", """{"StreamName":"kafka-stats","ShardCount":1}""");
        await PostAsync(client, "PutRecord", """{"StreamName":"kafka-stats","PartitionKey":"k","Data":"aGVsbG8="}""");

        // Statistics arrive every 200 ms; wait until one counts the write (at most 30 s: fails, not hangs).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        string scrape;
        do
        {
            await Task.Delay(100, deadline.Token);
            scrape = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), deadline.Token);
        }
        while (!scrape.Split('\n').Any(line => line.StartsWith("kafka_client_tx_messages_total{", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal)));

        Assert.Contains("kafka_client_queue_messages{", scrape, StringComparison.Ordinal);
        Assert.Contains("kafka_client_tx_bytes_total{", scrape, StringComparison.Ordinal);
        Assert.Contains("kafka_client_broker_rtt_avg_seconds{", scrape, StringComparison.Ordinal);
    }

    private static async Task PostAsync(HttpClient client, string operation, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202." + operation);
        using var response = await client.SendAsync(request, Token);
        Assert.True(response.IsSuccessStatusCode, $"{operation}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
    }
}
