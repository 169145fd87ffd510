using System.Net;
using System.Net.Http.Headers;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Dispatch;

/// <summary>The dispatcher holds a request's body share until its answer is written, and a request waits for its share.</summary>
public sealed class BodyBudgetBackpressureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispatcher_BudgetSpentByARequestInProgress_NextRequestWaitsThenCompletes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        await using var host = await KestrelTestHost.StartAsync(
            app => app.MapKinesisApi(),
            services =>
            {
                services.AddKinesisApi(o =>
                {
                    o.MaxRequestBodyBytes = 1024;
                    o.MaxBodyBytesInFlight = 1024;
                });
                services.AddKinesisOperation(KinesisOperation.ListStreams, async call =>
                {
                    Interlocked.Increment(ref entered);
                    await gate.Task;
                    return KinesisResult.Success;
                });
            });
        var budget = host.Services.GetRequiredService<AwsJsonDispatcher>().Budget;
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        // 600 bytes each: two do not fit in 1024 at once.
        var first = SendAsync(client);
        await Eventually.UntilAsync(() => Volatile.Read(ref entered) == 1, because: "the first request reaches its handler");
        var second = SendAsync(client);
        await Eventually.UntilAsync(() => budget.Waiting == 1, because: "the second request waits for its share");
        Assert.Equal(1, Volatile.Read(ref entered));

        gate.SetResult();
        Assert.Equal(HttpStatusCode.OK, await first);
        Assert.Equal(HttpStatusCode.OK, await second);
        Assert.Equal(2, Volatile.Read(ref entered));
        await Eventually.UntilAsync(() => budget.Available == budget.Capacity, because: "every share is returned");
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("{\"Pad\":\"" + new string('a', 600 - 10) + "\"}"),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(KinesisContentTypes.Json);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.ListStreams");
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
