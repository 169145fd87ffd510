namespace KafkaKinesisBridge.Networking;

/// <summary>Limits for the per-connection protocol sniff and the connections of a shared HTTP/1.1 + h2c port.</summary>
public sealed class ProtocolSniffingOptions
{
    /// <summary>
    /// Default <see cref="SniffTimeout"/>: 2 seconds. A real client sends its request line (or the
    /// HTTP/2 preface) in the first packet after the TCP handshake, so the first bytes arrive within
    /// one round trip; two seconds leaves room for a slow network while a silent socket is released
    /// quickly.
    /// </summary>
    public static readonly TimeSpan DefaultSniffTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Default <see cref="RejectionLogInterval"/>: one summary line per 10 seconds at most.</summary>
    public static readonly TimeSpan DefaultRejectionLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Default <see cref="MaxConnections"/>: 10,000 connections on the port, whatever their state
    /// (a silent connection costs a socket and a few hundred bytes; a busy one what its requests cost).
    /// </summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>
    /// How long a new connection may take to send enough bytes to be classified (one byte for
    /// HTTP/1.x, the 24-byte preface for HTTP/2). A connection that sends nothing, or only part of
    /// the preface, within this time is closed. Kestrel's own timeouts apply once it is handed over.
    /// </summary>
    public TimeSpan SniffTimeout { get; set; } = DefaultSniffTimeout;

    /// <summary>
    /// How many connections the port holds at once, counted from accept until the connection is
    /// closed (while it is sniffed and while Kestrel serves it, both protocols together). A connection
    /// accepted beyond it is closed at once, as Kestrel does beyond
    /// <c>KestrelServerLimits.MaxConcurrentConnections</c> (which counts each logical endpoint of a
    /// sniffed port on its own and does not see connections still being sniffed). Connections waiting
    /// for their first bytes have no lower cap of their own: accepting never waits for a sniff.
    /// </summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>
    /// Connections closed at <see cref="MaxConnections"/> or for sending nothing within
    /// <see cref="SniffTimeout"/> are counted and reported in one summary line per interval (not one
    /// line per connection, which would let a flood of sockets flood the log too).
    /// </summary>
    public TimeSpan RejectionLogInterval { get; set; } = DefaultRejectionLogInterval;

    /// <summary>Clock for <see cref="SniffTimeout"/> and <see cref="RejectionLogInterval"/> (tests substitute a manual one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (SniffTimeout <= TimeSpan.Zero && SniffTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(SniffTimeout)} must be positive (or infinite), not {SniffTimeout}.", nameof(SniffTimeout));
        }

        if (MaxConnections < 1)
        {
            throw new ArgumentException($"{nameof(MaxConnections)} must be at least 1, not {MaxConnections}.", nameof(MaxConnections));
        }

        if (RejectionLogInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RejectionLogInterval)} must be positive, not {RejectionLogInterval}.", nameof(RejectionLogInterval));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
