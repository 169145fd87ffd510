using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Networking;
using KafkaKinesisBridge.Networking.Internal;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Networking;

/// <summary>Functional tests: real Kestrel on a sniffed loopback port, real clients and raw sockets.</summary>
public sealed class SniffedPortTests
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    // An empty HTTP/2 SETTINGS frame (RFC 9113 §6.5): length 0, type 4, flags 0, stream 0.
    private static readonly byte[] EmptySettingsFrame = [0, 0, 0, 4, 0, 0, 0, 0, 0];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpClient_Http11AndH2cOnOnePort_EachServedWithItsProtocol()
    {
        await using var host = await StartEchoProtocolHostAsync();

        using var http1 = CreateClient(HttpVersion.Version11);
        using var http2 = CreateClient(HttpVersion.Version20);
        var viaHttp1 = await http1.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct);
        var viaHttp2 = await http2.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct);

        Assert.Equal("HTTP/1.1", viaHttp1);
        Assert.Equal("HTTP/2", viaHttp2);
    }

    [Fact]
    public async Task RawSocket_PrefaceSentByteByByte_ServedAsHttp2()
    {
        await using var host = await StartEchoProtocolHostAsync();
        using var socket = await ConnectAsync(host.Port);

        foreach (var b in Preface)
        {
            await socket.SendAsync(new[] { b }, SocketFlags.None, Ct);
        }

        await socket.SendAsync(EmptySettingsFrame, SocketFlags.None, Ct);

        // RFC 9113 §3.4: the server's preface is a SETTINGS frame, the first frame it sends.
        var header = await ReceiveExactlyAsync(socket, 9);
        Assert.Equal(4, header[3]);
        Assert.Equal(0, header[4] & 0x1);
    }

    [Fact]
    public async Task RawSocket_Http11RequestSentByteByByte_ServedAsHttp11()
    {
        await using var host = await StartEchoProtocolHostAsync();
        using var socket = await ConnectAsync(host.Port);

        foreach (var b in "GET /protocol HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray())
        {
            await socket.SendAsync(new[] { b }, SocketFlags.None, Ct);
        }

        var response = await ReceiveToEndAsync(socket);
        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Contains("\r\n\r\n8\r\nHTTP/1.1\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RawSocket_PrefaceWithoutPause_FramesAfterPrefaceReachKestrel()
    {
        await using var host = await StartEchoProtocolHostAsync();
        using var socket = await ConnectAsync(host.Port);

        // Preface and SETTINGS in one segment: the sniffer must not swallow the bytes after the preface.
        await socket.SendAsync((byte[])[.. Preface, .. EmptySettingsFrame], SocketFlags.None, Ct);
        var serverSettings = await ReceiveExactlyAsync(socket, 9);
        Assert.Equal(4, serverSettings[3]);
        var length = (serverSettings[0] << 16) | (serverSettings[1] << 8) | serverSettings[2];
        await ReceiveExactlyAsync(socket, length);

        // Kestrel acknowledges our SETTINGS (flags 0x1) only if it parsed the frame we sent with the preface.
        var sawAck = false;
        for (var i = 0; i < 8 && !sawAck; i++)
        {
            var frame = await ReceiveExactlyAsync(socket, 9);
            var frameLength = (frame[0] << 16) | (frame[1] << 8) | frame[2];
            sawAck = frame[3] == 4 && (frame[4] & 0x1) == 1;
            await ReceiveExactlyAsync(socket, frameLength);
        }

        Assert.True(sawAck, "Kestrel did not acknowledge the SETTINGS frame sent together with the preface.");
    }

    [Fact]
    public async Task IdleConnection_SendsNothing_ClosedWhenSniffTimeoutPasses()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartEchoProtocolHostAsync(sniffing: o =>
        {
            o.TimeProvider = clock;
            o.SniffTimeout = TimeSpan.FromSeconds(10);
        });
        var factory = SniffingFactory(host);
        using var socket = await ConnectAsync(host.Port);
        await Eventually.UntilAsync(() => factory.PendingConnections == 1, because: "the server accepted the idle connection");

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(1, factory.PendingConnections);

        clock.Advance(TimeSpan.FromSeconds(1));
        await AssertClosedByServerAsync(socket);
        await Eventually.UntilAsync(() => factory.PendingConnections == 0);
        Assert.Single(host.Logs.WithId(1103));
    }

    [Fact]
    public async Task PartialPreface_ThenSilence_ClosedWhenSniffTimeoutPasses()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartEchoProtocolHostAsync(sniffing: o => o.TimeProvider = clock);
        var factory = SniffingFactory(host);
        using var socket = await ConnectAsync(host.Port);
        await socket.SendAsync(Preface.AsMemory(0, 10), SocketFlags.None, Ct);
        await Eventually.UntilAsync(() => factory.PendingConnections == 1);

        clock.Advance(ProtocolSniffingOptions.DefaultSniffTimeout);

        await AssertClosedByServerAsync(socket);
        await Eventually.UntilAsync(() => host.Logs.WithId(1103).Count == 1, because: "the sniffer logged the timeout");
        await Eventually.UntilAsync(() => factory.PendingConnections == 0, because: "the connection was released");
    }

    [Fact]
    public async Task Connection_ClosedBeforeAnyByte_ReleasedAndServerStillServes()
    {
        await using var host = await StartEchoProtocolHostAsync();
        var factory = SniffingFactory(host);
        using (var socket = await ConnectAsync(host.Port))
        {
            socket.Shutdown(SocketShutdown.Both);
        }

        await Eventually.UntilAsync(() => host.Logs.WithId(1102).Count == 1, because: "the sniffer saw the close");
        Assert.Contains("(0 received)", host.Logs.WithId(1102)[0].Message, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => factory.PendingConnections == 0, because: "the connection was released");

        using var client = CreateClient(HttpVersion.Version20);
        Assert.Equal("HTTP/2", await client.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
    }

    [Fact]
    public async Task ManyConcurrentConnections_BothProtocols_AllServedOnDistinctConnections()
    {
        const int PerProtocol = 32;
        var connectionIds = new ConcurrentDictionary<string, string>();
        await using var host = await KestrelTestHost.StartAsync(app => app.MapGet("/who", (HttpContext context) =>
        {
            connectionIds[context.Connection.Id] = context.Request.Protocol;
            return context.Request.Protocol;
        }));

        var clients = Enumerable.Range(0, PerProtocol * 2)
            .Select(i => CreateClient(i % 2 == 0 ? HttpVersion.Version11 : HttpVersion.Version20))
            .ToArray();
        try
        {
            var answers = await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var first = await client.GetStringAsync(new Uri(host.BaseAddress, "who"), Ct);
                var second = await client.GetStringAsync(new Uri(host.BaseAddress, "who"), Ct);
                return (Expected: i % 2 == 0 ? "HTTP/1.1" : "HTTP/2", first, second);
            }));

            Assert.All(answers, a =>
            {
                Assert.Equal(a.Expected, a.first);
                Assert.Equal(a.Expected, a.second);
            });
            Assert.Equal(PerProtocol, connectionIds.Values.Count(p => p == "HTTP/1.1"));
            Assert.Equal(PerProtocol, connectionIds.Values.Count(p => p == "HTTP/2"));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task Stop_InFlightRequestsOfBothProtocols_FinishWhileNewConnectionsAreRefused()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        await using var host = await KestrelTestHost.StartAsync(app => app.MapGet("/slow", async (HttpContext context) =>
        {
            Interlocked.Increment(ref entered);
            await release.Task;
            return context.Request.Protocol;
        }));
        using var http1 = CreateClient(HttpVersion.Version11);
        using var http2 = CreateClient(HttpVersion.Version20);
        var inFlight1 = http1.GetStringAsync(new Uri(host.BaseAddress, "slow"), Ct);
        var inFlight2 = http2.GetStringAsync(new Uri(host.BaseAddress, "slow"), Ct);
        await Eventually.UntilAsync(() => Volatile.Read(ref entered) == 2, because: "both requests reached the handler");

        var stopping = host.StopAsync(Ct);
        await Eventually.UntilAsync(async () =>
        {
            try
            {
                using var probe = await ConnectAsync(host.Port);
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
        }, because: "the port stops accepting once Kestrel unbinds");
        Assert.False(stopping.IsCompleted);

        release.SetResult();
        Assert.Equal("HTTP/1.1", await inFlight1);
        Assert.Equal("HTTP/2", await inFlight2);
        await stopping.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task KestrelMaxConcurrentConnections_AppliesPerLogicalEndpoint()
    {
        await using var host = await StartEchoProtocolHostAsync(kestrel: k => k.Limits.MaxConcurrentConnections = 1);
        using var first = CreateClient(HttpVersion.Version11);
        Assert.Equal("HTTP/1.1", await first.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));

        // The first client keeps its connection alive, so Kestrel turns a second HTTP/1.1 one away.
        using var second = CreateClient(HttpVersion.Version11);
        await Assert.ThrowsAsync<HttpRequestException>(() => second.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
        Assert.Contains(host.Logs.Events, e => e.EventId.Name == "ConnectionRejected");

        // Kestrel counts MaxConcurrentConnections per listen endpoint, and the sniffed port is two of
        // them: an h2c connection has its own allowance.
        using var http2 = CreateClient(HttpVersion.Version20);
        Assert.Equal("HTTP/2", await http2.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
    }

    [Fact]
    public async Task KestrelConnectionLogsAndMetrics_CoverSniffedConnections()
    {
        await using var host = await StartEchoProtocolHostAsync();
        var opened = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Microsoft.AspNetCore.Server.Kestrel" && instrument.Name == "kestrel.active_connections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var port = tags.ToArray().FirstOrDefault(t => t.Key == "server.port").Value;
            if (value > 0 && Equals(port, host.Port))
            {
                opened.Add("open");
            }
        });
        listener.Start();

        using (var http1 = CreateClient(HttpVersion.Version11))
        using (var http2 = CreateClient(HttpVersion.Version20))
        {
            await http1.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct);
            await http2.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct);
        }

        Assert.Equal(2, opened.Count);
        Assert.True(host.Logs.Events.Count(e => e.EventId.Name == "ConnectionStart") >= 2);
    }

    [Fact]
    public async Task IPv6Loopback_BothProtocols_Served()
    {
        if (!Socket.OSSupportsIPv6 || !CanBindIPv6Loopback())
        {
            Assert.Skip("IPv6 loopback is not available on this machine.");
        }

        await using var host = await StartEchoProtocolHostAsync(address: IPAddress.IPv6Loopback);
        Assert.Equal("[::1]", host.BaseAddress.Host);
        using var http1 = CreateClient(HttpVersion.Version11);
        using var http2 = CreateClient(HttpVersion.Version20);
        Assert.Equal("HTTP/1.1", await http1.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
        Assert.Equal("HTTP/2", await http2.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
    }

    [Fact]
    public async Task Curl_Http11AndHttp2PriorKnowledge_BothServed()
    {
        var curl = ExternalProcess.Find("curl");
        if (curl is null)
        {
            Prerequisite.Missing("curl is not installed.");
        }

        await using var host = await StartEchoProtocolHostAsync();
        var url = new Uri(host.BaseAddress, "protocol").ToString();
        var h1 = await ExternalProcess.RunAsync(curl, ["-sS", "--http1.1", url], cancellationToken: Ct);
        var h2 = await ExternalProcess.RunAsync(curl, ["-sS", "--http2-prior-knowledge", url], cancellationToken: Ct);

        Assert.True(h1.ExitCode == 0, h1.ToString());
        Assert.True(h2.ExitCode == 0, h2.ToString());
        Assert.Equal("HTTP/1.1", h1.StandardOutput.Trim());
        Assert.Equal("HTTP/2", h2.StandardOutput.Trim());
    }

    [Fact]
    public async Task TlsPort_Alpn_NegotiatesHttp2AndHttp11WithoutSniffing()
    {
        using var temp = new TempDirectory("kkb-tls");
        var certificatePath = Path.Combine(temp.Path, "server.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pfx, "secret"), Ct);
        }

        var port = new HttpPortOptions { Address = "127.0.0.1", Port = 0, CertificatePath = certificatePath, CertificatePassword = "secret" };
        await using var host = await KestrelTestHost.StartAsync(
            app => app.MapGet("/protocol", (HttpContext context) => context.Request.Protocol + " " + context.Request.IsHttps),
            listen: kestrel => kestrel.ListenHttpPort(port));
        Assert.Equal("https", host.BaseAddress.Scheme);

        using var http1 = CreateClient(HttpVersion.Version11, trustAnyCertificate: true);
        using var http2 = CreateClient(HttpVersion.Version20, trustAnyCertificate: true);
        Assert.Equal("HTTP/1.1 True", await http1.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
        Assert.Equal("HTTP/2 True", await http2.GetStringAsync(new Uri(host.BaseAddress, "protocol"), Ct));
        Assert.Empty(host.Logs.WithId(1100));
    }

    [Fact]
    public void ListenSniffed_WithoutAddProtocolSniffing_FailsWithGuidance()
    {
        var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var options = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions { ApplicationServices = services };
        var error = Assert.Throws<InvalidOperationException>(() => options.ListenSniffed(IPAddress.Loopback, 0));
        Assert.Contains(nameof(SniffingKestrelExtensions.AddProtocolSniffing), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtocolSniffingOptions_Invalid_Rejected()
    {
        Assert.Throws<ArgumentException>(() => new ProtocolSniffingOptions { SniffTimeout = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new ProtocolSniffingOptions { MaxConnections = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new HttpPortOptions { Address = "not-an-ip" }.Validate());
        Assert.Throws<ArgumentException>(() => new HttpPortOptions { Port = 70000 }.Validate());
        Assert.Throws<ArgumentException>(() => new HttpPortOptions { CertificatePath = "/nonexistent/cert.pfx" }.Validate());
        new ProtocolSniffingOptions().Validate();
        new HttpPortOptions().Validate();
    }

    internal static HttpClient CreateClient(Version version, bool trustAnyCertificate = false)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        if (trustAnyCertificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return new HttpClient(handler)
        {
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    private static Task<KestrelTestHost> StartEchoProtocolHostAsync(
        Action<ProtocolSniffingOptions>? sniffing = null,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>? kestrel = null,
        IPAddress? address = null) =>
        KestrelTestHost.StartAsync(
            app => app.MapGet("/protocol", (HttpContext context) => context.Request.Protocol),
            configureKestrel: kestrel,
            configureSniffing: sniffing,
            address: address);

    private static SniffingConnectionListenerFactory SniffingFactory(KestrelTestHost host) =>
        host.Services.GetServices<IConnectionListenerFactory>().OfType<SniffingConnectionListenerFactory>().Single();

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            if (n == 0)
            {
                throw new IOException($"Connection closed after {read} of {count} bytes.");
            }

            read += n;
        }

        return buffer;
    }

    private static async Task AssertClosedByServerAsync(Socket socket)
    {
        // Kestrel aborts the socket: the client sees either an orderly close or a reset.
        try
        {
            var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(0, read);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    private static async Task<string> ReceiveToEndAsync(Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return Encoding.ASCII.GetString(all.ToArray());
    }

    private static bool CanBindIPv6Loopback()
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
