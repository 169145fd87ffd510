using System.Globalization;
using Grpc.Net.Client;
using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>How a <see cref="GatewayHost"/> is started.</summary>
public sealed class GatewayHostOptions
{
    /// <summary>The storage backend (default: the embedded log).</summary>
    public StorageBackend Backend { get; init; } = StorageBackend.Embedded;

    /// <summary>
    /// The embedded log's data directory. Null: the host creates a temporary one and deletes it when
    /// disposed; a given directory is left alone (restart tests reuse it).
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>A clock for the core and storage (for example <see cref="ManualTimeProvider"/>); null for the system clock.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>
    /// With <see cref="StorageBackend.KafkaMock"/>: a mock cluster the test owns, so that several
    /// gateways (replicas) share one cluster; null: the gateway starts its own.
    /// </summary>
    public KafkaKinesisBridge.Storage.Kafka.KafkaMockCluster? SharedMockCluster { get; init; }

    /// <summary>
    /// Configuration on top of the test defaults (port 0 on 127.0.0.1, quotas off, warnings-only
    /// logging), for example <c>["Kinesis:Quotas:Enabled"] = "true"</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// The real gateway (<see cref="GatewayApplication.Build"/>) started in this process on Kestrel,
/// 127.0.0.1 port 0, with real storage, and a gRPC client connected to it over h2c. Stop it
/// gracefully with <see cref="StopAsync"/>, or start a new one on the same data directory with
/// <see cref="RestartAsync"/>.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private TempDirectory? _ownedDirectory;
    private WebApplication? _app;

    private GatewayHost(GatewayHostOptions options, WebApplication app, string dataDirectory, TempDirectory? ownedDirectory)
    {
        Options = options;
        _app = app;
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        Address = app.GetListeningAddress();
        Channel = KinesisStreamsClient.CreateChannel(Address);
        Kinesis = new KinesisStreamsClient(Channel);
    }

    /// <summary>The options the host was started with.</summary>
    public GatewayHostOptions Options { get; }

    /// <summary>The gateway's address, http://127.0.0.1:port.</summary>
    public Uri Address { get; }

    /// <summary>The embedded log's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The gRPC channel (Grpc.Net.Client, h2c).</summary>
    public GrpcChannel Channel { get; }

    /// <summary>The typed KinesisStreams client.</summary>
    public KinesisStreamsClient Kinesis { get; }

    /// <summary>The running application (services, lifetime); throws once stopped.</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("The gateway is stopped.");

    /// <summary>The host:port form of <see cref="Address"/>, as grpcio and grpc-js take it.</summary>
    public string Target => Address.Authority;

    /// <summary>Starts a gateway and waits until it listens.</summary>
    public static async Task<GatewayHost> StartAsync(GatewayHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new GatewayHostOptions();
        TempDirectory? owned = null;
        var dataDirectory = options.DataDirectory;
        if (dataDirectory is null)
        {
            owned = new TempDirectory("kkb-gateway");
            dataDirectory = owned.Path;
        }

        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gateway:Address"] = "127.0.0.1",
            ["Gateway:Port"] = "0",
            ["Gateway:ShutdownTimeout"] = "00:00:10",
            ["Storage:Backend"] = options.Backend switch
            {
                StorageBackend.Embedded => "embedded",
                StorageBackend.KafkaMock => "kafka-mock",
                StorageBackend.Kafka => "kafka",
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Backend, "Unknown backend."),
            },
            ["Storage:Embedded:DataDirectory"] = dataDirectory,
            // Quotas are on in appsettings.json (as in Kinesis); scenario tests read and write faster
            // than 5 GetRecords/s per shard, so the quota tests turn them on explicitly.
            ["Kinesis:Quotas:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        WebApplication? app = null;
        try
        {
            app = GatewayApplication.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                if (options.SharedMockCluster is { } cluster)
                {
                    // Registered before the storage, whose TryAdd then keeps it; an instance the
                    // container did not create is not disposed with it.
                    builder.Services.AddSingleton(cluster);
                }

                if (options.Clock is { } clock)
                {
                    // Registered before the core, whose TryAdd of TimeProvider.System then keeps it.
                    builder.Services.AddSingleton(clock);
                }

                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(new TestOutputLoggerProvider());
            });
            await app.StartAsync(cancellationToken);
            return new GatewayHost(options, app, dataDirectory, owned);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            owned?.Dispose();
            throw;
        }
    }

    /// <summary>Stops the gateway gracefully (in-flight requests finish, storage is closed).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not { } app)
        {
            return;
        }

        _app = null;
        try
        {
            // Graceful: Kestrel stops accepting, lets in-flight requests finish, then the core stops
            // and the container closes storage.
            await app.StopAsync(cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
            Channel.Dispose();
        }
    }

    /// <summary>
    /// Stops this gateway and starts a new one on the same data directory and settings (the new
    /// host owns the temporary directory from then on). Only the embedded log keeps data across a
    /// restart: the kafka-mock cluster lives and dies with its host.
    /// </summary>
    public async Task<GatewayHost> RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken);
        var next = await StartAsync(
            new GatewayHostOptions { Backend = Options.Backend, DataDirectory = DataDirectory, Clock = Options.Clock, Settings = Options.Settings },
            cancellationToken);
        next._ownedDirectory = _ownedDirectory;
        _ownedDirectory = null;
        return next;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None);
        }
        finally
        {
            _ownedDirectory?.Dispose();
            _ownedDirectory = null;
        }
    }

    /// <summary>A unique stream name for one test (Kinesis names: [a-zA-Z0-9_.-]{1,128}).</summary>
    public static string NewStreamName(string prefix = "s") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}");
}
