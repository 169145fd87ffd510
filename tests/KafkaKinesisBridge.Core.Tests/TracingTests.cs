using System.Collections.Concurrent;
using System.Diagnostics;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Diagnostics;
using static KafkaKinesisBridge.Core.Tests.CoreHarness;

namespace KafkaKinesisBridge.Core.Tests;

public sealed class TracingTests
{
    [Fact]
    public async Task TracedService_WithListener_OneSpanPerCallWithKinesisErrorName()
    {
        var core = await StartAsync();
        await core.CreateStreamAsync("traced");
        var stream = "traced";
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KinesisTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("aws.kinesis.stream_name"), stream) || Equals(activity.GetTagItem("aws.kinesis.stream_name"), "absent"))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        IStreamsService traced = new TracedStreamsService(core.Service);

        await traced.PutRecordAsync(new PutRecordRequest { StreamName = stream, PartitionKey = "k", Data = new byte[3] }, Token);
        await Assert.ThrowsAsync<KinesisException>(async () =>
            await traced.DescribeStreamSummaryAsync(new DescribeStreamSummaryRequest { StreamName = "absent" }, Token));

        var put = Assert.Single(spans, s => s.DisplayName == "Kinesis.PutRecord");
        Assert.Equal("aws-api", put.GetTagItem("rpc.system"));
        Assert.Equal("PutRecord", put.GetTagItem("rpc.method"));
        Assert.Equal(ActivityStatusCode.Unset, put.Status);
        var failed = Assert.Single(spans, s => s.DisplayName == "Kinesis.DescribeStreamSummary");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal("ResourceNotFoundException", failed.GetTagItem("error.type"));
    }
}
