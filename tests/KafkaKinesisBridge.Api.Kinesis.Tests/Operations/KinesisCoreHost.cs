using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;
using KafkaKinesisBridge.Api.Kinesis.Protocol;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Core;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Operations;

/// <summary>
/// The Kinesis front door with the real operation handlers over the real core, on an
/// <see cref="InMemoryLogStore"/> and a <see cref="ManualTimeProvider"/>, served by Kestrel on a
/// loopback port; requests go over real HTTP in AWS JSON 1.1 or AWS CBOR 1.1.
/// </summary>
internal sealed class KinesisCoreHost : IAsyncDisposable
{
    /// <summary>Where the manual clock starts: 2024-04-05T19:34:38.123Z.</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(StartMs);

    public const long StartMs = 1712345678123L;

    public const string Account = KinesisStreamsOptions.DefaultAccountId;

    private readonly KestrelTestHost _host;
    private readonly HttpClient _client;

    private KinesisCoreHost(KestrelTestHost host, ManualTimeProvider time, InMemoryLogStore store)
    {
        _host = host;
        Time = time;
        Store = store;
        _client = new HttpClient { BaseAddress = host.BaseAddress };
    }

    public ManualTimeProvider Time { get; }

    /// <summary>The loopback port (for raw TCP clients).</summary>
    public int Port => _host.Port;

    /// <summary>What the server logged.</summary>
    public CapturingLoggerProvider Logs => _host.Logs;

    public InMemoryLogStore Store { get; }

    /// <summary>The server's services (the core, for calls the tests make directly).</summary>
    public IServiceProvider Services => _host.Services;

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts a host. Quotas are off unless <paramref name="quotas"/>, so tests can read freely on a frozen clock.</summary>
    public static async Task<KinesisCoreHost> StartAsync(bool quotas = false, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? configureKestrel = null)
    {
        var time = new ManualTimeProvider(Start);
        var store = new InMemoryLogStore();
        var host = await KestrelTestHost.StartAsync(
            app => app.MapKinesisApi(),
            services =>
            {
                services.AddSingleton<TimeProvider>(time);
                services.AddSingleton<ILogStore>(store);
                services.AddKinesisStreamsCore(o => o.Quotas.Enabled = quotas);
                services.AddKinesisApi();
                services.AddKinesisStreamsOperations();
            },
            configureKestrel);
        return new KinesisCoreHost(host, time, store);
    }

    public static string Arn(string stream) => $"arn:aws:kinesis:us-east-1:{Account}:stream/{stream}";

    /// <summary>
    /// Sends <paramref name="operation"/> with <paramref name="json"/> as the request, encoded as
    /// <paramref name="format"/> (for CBOR: members named Data become byte strings, timestamps tag 1
    /// epoch millis), and decodes the response into a format-independent tree (see <see cref="WireDocuments"/>).
    /// </summary>
    public async Task<WireResponse> CallAsync(KinesisWireFormat format, string operation, string json, Version? httpVersion = null)
    {
        var body = WireDocuments.Encode(format, json);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Version = httpVersion ?? HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(KinesisContentTypes.For(format));
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202." + operation);
        using var response = await _client.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        return new WireResponse(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            bytes,
            bytes.Length == 0 ? null : WireDocuments.Decode(format, bytes),
            response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.First() : null);
    }

    /// <summary>Calls and asserts HTTP 200; returns the decoded document (null for an empty body).</summary>
    public async Task<JsonObject?> OkAsync(KinesisWireFormat format, string operation, string json)
    {
        var response = await CallAsync(format, operation, json);
        Assert.True(response.Status == HttpStatusCode.OK, $"{operation}: HTTP {(int)response.Status} {response.Document?.ToJsonString()}");
        return response.Document;
    }

    /// <summary>Calls and asserts the Kinesis error <paramref name="type"/> with <paramref name="status"/>; returns its message.</summary>
    public async Task<string?> ErrorAsync(KinesisWireFormat format, string operation, string json, string type, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var response = await CallAsync(format, operation, json);
        Assert.True(
            response.Status == status && response.ErrorType == type,
            $"{operation}: expected {type} (HTTP {(int)status}), got HTTP {(int)response.Status} {response.Document?.ToJsonString()}");
        Assert.Equal(KinesisContentTypes.For(format), response.ContentType);
        return response.Message;
    }

    public async Task CreateStreamAsync(KinesisWireFormat format, string name, int shards = 1)
    {
        var document = await OkAsync(format, "CreateStream", $$"""{"StreamName":"{{name}}","ShardCount":{{shards}}}""");
        Assert.Null(document);
    }

    public async Task<string> IteratorAsync(KinesisWireFormat format, string stream, string shardId, string type, string extra = "")
    {
        var document = await OkAsync(format, "GetShardIterator", $$"""{"StreamName":"{{stream}}","ShardId":"{{shardId}}","ShardIteratorType":"{{type}}"{{extra}}}""");
        return (string)document!["ShardIterator"]!;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }
}

