using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Dispatch;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Dispatch;

/// <summary>
/// The shared AWS JSON endpoint routes by the <c>X-Amz-Target</c> prefix: a second service
/// (a stub under Firehose's prefix) answers on the same port as Kinesis, with its own signing name.
/// </summary>
public sealed class AwsJsonRoutingTests
{
    private const string Json = "application/x-amz-json-1.1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Dispatch_FirehosePrefix_ReachesThatServiceNotKinesis()
    {
        var firehose = new StubService();
        await using var host = await StartAsync(firehose);
        using var response = await PostAsync(host, "Firehose_20150804.ListDeliveryStreams", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"Operation\":\"ListDeliveryStreams\"}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["ListDeliveryStreams"], firehose.Seen);
    }

    [Fact]
    public async Task Dispatch_KinesisPrefix_StillReachesKinesis()
    {
        var firehose = new StubService();
        await using var host = await StartAsync(firehose);
        using var response = await PostAsync(host, "Kinesis_20131202.SplitShard", "{}");

        // No Kinesis handler is registered in this host: Kinesis' own answer, not the stub's.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("The operation SplitShard is not supported by this gateway.", error.RootElement.GetProperty("message").GetString());
        Assert.Empty(firehose.Seen);
    }

    [Fact]
    public async Task Dispatch_UnknownOperationOfKnownPrefix_UnknownOperationException()
    {
        var firehose = new StubService();
        await using var host = await StartAsync(firehose);
        using var response = await PostAsync(host, "Firehose_20150804.ListStreams", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("{\"__type\":\"UnknownOperationException\"}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Empty(firehose.Seen);
    }

    [Fact]
    public async Task Dispatch_BodyOverTheServicesLimit_413BeforeTheService()
    {
        var firehose = new StubService { Limit = 2048 };
        await using var host = await StartAsync(firehose);
        using var response = await PostAsync(host, "Firehose_20150804.PutRecord", "{\"x\":\"" + new string('a', 4096) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(firehose.Seen);
    }

    [Fact]
    public async Task Verify_CredentialScopedToKinesis_RejectedByFirehoseWithItsSigningName()
    {
        var firehose = new StubService();
        await using var host = await StartAsync(firehose, verify: true);
        using var response = await PostAsync(
            host,
            "Firehose_20150804.ListDeliveryStreams",
            "{}",
            $"AWS4-HMAC-SHA256 Credential=AKIDTEST/{DateTime.UtcNow:yyyyMMdd}/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("InvalidSignatureException", error.RootElement.GetProperty("__type").GetString());
        Assert.Contains("'firehose'", error.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(firehose.Seen);
    }

    [Fact]
    public void Register_TwoServicesWithOnePrefix_Throws()
    {
        var services = new ServiceCollection().AddLogging().AddKinesisApi();
        services.AddSingleton<IAwsJsonService>(new StubService());
        services.AddSingleton<IAwsJsonService>(new StubService());
        using var provider = services.BuildServiceProvider();
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<AwsJsonDispatcher>());
    }

    private static Task<KestrelTestHost> StartAsync(StubService service, bool verify = false) => KestrelTestHost.StartAsync(
        app => app.MapKinesisApi(),
        services =>
        {
            services.AddKinesisApi(o =>
            {
                if (verify)
                {
                    o.AuthMode = KinesisAuthMode.Verify;
                    o.Credentials = [new KinesisCredential { AccessKeyId = "AKIDTEST", SecretAccessKey = "secret" }];
                }
            });
            services.AddSingleton<IAwsJsonService>(service);
        });

    private static async Task<HttpResponseMessage> PostAsync(KestrelTestHost host, string target, string body, string? authorization = null)
    {
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(Json);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request, Ct);
    }

    /// <summary>A service under Firehose's prefix that echoes the operation it was called for.</summary>
    private sealed class StubService : IAwsJsonService
    {
        private static readonly string[] Operations = ["ListDeliveryStreams", "PutRecord"];

        public List<string> Seen { get; } = [];

        public int Limit { get; init; } = 1024 * 1024;

        public string TargetPrefix => "Firehose_20150804";

        public string SigningName => "firehose";

        public string DisplayName => "Firehose";

        public bool TryParseOperation(ReadOnlySpan<char> name, out int operation)
        {
            for (var i = 0; i < Operations.Length; i++)
            {
                if (name.SequenceEqual(Operations[i]))
                {
                    operation = i;
                    return true;
                }
            }

            operation = -1;
            return false;
        }

        public string GetOperationName(int operation) => Operations[operation];

        public int MaxBodyBytesFor(int operation) => Limit;

        public ValueTask<AwsJsonResult> InvokeAsync(AwsJsonRequest request)
        {
            lock (Seen)
            {
                Seen.Add(Operations[request.Operation]);
            }

            using var writer = request.CreateWriter();
            writer.WriteStartObject();
            writer.WriteString("Operation"u8, Operations[request.Operation]);
            writer.WriteEndObject();
            writer.Flush();
            return ValueTask.FromResult(AwsJsonResult.Success);
        }
    }
}
