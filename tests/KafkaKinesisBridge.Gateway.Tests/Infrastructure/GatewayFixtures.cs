using KafkaKinesisBridge.Gateway.Hosting;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>
/// One gateway shared by the tests of a class (each test uses its own streams), started once: the
/// scenarios need a running gateway, not a fresh one, and starts cost time on a 2-core machine.
/// When the backend cannot start here (no native librdkafka), the tests skip with the reason.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    private GatewayHost? _host;

    /// <summary>The backend under test.</summary>
    public abstract StorageBackend Backend { get; }

    /// <summary>Why the gateway could not start here, or null.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>The running gateway; skips the calling test when it could not start.</summary>
    public GatewayHost Host
    {
        get
        {
            if (SkipReason is not null)
            {
                Prerequisite.Missing(SkipReason);
            }

            return _host ?? throw new InvalidOperationException("The fixture is not initialized.");
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        try
        {
            _host = await GatewayHost.StartAsync(new GatewayHostOptions { Backend = Backend }, TestContext.Current.CancellationToken);
        }
        catch (Exception ex) when (IsMissingNativeLibrary(ex))
        {
            SkipReason = $"The {Backend} backend cannot start here: the native librdkafka 2.15.1 is missing ({ex.GetBaseException().Message}); run `make deps`.";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static bool IsMissingNativeLibrary(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsMissingNativeLibrary))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A gateway on the embedded log in a temporary directory.</summary>
public sealed class EmbeddedGatewayFixture : GatewayFixture
{
    public override StorageBackend Backend => StorageBackend.Embedded;
}

/// <summary>A gateway on Kafka: librdkafka's mock cluster in this process (the real Kafka protocol on loopback).</summary>
public sealed class KafkaMockGatewayFixture : GatewayFixture
{
    public override StorageBackend Backend => StorageBackend.KafkaMock;
}
