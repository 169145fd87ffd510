using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using KafkaKinesisBridge.TestSupport;

namespace KafkaKinesisBridge.Storage.Tests.Kafka.Broker;

/// <summary>The order in which the real-broker tests find Kafka, and the cheap Docker engine check.</summary>
public sealed class KafkaBrokerResolverTests
{
    private static readonly Func<DockerEndpoint, bool> MustNotProbe = endpoint => throw new InvalidOperationException($"probed {endpoint}");

    [Fact]
    public void Resolve_BootstrapServersSet_WinsWithoutProbingDocker()
    {
        var plan = KafkaBrokerResolver.Resolve(
            Env(("KAFKA_BOOTSTRAP_SERVERS", " broker:9092 "), ("DOCKER_HOST", "unix:///run/docker.sock")),
            _ => true,
            MustNotProbe);

        Assert.Equal(new KafkaBrokerPlan(KafkaBrokerSource.Environment, "broker:9092", null, null), plan);
    }

    [Fact]
    public void Resolve_NoVariableAndNoDocker_SkipsSayingWhatToSetOrRun()
    {
        var plan = KafkaBrokerResolver.Resolve(Env(), _ => false, MustNotProbe);

        Assert.Equal(KafkaBrokerSource.Unavailable, plan.Source);
        Assert.Null(plan.BootstrapServers);
        Assert.Contains("KAFKA_BOOTSTRAP_SERVERS=host:port", plan.SkipReason, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST", plan.SkipReason, StringComparison.Ordinal);
        Assert.Contains("/var/run/docker.sock", plan.SkipReason, StringComparison.Ordinal);
        Assert.Contains("docker compose", plan.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EmptyVariable_IsIgnored()
    {
        var plan = KafkaBrokerResolver.Resolve(Env(("KAFKA_BOOTSTRAP_SERVERS", "  ")), _ => false, MustNotProbe);

        Assert.Equal(KafkaBrokerSource.Unavailable, plan.Source);
    }

    [Fact]
    public void Resolve_DefaultSocketPresentButSilent_SkipsNamingTheEngine()
    {
        var plan = KafkaBrokerResolver.Resolve(Env(), path => path == "/var/run/docker.sock", _ => false);

        Assert.Equal(KafkaBrokerSource.Unavailable, plan.Source);
        Assert.Contains("unix:///var/run/docker.sock does not answer", plan.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DockerAnswers_PlansContainer()
    {
        DockerEndpoint? probed = null;
        var plan = KafkaBrokerResolver.Resolve(Env(("DOCKER_HOST", "tcp://127.0.0.1:2376")), _ => false, endpoint =>
        {
            probed = endpoint;
            return true;
        });

        Assert.Equal(new KafkaBrokerPlan(KafkaBrokerSource.Container, null, "tcp://127.0.0.1:2376", null), plan);
        Assert.Equal(new DockerEndpoint("tcp://127.0.0.1:2376", null, "127.0.0.1", 2376), probed);
    }

    [Fact]
    public void Resolve_TestcontainersTurnedOff_SkipsWithoutProbing()
    {
        var plan = KafkaBrokerResolver.Resolve(Env(("KKB_KAFKA_TESTCONTAINERS", "0")), _ => true, MustNotProbe);

        Assert.Equal(KafkaBrokerSource.Unavailable, plan.Source);
        Assert.Contains("KKB_KAFKA_TESTCONTAINERS=0", plan.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_UnusableDockerHost_Skips()
    {
        var plan = KafkaBrokerResolver.Resolve(Env(("DOCKER_HOST", "npipe:////./pipe/docker_engine")), _ => true, MustNotProbe);

        Assert.Equal(KafkaBrokerSource.Unavailable, plan.Source);
        Assert.Contains("DOCKER_HOST=npipe", plan.SkipReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unix:///var/run/docker.sock", "/var/run/docker.sock", null, 0)]
    [InlineData("tcp://docker:2375", null, "docker", 2375)]
    [InlineData("tcp://10.0.0.5", null, "10.0.0.5", 2375)]
    public void ParseDockerHost_KnownForms_GiveEndpoint(string value, string? path, string? host, int port) =>
        Assert.Equal(new DockerEndpoint(value, path, host, port), KafkaBrokerResolver.ParseDockerHost(value));

    [Theory]
    [InlineData("plaintext://127.0.0.1:32768/", "127.0.0.1:32768")]
    [InlineData("PLAINTEXT://localhost:9092", "localhost:9092")]
    [InlineData("broker:9092", "broker:9092")]
    public void ToBootstrapServers_TestcontainersAddress_IsHostAndPort(string address, string expected) =>
        Assert.Equal(expected, KafkaBrokerResolver.ToBootstrapServers(address));

    [Fact]
    public void Answers_NothingListening_FailsFast()
    {
        using var directory = new TempDirectory("kkb-docker-probe");
        // A socket file whose server is gone, as a stale /var/run/docker.sock is: connect is refused.
        var path = Path.Combine(directory.Path, "docker.sock");
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(path));
        }

        var watch = Stopwatch.StartNew();
        var missing = KafkaBrokerResolver.Answers(new DockerEndpoint("missing", Path.Combine(directory.Path, "none.sock"), null, 0), KafkaBrokerResolver.ProbeTimeout);
        var refused = KafkaBrokerResolver.Answers(new DockerEndpoint("stale", path, null, 0), KafkaBrokerResolver.ProbeTimeout);
        var closedPort = KafkaBrokerResolver.Answers(new DockerEndpoint("closed", null, "127.0.0.1", ClosedPort()), KafkaBrokerResolver.ProbeTimeout);

        Assert.False(missing);
        Assert.False(refused);
        Assert.False(closedPort);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Answers_ListeningSocket_IsTrue()
    {
        using var directory = new TempDirectory("kkb-docker-probe");
        var path = Path.Combine(directory.Path, "docker.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen();
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();

        Assert.True(KafkaBrokerResolver.Answers(new DockerEndpoint("unix", path, null, 0), KafkaBrokerResolver.ProbeTimeout));
        Assert.True(KafkaBrokerResolver.Answers(new DockerEndpoint("tcp", null, "127.0.0.1", ((IPEndPoint)tcp.LocalEndpoint).Port), KafkaBrokerResolver.ProbeTimeout));
    }

    [Fact]
    public async Task Fixture_Unavailable_SkipsWithThePlansReason()
    {
        await using var fixture = new KafkaBrokerFixture(new KafkaBrokerPlan(KafkaBrokerSource.Unavailable, null, null, "the reason"));

        var skipped = await Assert.ThrowsAnyAsync<Exception>(async () => await fixture.GetBootstrapServersAsync(TestContext.Current.CancellationToken));

        Assert.Contains("the reason", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fixture_FromEnvironment_ReturnsServersWithoutContainer()
    {
        await using var fixture = new KafkaBrokerFixture(new KafkaBrokerPlan(KafkaBrokerSource.Environment, "broker:9092", null, null));

        Assert.Equal("broker:9092", await fixture.GetBootstrapServersAsync(TestContext.Current.CancellationToken));
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
