using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace KafkaKinesisBridge.Bench.Hosting;

/// <summary>The gateway's <c>GET /debug/runtime</c> document (see the gateway's DebugEndpoints).</summary>
public sealed record RuntimeSample(
    long AllocatedBytes,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double GcPauseMs,
    long HeapBytes,
    long WorkingSetBytes,
    double CpuTimeMs,
    int ThreadPoolThreads);

/// <summary>The gateway's <c>GET /debug/storage</c> document.</summary>
public sealed record StorageSample(string Backend, string? KafkaBootstrapServers);

/// <summary>
/// Reads the gateway's diagnostics over plain HTTP/1.1 on its port: readiness (<c>/ready</c>),
/// runtime counters (<c>/debug/runtime</c>: allocations, collections, CPU time) and the storage
/// backend (<c>/debug/storage</c>). The debug endpoints answer loopback clients only; against a gateway
/// elsewhere, or one without them, the samples are null and the report leaves them out.
/// </summary>
public sealed class GatewayDiagnostics(Uri gateway) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = gateway,
        Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>Waits until <c>/ready</c> answers 200 (the stream catalog is loaded).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync("/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The gateway at {gateway} did not become ready within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The runtime counters now, or null when the gateway does not offer them.</summary>
    public Task<RuntimeSample?> SampleRuntimeAsync(CancellationToken cancellationToken) => GetAsync<RuntimeSample>("/debug/runtime", cancellationToken);

    /// <summary>The storage backend, or null when the gateway does not say.</summary>
    public Task<StorageSample?> DescribeStorageAsync(CancellationToken cancellationToken) => GetAsync<StorageSample>("/debug/storage", cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<T?> GetAsync<T>(string path, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var response = await _http.GetAsync(path, cancellationToken);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) : null;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
