using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Kinesis.EventStream;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Operations;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.EventStream;

/// <summary>
/// SubscribeToShard on the Kinesis front door over real HTTP/2 (h2c prior knowledge) and HTTP/1.1,
/// with the real core on an in-memory log and a manual clock: the event stream's framing and
/// headers, the initial-response, pushed records, CBOR payloads, errors before the start as HTTP
/// errors, a takeover as an exception event, the lifetime's end, and a client that goes away.
/// </summary>
public sealed class SubscribeToShardOperationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("2.0")]
    [InlineData("1.1")]
    public async Task SubscribeToShard_Latest_InitialResponseThenPushedRecords(string version)
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");

        await using var subscription = await EventStreamSubscription.OpenAsync(host, Version.Parse(version), KinesisWireFormat.Json, SubscribeJson(consumer, "LATEST"));

        Assert.Equal(HttpStatusCode.OK, subscription.Response.StatusCode);
        Assert.Equal(EventStreamResponseWriter.ContentType, subscription.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(subscription.Response.Headers.Contains("x-amzn-RequestId"));
        if (version == "1.1")
        {
            // No length known in advance: chunked, one chunk per event.
            Assert.True(subscription.Response.Headers.TransferEncodingChunked);
        }

        var initial = await subscription.NextAsync();
        AssertHeader(initial, ":message-type", "event");
        AssertHeader(initial, ":event-type", "initial-response");
        AssertHeader(initial, ":content-type", KinesisContentTypes.Json);
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(initial!.Payload.Span));

        // The first event comes at once, even without records: it carries where to resume.
        var first = Decode(await subscription.NextAsync(), KinesisWireFormat.Json);
        Assert.Empty(first["Records"]!.AsArray());
        Assert.False(string.IsNullOrEmpty((string?)first["ContinuationSequenceNumber"]));

        var put = await host.OkAsync(KinesisWireFormat.Json, "PutRecord", """{"StreamName":"s1","Data":"aGVsbG8=","PartitionKey":"k1"}""");
        var withRecord = await subscription.NextRecordsEventAsync(KinesisWireFormat.Json);
        var record = withRecord["Records"]![0]!;
        Assert.Equal((string?)put!["SequenceNumber"], (string?)record["SequenceNumber"]);
        Assert.Equal("aGVsbG8=", (string?)record["Data"]);
        Assert.Equal("k1", (string?)record["PartitionKey"]);
        Assert.Equal(KinesisCoreHost.StartMs + 10_000, (long)record["ApproximateArrivalTimestamp"]!);
        Assert.Equal(0L, (long)withRecord["MillisBehindLatest"]!);
    }

    [Fact]
    public async Task SubscribeToShard_CborRequest_EventPayloadsInCbor()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");
        await host.OkAsync(KinesisWireFormat.Json, "PutRecord", """{"StreamName":"s1","Data":"AQID","PartitionKey":"k"}""");

        await using var subscription = await EventStreamSubscription.OpenAsync(host, HttpVersion.Version20, KinesisWireFormat.Cbor, SubscribeJson(consumer, "TRIM_HORIZON"));

        var initial = await subscription.NextAsync();
        AssertHeader(initial, ":content-type", KinesisContentTypes.Cbor);
        var withRecord = await subscription.NextRecordsEventAsync(KinesisWireFormat.Cbor);
        Assert.Equal("AQID", (string?)withRecord["Records"]![0]!["Data"]);
        Assert.Equal(KinesisCoreHost.StartMs + 10_000, (long)withRecord["Records"]![0]!["ApproximateArrivalTimestamp"]!);
    }

    [Fact]
    public async Task SubscribeToShard_UnknownConsumer_Http400ErrorBeforeTheStream()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");
        var unknown = consumer.Replace("/consumer/c1:", "/consumer/nobody:", StringComparison.Ordinal);

        var message = await host.ErrorAsync(KinesisWireFormat.Json, "SubscribeToShard", SubscribeJson(unknown, "LATEST"), "ResourceNotFoundException");

        Assert.False(string.IsNullOrEmpty(message));
    }

    [Fact]
    public async Task SubscribeToShard_MalformedBody_SerializationException()
    {
        await using var host = await KinesisCoreHost.StartAsync();

        await host.ErrorAsync(KinesisWireFormat.Json, "SubscribeToShard", """{"ConsumerARN":5}""", "SerializationException");
    }

    [Fact]
    public async Task SubscribeToShard_TakenOverAfterFiveSeconds_FirstEndsWithResourceInUseExceptionEvent()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");
        await using var first = await EventStreamSubscription.OpenAsync(host, HttpVersion.Version20, KinesisWireFormat.Json, SubscribeJson(consumer, "LATEST"));
        await first.NextAsync();
        await first.NextAsync();

        host.Time.Advance(TimeSpan.FromSeconds(6));
        await using var second = await EventStreamSubscription.OpenAsync(host, HttpVersion.Version20, KinesisWireFormat.Json, SubscribeJson(consumer, "LATEST"));
        Assert.Equal(HttpStatusCode.OK, second.Response.StatusCode);

        var exception = await first.NextNonEmptyOrEndAsync();
        AssertHeader(exception, ":message-type", "exception");
        AssertHeader(exception, ":exception-type", "ResourceInUseException");
        Assert.False(string.IsNullOrEmpty((string?)Decode(exception, KinesisWireFormat.Json)["message"]));
        Assert.Null(await first.NextAsync());
    }

    [Fact]
    public async Task SubscribeToShard_LifetimeOver_StreamEndsCleanly()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");
        await using var subscription = await EventStreamSubscription.OpenAsync(host, HttpVersion.Version20, KinesisWireFormat.Json, SubscribeJson(consumer, "LATEST"));
        await subscription.NextAsync();

        // Heartbeats may come; then the body ends without an exception event. The clock moves in
        // steps while the reader waits, so the engine's timers (created as it goes) all fire.
        var reading = ReadToEndAsync(subscription);
        var advanced = TimeSpan.Zero;
        while (!reading.IsCompleted)
        {
            Assert.True(advanced < TimeSpan.FromMinutes(10), "the stream did not end after its lifetime");
            host.Time.Advance(TimeSpan.FromSeconds(5));
            advanced += TimeSpan.FromSeconds(5);
            await Task.WhenAny(reading, Task.Delay(20, Ct));
        }

        Assert.True(await reading > 0);
        Assert.True(advanced >= TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(10), $"ended after {advanced}");

        static async Task<int> ReadToEndAsync(EventStreamSubscription subscription)
        {
            var events = 0;
            while (await subscription.NextAsync() is { } message)
            {
                AssertHeader(message, ":message-type", "event");
                events++;
            }

            return events;
        }
    }

    [Fact]
    public async Task SubscribeToShard_ClientGoesAway_SubscriptionReleased()
    {
        await using var host = await KinesisCoreHost.StartAsync();
        var consumer = await CreateStreamWithConsumerAsync(host, "s1");
        var subscription = await EventStreamSubscription.OpenAsync(host, HttpVersion.Version20, KinesisWireFormat.Json, SubscribeJson(consumer, "LATEST"));
        await subscription.NextAsync();

        await subscription.DisposeAsync();

        // Without advancing the clock (a live one would be refused within 5 seconds), a new
        // subscription is accepted once the old one is gone.
        await Eventually.UntilAsync(
            async () => await EventStreamSubscription.StatusOfAsync(host, SubscribeJson(consumer, "LATEST")) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10),
            "the subscription of a client that went away was not released");
    }

    internal static async Task<string> CreateStreamWithConsumerAsync(KinesisCoreHost host, string stream)
    {
        await host.CreateStreamAsync(KinesisWireFormat.Json, stream);
        var streams = host.Services.GetRequiredService<IStreamsService>();
        var registered = await streams.RegisterStreamConsumerAsync(new RegisterStreamConsumerRequest { StreamARN = KinesisCoreHost.Arn(stream), ConsumerName = "c1" }, Ct);

        // CREATING becomes ACTIVE after the activation delay, on the manual clock.
        host.Time.Advance(TimeSpan.FromSeconds(10));
        return registered.Consumer.ConsumerARN;
    }

    internal static string SubscribeJson(string consumerArn, string type, string extra = "") =>
        $$$"""{"ConsumerARN":"{{{consumerArn}}}","ShardId":"shardId-000000000000","StartingPosition":{"Type":"{{{type}}}"{{{extra}}}}}""";

    private static void AssertHeader(EventStreamMessage? message, string name, string expected)
    {
        Assert.NotNull(message);
        Assert.True(message.TryGetHeader(name, out var value), $"no header {name}");
        Assert.Equal(expected, value.AsString());
    }

    internal static JsonObject Decode(EventStreamMessage? message, KinesisWireFormat format)
    {
        Assert.NotNull(message);
        return WireDocuments.Decode(format, message.Payload.ToArray());
    }
}

