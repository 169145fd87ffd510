using System.Globalization;
using System.Net.Sockets;

namespace KafkaKinesisBridge.Storage.Tests.Kafka.Broker;

/// <summary>Where the real-broker tests get their Kafka from.</summary>
public enum KafkaBrokerSource
{
    /// <summary>KAFKA_BOOTSTRAP_SERVERS names a running cluster.</summary>
    Environment,

    /// <summary>A Docker engine answers: Testcontainers starts a KRaft Kafka container.</summary>
    Container,

    /// <summary>Neither: the tests skip with <see cref="KafkaBrokerPlan.SkipReason"/>.</summary>
    Unavailable,
}

/// <summary>The outcome of <see cref="KafkaBrokerResolver.Resolve"/>.</summary>
/// <param name="Source">Where the broker comes from.</param>
/// <param name="BootstrapServers">With <see cref="KafkaBrokerSource.Environment"/>: the servers to use.</param>
/// <param name="DockerEndpoint">With <see cref="KafkaBrokerSource.Container"/>: the engine that answered.</param>
/// <param name="SkipReason">With <see cref="KafkaBrokerSource.Unavailable"/>: what to set or run.</param>
public sealed record KafkaBrokerPlan(KafkaBrokerSource Source, string? BootstrapServers, string? DockerEndpoint, string? SkipReason);

/// <summary>A Docker engine endpoint: a Unix socket path, or a TCP host and port.</summary>
public sealed record DockerEndpoint(string Description, string? SocketPath, string? Host, int Port);

/// <summary>
/// Decides where the real-broker tests find Kafka, in this order: <c>KAFKA_BOOTSTRAP_SERVERS</c> when set;
/// else a KRaft Kafka container through Testcontainers when a Docker engine answers
/// (<c>DOCKER_HOST</c>, else <c>/var/run/docker.sock</c>); else a skip whose reason says what to set or run.
/// </summary>
/// <remarks>
/// The engine check is one connect with a short timeout, so a machine without Docker (a client but no
/// daemon, a stale socket file) decides in milliseconds instead of waiting on Testcontainers' own
/// discovery and retries.
/// </remarks>
public static class KafkaBrokerResolver
{
    /// <summary>The variable naming a running cluster (the gateway reads it too).</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Set to 0 to never start a container even when Docker answers.</summary>
    public const string TestcontainersVariable = "KKB_KAFKA_TESTCONTAINERS";

    /// <summary>The image Testcontainers starts: the compose file's broker (apache/kafka, KRaft).</summary>
    public const string KafkaImage = "apache/kafka:4.0.0";

    /// <summary>Docker's default socket on Linux.</summary>
    public const string DefaultDockerSocket = "/var/run/docker.sock";

    /// <summary>How long the engine check waits for a connection.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private const string HowToRun =
        "set KAFKA_BOOTSTRAP_SERVERS=host:port to use a running broker (for example `docker compose -f compose/docker-compose.yml up -d kafka` "
        + "and KAFKA_BOOTSTRAP_SERVERS=localhost:9092), or run a Docker engine (DOCKER_HOST, or /var/run/docker.sock) so that Testcontainers starts "
        + KafkaImage;

    /// <summary>Resolves from this process's environment and the real Docker probe.</summary>
    public static KafkaBrokerPlan ResolveFromEnvironment() =>
        Resolve(Environment.GetEnvironmentVariable, File.Exists, endpoint => Answers(endpoint, ProbeTimeout));

    /// <summary>The resolution order, with its inputs passed in (so the order itself is testable).</summary>
    public static KafkaBrokerPlan Resolve(Func<string, string?> environment, Func<string, bool> fileExists, Func<DockerEndpoint, bool> answers)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(fileExists);
        ArgumentNullException.ThrowIfNull(answers);
        if (environment(BootstrapServersVariable) is { } servers && !string.IsNullOrWhiteSpace(servers))
        {
            return new KafkaBrokerPlan(KafkaBrokerSource.Environment, servers.Trim(), null, null);
        }

        if (environment(TestcontainersVariable) is "0" or "false")
        {
            return Unavailable($"no real Kafka broker: {TestcontainersVariable}=0 turns Testcontainers off; set KAFKA_BOOTSTRAP_SERVERS=host:port to use a running broker");
        }

        var dockerHost = environment("DOCKER_HOST");
        DockerEndpoint? endpoint;
        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            endpoint = ParseDockerHost(dockerHost.Trim());
            if (endpoint is null)
            {
                return Unavailable($"no real Kafka broker: DOCKER_HOST={dockerHost} is not a unix:// or tcp:// address Testcontainers can use; {HowToRun}");
            }
        }
        else if (fileExists(DefaultDockerSocket))
        {
            endpoint = new DockerEndpoint("unix://" + DefaultDockerSocket, DefaultDockerSocket, null, 0);
        }
        else
        {
            return Unavailable($"no real Kafka broker: KAFKA_BOOTSTRAP_SERVERS is not set and no Docker engine is configured (no DOCKER_HOST, no {DefaultDockerSocket}); {HowToRun}");
        }

        return answers(endpoint)
            ? new KafkaBrokerPlan(KafkaBrokerSource.Container, null, endpoint.Description, null)
            : Unavailable($"no real Kafka broker: KAFKA_BOOTSTRAP_SERVERS is not set and the Docker engine at {endpoint.Description} does not answer (start the Docker daemon); {HowToRun}");
    }

    /// <summary>A DOCKER_HOST value as an endpoint: <c>unix:///path</c> or <c>tcp://host:port</c>; null otherwise.</summary>
    public static DockerEndpoint? ParseDockerHost(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return null;
        }

        return uri.Scheme switch
        {
            "unix" when uri.AbsolutePath.Length > 1 => new DockerEndpoint(value, uri.AbsolutePath, null, 0),
            // Docker's own default ports: 2375 plain, 2376 TLS.
            "tcp" or "http" or "https" => new DockerEndpoint(value, null, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 2375 : uri.Port),
            _ => null,
        };
    }

    /// <summary>True when something accepts a connection at <paramref name="endpoint"/> within <paramref name="timeout"/>.</summary>
    public static bool Answers(DockerEndpoint endpoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        try
        {
            using var socket = endpoint.SocketPath is { } path
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            using var cancel = new CancellationTokenSource(timeout);
            var connect = endpoint.SocketPath is { } socketPath
                ? socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel.Token)
                : socket.ConnectAsync(endpoint.Host!, endpoint.Port, cancel.Token);
            connect.AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Testcontainers' <c>GetBootstrapAddress()</c> answers a URI (<c>plaintext://127.0.0.1:32768/</c>);
    /// bootstrap.servers wants <c>host:port</c>.
    /// </summary>
    public static string ToBootstrapServers(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{uri.Host}:{uri.Port}")
            : address.TrimEnd('/');
    }

    private static KafkaBrokerPlan Unavailable(string reason) => new(KafkaBrokerSource.Unavailable, null, null, reason);
}
