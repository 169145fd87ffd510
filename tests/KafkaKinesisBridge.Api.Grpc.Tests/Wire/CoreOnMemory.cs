using KafkaKinesisBridge.Core;
using KafkaKinesisBridge.Core.Api;
using KafkaKinesisBridge.Core.Hosting;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KafkaKinesisBridge.Api.Grpc.Tests.Wire;

/// <summary>The real core over an <see cref="InMemoryLogStore"/> and a manual clock: the source of real responses to encode.</summary>
internal sealed class CoreOnMemory : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly IHostedService[] _hosted;

    private CoreOnMemory(ServiceProvider provider, IHostedService[] hosted, ManualTimeProvider time)
    {
        _provider = provider;
        _hosted = hosted;
        Time = time;
        Streams = provider.GetRequiredService<IStreamsService>();
    }

    public IStreamsService Streams { get; }

    public ManualTimeProvider Time { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<CoreOnMemory> StartAsync(Action<KinesisStreamsOptions>? configure = null)
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_712_345_678_123));
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<ILogStore>(new InMemoryLogStore());
        services.AddKinesisStreamsCore(o =>
        {
            o.Quotas.Enabled = false;
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(Ct);
        }

        return new CoreOnMemory(provider, hosted, time);
    }

    public async Task CreateStreamAsync(string name, int shards)
    {
        await Streams.CreateStreamAsync(new CreateStreamRequest { StreamName = name, ShardCount = shards }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _hosted.Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _provider.DisposeAsync();
    }
}