/// <summary>A response as the tests see it.</summary>
internal sealed record WireResponse(HttpStatusCode Status, string? ContentType, byte[] Body, JsonObject? Document, string? RequestId)
{
    public string? ErrorType => (string?)Document?["__type"];

    public string? Message => (string?)Document?["message"];
}

/// <summary>
/// Converts test documents between JSON text and the two wire encodings. Responses decode into one
/// tree for both: blobs as base64 strings, timestamps as epoch milliseconds (JSON seconds are
/// converted for the members named in <see cref="TimestampMembers"/>), so one assertion checks both
/// encodings.
/// </summary>
internal static class WireDocuments
{
    public static readonly HashSet<string> BlobMembers = ["Data"];

    public static readonly HashSet<string> TimestampMembers = ["Timestamp", "StreamCreationTimestamp", "ApproximateArrivalTimestamp"];

    public static byte[] Encode(KinesisWireFormat format, string json)
    {
        if (format == KinesisWireFormat.Json)
        {
            return Encoding.UTF8.GetBytes(json);
        }

        var output = new ArrayBufferWriter<byte>();
        using (var writer = new KinesisDocumentWriter(KinesisWireFormat.Cbor, output))
        {
            WriteCbor(writer, JsonNode.Parse(json), member: null);
            writer.Flush();
        }

        return output.WrittenSpan.ToArray();
    }

    public static JsonObject Decode(KinesisWireFormat format, byte[] body)
    {
        if (format == KinesisWireFormat.Json)
        {
            var node = JsonNode.Parse(body)!.AsObject();
            NormalizeJsonTimestamps(node);
            return node;
        }

        var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, body.ToArray());
        Assert.True(reader.Read());
        var result = ReadCbor(ref reader)!.AsObject();
        reader.ReadEndOfDocument();
        return result;
    }

    private static void WriteCbor(KinesisDocumentWriter writer, JsonNode? node, string? member)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (name, child) in obj)
                {
                    writer.WritePropertyName(name);
                    WriteCbor(writer, child, name);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    WriteCbor(writer, item, member);
                }

                writer.WriteEndArray();
                break;
            default:
                var value = node.AsValue();
                if (member is not null && BlobMembers.Contains(member) && value.TryGetValue<string>(out var base64))
                {
                    writer.WriteBlobValue(Convert.FromBase64String(base64));
                }
                else if (member is not null && TimestampMembers.Contains(member) && value.TryGetValue<decimal>(out var seconds))
                {
                    writer.WriteTimestampValue((long)(seconds * 1000m));
                }
                else if (value.TryGetValue<string>(out var text))
                {
                    writer.WriteStringValue(text);
                }
                else if (value.TryGetValue<bool>(out var flag))
                {
                    writer.WriteBooleanValue(flag);
                }
                else if (value.TryGetValue<long>(out var integer))
                {
                    writer.WriteNumberValue(integer);
                }
                else
                {
                    writer.WriteNumberValue(value.GetValue<double>());
                }

                break;
        }
    }

    private static JsonNode? ReadCbor(ref KinesisDocumentReader reader)
    {
        switch (reader.TokenType)
        {
            case KinesisTokenType.StartObject:
                var obj = new JsonObject();
                while (reader.ReadProperty())
                {
                    var name = reader.GetString();
                    Assert.True(reader.Read());
                    obj[name] = ReadCbor(ref reader);
                }

                return obj;
            case KinesisTokenType.StartArray:
                var array = new JsonArray();
                while (reader.ReadArrayElement())
                {
                    array.Add(ReadCbor(ref reader));
                }

                return array;
            case KinesisTokenType.String:
                return JsonValue.Create(reader.GetString());
            case KinesisTokenType.Blob:
                return JsonValue.Create(Convert.ToBase64String(reader.GetBlob().Span));
            case KinesisTokenType.Timestamp:
                return Integer(reader.GetTimestampMilliseconds());
            case KinesisTokenType.Number:
                return Integer(reader.GetInt64());
            case KinesisTokenType.True:
                return JsonValue.Create(true);
            case KinesisTokenType.False:
                return JsonValue.Create(false);
            case KinesisTokenType.Null:
                return null;
            default:
                throw new InvalidOperationException($"Unexpected CBOR token {reader.TokenType}.");
        }
    }

    // Parsed rather than created, so (int) and (long) casts both work as on a parsed JSON document.
    private static JsonNode Integer(long value) => JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture))!;

    private static void NormalizeJsonTimestamps(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (TimestampMembers.Contains(name) && obj[name] is JsonValue value && value.TryGetValue<decimal>(out var seconds))
                    {
                        obj[name] = Integer((long)decimal.Round(seconds * 1000m));
                    }
                    else
                    {
                        NormalizeJsonTimestamps(obj[name]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    NormalizeJsonTimestamps(item);
                }

                break;
        }
    }

    /// <summary>The member names of an object, in order.</summary>
    public static string[] Members(JsonNode? node) => [.. node!.AsObject().Select(p => p.Key)];

    /// <summary>The member names of an object, sorted (shape checks independent of order).</summary>
    public static string[] SortedMembers(JsonNode? node) => [.. Members(node).Order(StringComparer.Ordinal)];

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
