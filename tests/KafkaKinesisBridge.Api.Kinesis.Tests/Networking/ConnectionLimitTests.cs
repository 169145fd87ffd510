using System.Net;
using System.Net.Sockets;
using KafkaKinesisBridge.Api.Kinesis.Tests.Infrastructure;
using KafkaKinesisBridge.Networking;
using KafkaKinesisBridge.Networking.Internal;
using KafkaKinesisBridge.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Networking;

/// <summary>
/// The sniffed port under connection abuse (issue 8, "connection lockout"): silent sockets do not
/// keep real clients out, the total is bounded, and rejections are summarized, not logged one by one.
/// </summary>
public sealed class ConnectionLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ManySilentSockets_BelowTheLimit_RealClientsStillServed()
    {
        // Before the fix, 1,024 connections waiting for their first bytes locked everyone else out.
        const int Silent = 1_500;
        var clock = new ManualTimeProvider();
        await using var host = await StartAsync(o => o.TimeProvider = clock);
        var factory = Factory(host);
        var sockets = new List<Socket>(Silent);
        try
        {
            for (var i = 0; i < Silent; i++)
            {
                sockets.Add(await ConnectAsync(host.Port));
            }

            await Eventually.UntilAsync(() => factory.PendingConnections == Silent, because: "every silent socket was accepted and waits for its first bytes");
            foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
            {
                using var client = SniffedPortTests.CreateClient(version);
                Assert.Equal("ok", await client.GetStringAsync(new Uri(host.BaseAddress, "ok"), Ct));
            }

            Assert.DoesNotContain(host.Logs.Events, e => e.Level >= LogLevel.Warning);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task MaxConnections_Reached_NewConnectionClosedAtOnce_AndAcceptedAgainOnceOneCloses()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.MaxConnections = 3;
        });
        var factory = Factory(host);

        // One served keep-alive connection and two silent ones: three, whatever their state.
        using var client = SniffedPortTests.CreateClient(HttpVersion.Version11);
        Assert.Equal("ok", await client.GetStringAsync(new Uri(host.BaseAddress, "ok"), Ct));
        using var silent1 = await ConnectAsync(host.Port);
        using var silent2 = await ConnectAsync(host.Port);
        await Eventually.UntilAsync(() => factory.Connections == 3, because: "the served and the silent connections all count");

        await AssertRefusedAsync(host.Port);

        Assert.Equal(3, factory.Connections);
        silent1.Dispose();
        await Eventually.UntilAsync(() => factory.Connections == 2, because: "a closed connection no longer counts");
        using var second = SniffedPortTests.CreateClient(HttpVersion.Version20);
        Assert.Equal("ok", await second.GetStringAsync(new Uri(host.BaseAddress, "ok"), Ct));
    }

    [Fact]
    public async Task ServedConnection_ClosedByClient_NoLongerCounts()
    {
        await using var host = await StartAsync();
        var factory = Factory(host);
        using (var client = SniffedPortTests.CreateClient(HttpVersion.Version20))
        {
            Assert.Equal("ok", await client.GetStringAsync(new Uri(host.BaseAddress, "ok"), Ct));
            Assert.Equal(1, factory.Connections);
        }

        await Eventually.UntilAsync(() => factory.Connections == 0, because: "Kestrel disposed the closed connection");
    }

    [Fact]
    public async Task Rejections_Summarized_OneLinePerInterval()
    {
        var clock = new ManualTimeProvider();
        await using var host = await StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.MaxConnections = 4;
            o.SniffTimeout = TimeSpan.FromSeconds(2);
            o.RejectionLogInterval = TimeSpan.FromSeconds(10);
        });
        var factory = Factory(host);
        var silent = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            silent.Add(await ConnectAsync(host.Port));
        }

        await Eventually.UntilAsync(() => factory.PendingConnections == 4);
        for (var i = 0; i < 6; i++)
        {
            await AssertRefusedAsync(host.Port);
        }

        clock.Advance(TimeSpan.FromSeconds(2));
        await Eventually.UntilAsync(() => factory.Connections == 0, because: "the silent sockets timed out");
        Assert.DoesNotContain(host.Logs.Events, e => e.Level >= LogLevel.Information && e.Category.EndsWith("ProtocolSniffing", StringComparison.Ordinal) && e.EventId.Id != 1100);

        clock.Advance(TimeSpan.FromSeconds(8));
        var summary = Assert.Single(host.Logs.WithId(1109));
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Contains("6 connections closed at the connection limit (4) and 4 closed for sending nothing", summary.Message, StringComparison.Ordinal);

        // Nothing new: no line.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(host.Logs.WithId(1109));
        Assert.Empty(host.Logs.WithId(1110));
        silent.ForEach(s => s.Dispose());
    }

    [Fact]
    public void Options_OutOfRange_Refused()
    {
        Assert.Throws<ArgumentException>(() => new ProtocolSniffingOptions { MaxConnections = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new ProtocolSniffingOptions { RejectionLogInterval = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new HttpPortOptions { TlsHandshakeTimeout = TimeSpan.Zero }.Validate());
        Assert.Equal(TimeSpan.FromSeconds(2), new ProtocolSniffingOptions().SniffTimeout);
        Assert.Equal(10_000, new ProtocolSniffingOptions().MaxConnections);
    }

    private static Task<KestrelTestHost> StartAsync(Action<ProtocolSniffingOptions>? sniffing = null) =>
        KestrelTestHost.StartAsync(app => app.MapGet("/ok", () => "ok"), configureSniffing: sniffing);

    private static SniffingConnectionListenerFactory Factory(KestrelTestHost host) =>
        host.Services.GetServices<IConnectionListenerFactory>().OfType<SniffingConnectionListenerFactory>().Single();

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
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

    /// <summary>A connection over the limit: closed at once, so the reset may even reach the client's connect.</summary>
    private static async Task AssertRefusedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Ct);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return;
        }

        await AssertClosedByServerAsync(socket);
    }

    private static async Task AssertClosedByServerAsync(Socket socket)
    {
        try
        {
            var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(0, read);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }
}
