using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// The bench's gRPC client: one Grpc.Net.Client channel (h2c or TLS) with the settings a production
/// client needs (16 MiB receive limit: GetRecords answers up to 10 MiB), the generated client for
/// setup calls, and an invoker for the lean hot-path methods (<see cref="LeanGrpcMessages"/>).
/// </summary>
public sealed class GrpcBenchClient : IDisposable
{
    private const int MaxMessageSize = 16 * 1024 * 1024;

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    /// <summary>Creates a channel to <paramref name="address"/>.</summary>
    public GrpcBenchClient(Uri address)
    {
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageSize,
            MaxSendMessageSize = MaxMessageSize,
            HttpHandler = new SocketsHttpHandler
            {
                // Several connections once one has 100 streams in flight (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS).
                EnableMultipleHttp2Connections = true,
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            },
            DisposeHttpClient = true,
        });
        _invoker = _channel.CreateCallInvoker();
        Streams = new KinesisStreams.KinesisStreamsClient(_invoker);
    }

    /// <summary>The generated client.</summary>
    public KinesisStreams.KinesisStreamsClient Streams { get; }

    /// <summary>A unary call of <paramref name="method"/> (for the lean messages).</summary>
    public Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class =>
        _invoker.AsyncUnaryCall(method, null, new CallOptions(cancellationToken: cancellationToken), request).ResponseAsync;

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
