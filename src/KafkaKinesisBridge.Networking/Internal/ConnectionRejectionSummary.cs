using System.Net;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Networking.Internal;

/// <summary>
/// Counts connections a sniffed port turned away and logs them as one summary line per interval.
/// </summary>
/// <remarks>
/// Someone holding thousands of silent sockets, or opening connections faster than the limit allows,
/// would otherwise produce one log line per connection: the log would grow as fast as the attack and
/// bury everything else (the attack in issue 8 wrote 4,830 warning lines in 25 seconds). The
/// per-connection details stay available at Debug level.
/// </remarks>
internal sealed class ConnectionRejectionSummary : IDisposable
{
    private readonly ILogger _logger;
    private readonly IPEndPoint _endPoint;
    private readonly ProtocolSniffingOptions _options;
    private readonly ITimer _timer;
    private long _atLimit;
    private long _timedOut;

    public ConnectionRejectionSummary(ILogger logger, IPEndPoint endPoint, ProtocolSniffingOptions options)
    {
        _logger = logger;
        _endPoint = endPoint;
        _options = options;
        _timer = options.TimeProvider.CreateTimer(static state => ((ConnectionRejectionSummary)state!).Flush(), this, options.RejectionLogInterval, options.RejectionLogInterval);
    }

    /// <summary>Connections closed at the connection limit since the port was bound.</summary>
    public long TotalAtLimit { get; private set; }

    /// <summary>Connections closed for sending no protocol preface in time since the port was bound.</summary>
    public long TotalTimedOut { get; private set; }

    public void OnRejectedAtLimit() => Interlocked.Increment(ref _atLimit);

    public void OnTimedOut() => Interlocked.Increment(ref _timedOut);

    /// <summary>Logs what was counted since the last line, if anything.</summary>
    public void Flush()
    {
        var atLimit = Interlocked.Exchange(ref _atLimit, 0);
        var timedOut = Interlocked.Exchange(ref _timedOut, 0);
        if (atLimit == 0 && timedOut == 0)
        {
            return;
        }

        lock (_timer)
        {
            TotalAtLimit += atLimit;
            TotalTimedOut += timedOut;
        }

        // At the limit, real clients are being refused: an operator must see it. Silent connections
        // timing out hurt no one else now, so they are information.
        if (atLimit > 0)
        {
            SniffingLog.RejectionSummaryAtLimit(_logger, _endPoint, atLimit, _options.MaxConnections, timedOut, _options.SniffTimeout, _options.RejectionLogInterval);
        }
        else
        {
            SniffingLog.RejectionSummaryTimedOut(_logger, _endPoint, timedOut, _options.SniffTimeout, _options.RejectionLogInterval);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}
