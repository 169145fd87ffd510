using System.Net;
using System.Text;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;

namespace KafkaKinesisBridge.Gateway.Tests.Hosting;

/// <summary><c>--sink-only</c>: the process delivers delivery streams and serves no API.</summary>
public sealed class SinkOnlyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SinkOnly_KinesisAndFirehoseCalls_NotServedWhileHealthAnswers()
    {
        await using var host = await GatewayHost.StartAsync(
            new GatewayHostOptions { Settings = new Dictionary<string, string?> { ["Firehose:Sink:SinkOnly"] = "true" } },
            Ct);
        using var client = new HttpClient { BaseAddress = host.Address };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", Ct)).StatusCode);
        foreach (var target in new[] { "Kinesis_20131202.ListStreams", "Firehose_20150804.ListDeliveryStreams" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
            request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
            request.Headers.Add("X-Amz-Target", target);
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task Default_KinesisCall_Served()
    {
        await using var host = await GatewayHost.StartAsync(new GatewayHostOptions(), Ct);
        using var client = new HttpClient { BaseAddress = host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.1");
        request.Headers.Add("X-Amz-Target", "Kinesis_20131202.ListStreams");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
