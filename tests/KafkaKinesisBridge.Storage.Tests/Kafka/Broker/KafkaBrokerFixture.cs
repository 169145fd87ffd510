using KafkaKinesisBridge.Storage.Tests.Kafka.Broker;
using Testcontainers.Kafka;

[assembly: AssemblyFixture(typeof(KafkaBrokerFixture))]

namespace KafkaKinesisBridge.Storage.Tests.Kafka.Broker;

/// <summary>
/// The real Kafka broker of this test run, shared by every test that needs one (an xunit assembly
/// fixture): KAFKA_BOOTSTRAP_SERVERS when set, else one KRaft Kafka container started by Testcontainers
/// on the first request when a Docker engine answers, else a skip with the reason
/// (see <see cref="KafkaBrokerResolver"/>). The container is removed when the run ends.
/// </summary>
/// <remarks>
/// The plan is decided when the run starts (an environment read and at most one socket connect); the
/// container starts only when a test asks for it, so a filtered run that needs no broker costs nothing.
/// </remarks>
public sealed class KafkaBrokerFixture : IAsyncDisposable
{
    /// <summary>Longest wait for the container (image pull included) before the tests fail.</summary>
    public static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromMinutes(4);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private KafkaContainer? _container;
    private string? _bootstrapServers;
    private Exception? _startFailure;

    public KafkaBrokerFixture()
        : this(KafkaBrokerResolver.ResolveFromEnvironment())
    {
    }

    internal KafkaBrokerFixture(KafkaBrokerPlan plan)
    {
        Plan = plan;
        _bootstrapServers = plan.Source == KafkaBrokerSource.Environment ? plan.BootstrapServers : null;
    }

    /// <summary>Where the broker comes from, decided at the start of the run.</summary>
    public KafkaBrokerPlan Plan { get; }

    /// <summary>
    /// The bootstrap servers of the real broker, starting the container on first use. Skips the calling
    /// test when there is no broker; fails it when the container could not start.
    /// </summary>
    public async ValueTask<string> GetBootstrapServersAsync(CancellationToken cancellationToken)
    {
        if (Plan.Source == KafkaBrokerSource.Unavailable)
        {
            Assert.Skip(Plan.SkipReason!);
        }

        if (Volatile.Read(ref _bootstrapServers) is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_startFailure is not null)
            {
                throw new InvalidOperationException(StartFailureMessage(), _startFailure);
            }

            if (_bootstrapServers is null)
            {
                await StartContainerAsync(cancellationToken);
            }

            return _bootstrapServers!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes the container, if one was started.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_container is { } container)
        {
            _container = null;
            await container.DisposeAsync();
        }

        _gate.Dispose();
    }

    private async Task StartContainerAsync(CancellationToken cancellationToken)
    {
        // apache/kafka runs KRaft (combined broker and controller) out of the box; WithKRaft says so
        // explicitly. Testcontainers advertises the mapped port and waits for the broker to reach RUNNING.
        var container = new KafkaBuilder(KafkaBrokerResolver.KafkaImage)
            .WithKRaft()
            // The contract suite writes 10 MiB records; topics get max.message.bytes themselves, but
            // the broker must accept requests of that size.
            .WithEnvironment("KAFKA_MESSAGE_MAX_BYTES", KafkaTestOptions.BrokerMaxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ContainerStartTimeout);
        try
        {
            await container.StartAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            _startFailure = ex;
            await container.DisposeAsync();
            throw new InvalidOperationException(StartFailureMessage(), ex);
        }

        _container = container;
        Volatile.Write(ref _bootstrapServers, KafkaBrokerResolver.ToBootstrapServers(container.GetBootstrapAddress()));
    }

    private string StartFailureMessage() =>
        $"The Docker engine at {Plan.DockerEndpoint} answers, but the Kafka container ({KafkaBrokerResolver.KafkaImage}) did not start: "
        + $"{_startFailure?.GetBaseException().Message}. Set KAFKA_BOOTSTRAP_SERVERS to use a running broker instead, "
        + $"or {KafkaBrokerResolver.TestcontainersVariable}=0 to skip the real-broker tests.";
}