/// <summary>A SubscribeToShard call read message by message as the bytes arrive.</summary>
internal sealed class EventStreamSubscription : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly Stream _body;
    private byte[] _buffer = new byte[64 * 1024];
    private int _count;

    private EventStreamSubscription(HttpClient client, HttpResponseMessage response, Stream body)
    {
        _client = client;
        Response = response;
        _body = body;
    }

    public HttpResponseMessage Response { get; }

    public static async Task<EventStreamSubscription> OpenAsync(KinesisCoreHost host, Version version, KinesisWireFormat format, string json)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/"), Timeout = TimeSpan.FromSeconds(20) };
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(client, version, format, json);
        }
        catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
        {
            Assert.Fail($"SubscribeToShard sent no response head: {e.Message}\n{string.Join('\n', host.Logs.Events.Select(l => $"{l.Level} {l.Category} {l.EventId.Id}: {l.Message} {l.Exception}"))}");
            throw;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return new EventStreamSubscription(client, response, body);
    }

    /// <summary>Subscribes over HTTP/2 and returns only the status, closing the stream at once.</summary>
    public static async Task<HttpStatusCode> StatusOfAsync(KinesisCoreHost host, string json)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/") };
        using var response = await SendAsync(client, HttpVersion.Version20, KinesisWireFormat.Json, json);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Version version, KinesisWireFormat format, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(WireDocuments.Encode(format, json)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(KinesisContentTypes.For(format));
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.SubscribeToShard");
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    /// <summary>The next message, or null when the response body ended.</summary>
    public async Task<EventStreamMessage?> NextAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = EventStreamCodec.TryDecode(_buffer.AsSpan(0, _count), out var message, out var consumed, out var error);
            Assert.NotEqual(EventStreamDecodeStatus.Invalid, status);
            if (status == EventStreamDecodeStatus.Done)
            {
                Buffer.BlockCopy(_buffer, consumed, _buffer, 0, _count - consumed);
                _count -= consumed;
                return message;
            }

            if (_count == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await _body.ReadAsync(_buffer.AsMemory(_count), timeout.Token);
            if (read == 0)
            {
                Assert.True(_count == 0, $"the body ended inside a message ({_count} bytes left; {error})");
                return null;
            }

            _count += read;
        }
    }

    /// <summary>The next SubscribeToShardEvent that carries records (heartbeats skipped).</summary>
    public async Task<JsonObject> NextRecordsEventAsync(KinesisWireFormat format)
    {
        while (true)
        {
            var message = await NextAsync();
            Assert.NotNull(message);
            Assert.True(message.TryGetHeader(":event-type", out var type) && type.AsString() == "SubscribeToShardEvent", "not a SubscribeToShardEvent");
            var document = SubscribeToShardOperationTests.Decode(message, format);
            if (document["Records"]!.AsArray().Count > 0)
            {
                return document;
            }
        }
    }

    /// <summary>The next message that is not an empty SubscribeToShardEvent, or null at the end.</summary>
    public async Task<EventStreamMessage?> NextNonEmptyOrEndAsync()
    {
        while (true)
        {
            var message = await NextAsync();
            if (message is null || !message.TryGetHeader(":event-type", out var type) || type.AsString() != "SubscribeToShardEvent")
            {
                return message;
            }

            if (SubscribeToShardOperationTests.Decode(message, KinesisWireFormat.Json)["Records"]!.AsArray().Count > 0)
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        Response.Dispose();
        _client.Dispose();
    }
}
