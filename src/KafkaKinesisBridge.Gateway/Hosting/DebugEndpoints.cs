using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Gateway.Hosting;

/// <summary>
/// Diagnostics for benchmarks and operators, answered only to clients on the loopback interface
/// (anyone else gets 404, as for an unknown path):
/// <list type="bullet">
/// <item><c>GET /debug/runtime</c>: this process's managed allocation and GC counters, working set and
/// CPU time, as JSON. The bench reads it before and after a workload and divides the difference by
/// the records moved: bytes allocated and CPU time per record.</item>
/// <item><c>GET /debug/storage</c>: the storage backend and, on Kafka, its bootstrap servers. For the
/// <c>kafka-mock</c> backend these are the loopback ports of the mock cluster inside this process,
/// which lets a bare Kafka client (the bench's <c>--api kafka-direct</c>) write to the same cluster.</item>
/// </list>
/// </summary>
/// <remarks>
/// Both are cheap: counters the runtime keeps anyway (<see cref="GC.GetTotalAllocatedBytes"/> without
/// <c>precise</c>, which does not stop threads; <see cref="Environment.WorkingSet"/>;
/// <see cref="Environment.CpuUsage"/>). Nothing secret is exposed, but the loopback restriction keeps
/// internals off the network.
/// </remarks>
internal static class DebugEndpoints
{
    /// <summary>Maps <c>/debug/runtime</c> and <c>/debug/storage</c>.</summary>
    public static void MapDebugEndpoints(this WebApplication app)
    {
        app.MapGet("/debug/runtime", static (HttpContext context) =>
            IsLoopback(context) ? Results.Json(RuntimeSnapshot.Capture()) : Results.NotFound());
        app.MapGet("/debug/storage", static (HttpContext context) =>
            IsLoopback(context) ? Results.Json(DescribeStorage(context.RequestServices)) : Results.NotFound());
    }

    private static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && System.Net.IPAddress.IsLoopback(address);

    private static StorageDescription DescribeStorage(IServiceProvider services)
    {
        var store = services.GetRequiredService<ILogStore>();
        if (services.GetService<KafkaMockCluster>() is { } mock)
        {
            return new StorageDescription("kafka-mock", mock.BootstrapServers);
        }

        return store.Name == "kafka"
            ? new StorageDescription("kafka", services.GetRequiredService<IOptions<KafkaStorageOptions>>().Value.BootstrapServers)
            : new StorageDescription(store.Name, null);
    }

    /// <summary>The <c>/debug/storage</c> document.</summary>
    /// <param name="Backend">embedded, kafka or kafka-mock.</param>
    /// <param name="KafkaBootstrapServers">Brokers of the Kafka backend; null for the embedded log.</param>
    internal sealed record StorageDescription(string Backend, string? KafkaBootstrapServers);

    /// <summary>The <c>/debug/runtime</c> document.</summary>
    /// <param name="AllocatedBytes">Managed bytes allocated since the process started (all threads).</param>
    /// <param name="Gen0Collections">Generation 0 collections so far.</param>
    /// <param name="Gen1Collections">Generation 1 collections so far.</param>
    /// <param name="Gen2Collections">Generation 2 collections so far.</param>
    /// <param name="GcPauseMs">Total time the GC has paused the process, in milliseconds.</param>
    /// <param name="HeapBytes">Managed heap in use (approximate).</param>
    /// <param name="WorkingSetBytes">Physical memory mapped to the process.</param>
    /// <param name="CpuTimeMs">User plus kernel CPU time of the process, in milliseconds.</param>
    /// <param name="ThreadPoolThreads">Thread-pool threads now.</param>
    internal sealed record RuntimeSnapshot(
        long AllocatedBytes,
        int Gen0Collections,
        int Gen1Collections,
        int Gen2Collections,
        double GcPauseMs,
        long HeapBytes,
        long WorkingSetBytes,
        double CpuTimeMs,
        int ThreadPoolThreads)
    {
        public static RuntimeSnapshot Capture() => new(
            GC.GetTotalAllocatedBytes(precise: false),
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.GetTotalMemory(forceFullCollection: false),
            Environment.WorkingSet,
            Environment.CpuUsage.TotalTime.TotalMilliseconds,
            ThreadPool.ThreadCount);
    }
}
