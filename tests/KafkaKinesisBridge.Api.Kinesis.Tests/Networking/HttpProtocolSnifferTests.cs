using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using KafkaKinesisBridge.Networking;
using KafkaKinesisBridge.Networking.Internal;

namespace KafkaKinesisBridge.Api.Kinesis.Tests.Networking;

public sealed class HttpProtocolSnifferTests
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

    [Fact]
    public void Sniff_FullPreface_Http2()
    {
        Assert.Equal(SniffResult.Http2, HttpProtocolSniffer.Sniff(Preface));
    }

    [Fact]
    public void Sniff_PrefaceFollowedByFrames_Http2()
    {
        byte[] withSettings = [.. Preface, 0, 0, 0, 4, 0, 0, 0, 0, 0];
        Assert.Equal(SniffResult.Http2, HttpProtocolSniffer.Sniff(withSettings));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(23)]
    public void Sniff_StrictPrefixOfPreface_NeedMoreData(int length)
    {
        Assert.Equal(SniffResult.NeedMoreData, HttpProtocolSniffer.Sniff(Preface.AsSpan(0, length)));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("POST / HTTP/1.1\r\n")]
    [InlineData("PUT /")]
    [InlineData("PRI * HTTP/1.1\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nXX")]
    [InlineData("\u0016\u0003\u0001")]
    public void Sniff_DivergesFromPreface_Http1(string start)
    {
        Assert.Equal(SniffResult.Http1, HttpProtocolSniffer.Sniff(Encoding.ASCII.GetBytes(start)));
    }

    [Fact]
    public void Sniff_PrefaceSplitAcrossSegments_Http2()
    {
        var sequence = Segments.Create(Preface.AsMemory(0, 5), Preface.AsMemory(5, 10), Preface.AsMemory(15));
        Assert.False(sequence.IsSingleSegment);
        Assert.Equal(SniffResult.Http2, HttpProtocolSniffer.Sniff(sequence));
    }

    [Fact]
    public async Task SniffedPipeReader_FirstRead_ReplaysBytesWithoutWaiting()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), TestContext.Current.CancellationToken);
        var sniffRead = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(SniffResult.Http1, HttpProtocolSniffer.Sniff(sniffRead.Buffer));

        // No more bytes will come: a reader that waited for new data would hang here.
        var reader = new SniffedPipeReader(pipe.Reader, sniffRead);
        var replayed = await reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("GET / HTTP/1.1\r\nHost: x\r\n\r\n", Encoding.ASCII.GetString(replayed.Buffer));
        reader.AdvanceTo(replayed.Buffer.GetPosition(16));

        // The rest is still there, readable at once, from the underlying pipe.
        var rest = await reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("Host: x\r\n\r\n", Encoding.ASCII.GetString(rest.Buffer));
        reader.AdvanceTo(rest.Buffer.End);
        await reader.CompleteAsync();
    }

    [Fact]
    public async Task SniffedPipeReader_PrefaceArrivedInPieces_ConsumerSeesWholePreface()
    {
        var pipe = new Pipe();
        var ct = TestContext.Current.CancellationToken;

        // The sniffer's view: part of the preface, examined, then the rest.
        await pipe.Writer.WriteAsync(Preface.AsMemory(0, 16), ct);
        var first = await pipe.Reader.ReadAsync(ct);
        Assert.Equal(SniffResult.NeedMoreData, HttpProtocolSniffer.Sniff(first.Buffer));
        pipe.Reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        await pipe.Writer.WriteAsync(Preface.AsMemory(16), ct);
        var second = await pipe.Reader.ReadAsync(ct);
        Assert.Equal(SniffResult.Http2, HttpProtocolSniffer.Sniff(second.Buffer));

        var reader = new SniffedPipeReader(pipe.Reader, second);
        var replayed = await reader.ReadAsync(ct);
        Assert.Equal(Preface, replayed.Buffer.ToArray());
        reader.AdvanceTo(replayed.Buffer.End);
        await reader.CompleteAsync();
    }

    [Fact]
    public async Task SniffedPipeReader_ConsumerExaminesLessThanSniffer_NextReadReturnsAtOnce()
    {
        var pipe = new Pipe();
        var ct = TestContext.Current.CancellationToken;
        await pipe.Writer.WriteAsync(Preface.AsMemory(0, 16), ct);
        var first = await pipe.Reader.ReadAsync(ct);
        pipe.Reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        await pipe.Writer.WriteAsync("XYZ"u8.ToArray(), ct);
        var second = await pipe.Reader.ReadAsync(ct);
        Assert.Equal(SniffResult.Http1, HttpProtocolSniffer.Sniff(second.Buffer));

        // HTTP/1.1 consumes nothing of a line it cannot parse yet and examines less than the sniffer did.
        var reader = new SniffedPipeReader(pipe.Reader, second);
        var replayed = await reader.ReadAsync(ct);
        reader.AdvanceTo(replayed.Buffer.Start, replayed.Buffer.GetPosition(1));
        var again = await reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(19, again.Buffer.Length);
        reader.AdvanceTo(again.Buffer.End);
        await reader.CompleteAsync();
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] parts)
        {
            var first = new Segments(parts[0], 0);
            var last = first;
            for (var i = 1; i < parts.Length; i++)
            {
                var next = new Segments(parts[i], last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
