using System.Globalization;

namespace KafkaKinesisBridge.Grpc.Internal;

/// <summary>
/// The <c>grpc-timeout</c> header (gRPC PROTOCOL-HTTP2, "Timeout"): a positive integer of at most 8
/// ASCII digits followed by a unit, H (hours), M (minutes), S (seconds), m (milliseconds),
/// u (microseconds) or n (nanoseconds).
/// </summary>
internal static class GrpcTimeout
{
    private const int MaxDigits = 8;
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value. Returns false for anything that is not exactly digits + unit.</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TimeSpan timeout)
    {
        timeout = default;
        if (value.Length < 2 || value.Length > MaxDigits + 1)
        {
            return false;
        }

        long number = 0;
        var digits = value[..^1];
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        // 99,999,999 hours is about 3.6e18 ticks, still inside TimeSpan's range, so no overflow.
        long ticks;
        switch (value[^1])
        {
            case 'H': ticks = number * TimeSpan.TicksPerHour; break;
            case 'M': ticks = number * TimeSpan.TicksPerMinute; break;
            case 'S': ticks = number * TimeSpan.TicksPerSecond; break;
            case 'm': ticks = number * TimeSpan.TicksPerMillisecond; break;
            case 'u': ticks = number * 10; break;
            case 'n': ticks = number / 100; break;
            default: return false;
        }

        timeout = TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>
    /// Formats <paramref name="timeout"/> in the finest unit whose value fits in 8 digits, rounding up
    /// so the server never sees a shorter timeout than the client uses.
    /// </summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = Math.Max(0, timeout.Ticks);

        // Nanoseconds: one tick is 100 ns.
        if (ticks <= MaxValue / 100)
        {
            return Compose(ticks * 100, 'n');
        }

        ReadOnlySpan<(long TicksPerUnit, char Unit)> units =
        [
            (10, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
            (TimeSpan.TicksPerHour, 'H'),
        ];
        foreach (var (ticksPerUnit, unit) in units)
        {
            var value = (ticks / ticksPerUnit) + (ticks % ticksPerUnit == 0 ? 0 : 1);
            if (value <= MaxValue)
            {
                return Compose(value, unit);
            }
        }

        return Compose(MaxValue, 'H');
    }

    private static string Compose(long value, char unit)
    {
        Span<char> buffer = stackalloc char[MaxDigits + 1];
        value.TryFormat(buffer, out var written, provider: CultureInfo.InvariantCulture);
        buffer[written++] = unit;
        return new string(buffer[..written]);
    }
}
