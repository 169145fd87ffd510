namespace KafkaKinesisBridge.Networking;

/// <summary>Limits for the per-connection protocol sniff on a shared HTTP/1.1 + h2c port.</summary>
public sealed class ProtocolSniffingOptions
{
    /// <summary>Default <see cref="SniffTimeout"/>.</summary>
    public static readonly TimeSpan DefaultSniffTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default <see cref="MaxPendingConnections"/>.</summary>
    public const int DefaultMaxPendingConnections = 1024;

    /// <summary>
    /// How long a new connection may take to send enough bytes to be classified (one byte for
    /// HTTP/1.x, the 24-byte preface for HTTP/2). A connection that sends nothing, or only part of
    /// the preface, within this time is closed. Kestrel's own timeouts apply once it is handed over.
    /// </summary>
    public TimeSpan SniffTimeout { get; set; } = DefaultSniffTimeout;

    /// <summary>
    /// How many accepted connections may be waiting for their first bytes at once. Further
    /// connections are closed at once (and logged), as Kestrel does beyond its connection limit, so
    /// idle connections cannot pile up before Kestrel's own limits see them.
    /// </summary>
    public int MaxPendingConnections { get; set; } = DefaultMaxPendingConnections;

    /// <summary>Clock for <see cref="SniffTimeout"/> (tests substitute a manual one).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (SniffTimeout <= TimeSpan.Zero && SniffTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(SniffTimeout)} must be positive (or infinite), not {SniffTimeout}.", nameof(SniffTimeout));
        }

        if (MaxPendingConnections < 1)
        {
            throw new ArgumentException($"{nameof(MaxPendingConnections)} must be at least 1, not {MaxPendingConnections}.", nameof(MaxPendingConnections));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
