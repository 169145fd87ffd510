using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KafkaKinesisBridge.Gateway.Tests.Infrastructure;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Durability;

/// <summary>
/// Issue 8's memory amplification, kept as a test against the real gateway process: PutRecords
/// bodies of millions of empty entries (CBOR 15 million empty maps, 14.3 MiB; JSON 5 million
/// <c>{}</c>, 14.3 MiB), four at once and again, used to take the gateway from 83 MiB to 1.6 GiB
/// each (6.3 GiB for four) and to OutOfMemoryException under a 1 GiB heap limit. Now each is refused
/// at its 501st entry with ValidationException, request bodies in flight share a budget, and the
/// resident set stays under <see cref="BoundBytes"/>; under <c>DOTNET_GCHeapHardLimit</c> the gateway
/// keeps serving.
/// </summary>
public sealed class AttackBodyMemoryTests
{
    /// <summary>
    /// The bound: the runtime and the gateway at rest (about 80 MiB measured) plus four bodies of 14.3 MiB
    /// being read and their pooled buffers kept for reuse, with margin for the GC's own slack (measured peak: 162 MiB).
    /// </summary>
    private const long BoundBytes = 300L * 1024 * 1024;

    private const int CborEntries = 15_000_000;
    private const int JsonEntries = 5_000_000;
    private const int Concurrent = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AttackBodies_FourAtOnce_RefusedAndResidentMemoryBounded()
    {
        using var data = new TempDirectory("kkb-attack");
        await using var gateway = await StartAsync(data, environment: null);
        var (baseline, peak) = await AttackAsync(gateway, rounds: 3);
        TestContext.Current.TestOutputHelper?.WriteLine($"RSS before {baseline >> 20} MiB, peak during {3 * 2 * Concurrent} attack bodies {peak >> 20} MiB (bound {BoundBytes >> 20} MiB)");
        Assert.True(peak < BoundBytes, $"peak RSS {peak >> 20} MiB, bound {BoundBytes >> 20} MiB");
        await AssertServesAsync(gateway);
    }

    [Fact]
    public async Task AttackBodies_UnderHeapHardLimit_GatewaySurvivesAndServes()
    {
        // 512 MiB, as a container limit would set it.
        using var data = new TempDirectory("kkb-attack");
        await using var gateway = await StartAsync(data, new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x20000000" });
        var (baseline, peak) = await AttackAsync(gateway, rounds: 2, concurrent: 2 * Concurrent);
        TestContext.Current.TestOutputHelper?.WriteLine($"GCHeapHardLimit 512 MiB: RSS before {baseline >> 20} MiB, peak {peak >> 20} MiB");
        Assert.False(gateway.HasExited, "the gateway exited:\n" + gateway.Output);
        Assert.DoesNotContain("OutOfMemoryException", gateway.Output, StringComparison.Ordinal);
        await AssertServesAsync(gateway);
    }

    private static async Task<GatewayProcess> StartAsync(TempDirectory data, IReadOnlyDictionary<string, string>? environment)
    {
        var assembly = GatewayProcess.FindGatewayAssembly();
        if (assembly is null)
        {
            Prerequisite.Missing("KafkaKinesisBridge.Gateway.dll with its runtimeconfig was not found; run `make build`");
        }

        var gateway = await GatewayProcess.StartAsync(assembly, data.Path, [], environment, Ct);
        await gateway.Kinesis.CreateStreamAsync("attack", 1);
        return gateway;
    }

    /// <summary>Sends the attack bodies <paramref name="rounds"/> times, <paramref name="concurrent"/> at once, sampling RSS.</summary>
    private static async Task<(long Baseline, long Peak)> AttackAsync(GatewayProcess gateway, int rounds, int concurrent = Concurrent)
    {
        var cbor = CborEmptyMaps(CborEntries);
        var json = JsonEmptyObjects(JsonEntries);
        using var client = new HttpClient { BaseAddress = gateway.Address, Timeout = TimeSpan.FromMinutes(2) };
        var baseline = gateway.ResidentBytes();
        long peak = baseline;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                if (!gateway.HasExited)
                {
                    Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), gateway.ResidentBytes()));
                }
            }
        });

        try
        {
            for (var round = 0; round < rounds; round++)
            {
                var sends = new List<Task<(HttpStatusCode, string)>>();
                for (var i = 0; i < concurrent; i++)
                {
                    sends.Add(i % 2 == 0
                        ? SendAsync(client, "application/x-amz-cbor-1.1", cbor)
                        : SendAsync(client, "application/x-amz-json-1.1", json));
                }

                foreach (var (status, body) in await Task.WhenAll(sends))
                {
                    Assert.Equal(HttpStatusCode.BadRequest, status);
                    Assert.Contains("ValidationException", body, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await sampler;
            }
            catch (OperationCanceledException)
            {
            }
        }

        return (baseline, Interlocked.Read(ref peak));
    }

    private static async Task<(HttpStatusCode, string)> SendAsync(HttpClient client, string contentType, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.PutRecords");
        using var response = await client.SendAsync(request, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        // CBOR error bodies carry their strings as UTF-8 too: the error name reads either way.
        return (response.StatusCode, Encoding.UTF8.GetString(bytes));
    }

    private static async Task AssertServesAsync(GatewayProcess gateway)
    {
        using var client = new HttpClient { BaseAddress = gateway.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("{\"StreamName\":\"attack\",\"PartitionKey\":\"k\",\"Data\":\"b2s=\"}", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "Kinesis_20131202.PutRecord");
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.NotNull(JsonNode.Parse(text)!["SequenceNumber"]);
    }

    /// <summary>A PutRecords CBOR body: <c>{"StreamName":"attack","Records":[{}, {}, ...]}</c> with indefinite containers.</summary>
    private static byte[] CborEmptyMaps(int count)
    {
        byte[] head = [0xbf, 0x6a, .. "StreamName"u8, 0x66, .. "attack"u8, 0x67, .. "Records"u8, 0x9f];
        var bytes = new byte[head.Length + count + 2];
        head.CopyTo(bytes, 0);
        bytes.AsSpan(head.Length, count).Fill(0xa0);
        bytes[^2] = 0xff;
        bytes[^1] = 0xff;
        return bytes;
    }

    private static byte[] JsonEmptyObjects(int count)
    {
        var head = "{\"StreamName\":\"attack\",\"Records\":["u8;
        var bytes = new byte[head.Length + (count * 3) - 1 + 2];
        head.CopyTo(bytes);
        var span = bytes.AsSpan(head.Length);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                span[(i * 3) - 1] = (byte)',';
            }

            span[i * 3] = (byte)'{';
            span[(i * 3) + 1] = (byte)'}';
        }

        bytes[^2] = (byte)']';
        bytes[^1] = (byte)'}';
        return bytes;
    }
}
