using System.Globalization;
using System.Text;

namespace KafkaKinesisBridge.Firehose.Sink.Naming;

/// <summary>
/// A compiled Java <c>DateTimeFormatter.ofPattern</c> pattern, the syntax of Firehose's
/// <c>!{timestamp:...}</c> expressions ("Custom Prefixes for Amazon S3 Objects"). Supports the
/// letters people put in object prefixes (JDK 8 DateTimeFormatter, "Patterns for Formatting and
/// Parsing"): y/u year, M/L month, d day, D day of year, H/k/K/h hours, m minute, s second,
/// S fraction, a AM/PM, E day name; quoted text <c>'...'</c> (<c>''</c> is a quote) and any other
/// non-letter as is. English names, as Java's default locale on AWS. Other letters are refused.
/// </summary>
internal sealed class JavaDateTimePattern
{
    private readonly Token[] _tokens;

    private JavaDateTimePattern(Token[] tokens) => _tokens = tokens;

    /// <summary>Compiles <paramref name="pattern"/>; returns false with the reason when Java would refuse it
    /// or when it uses a letter this implementation lacks.</summary>
    public static bool TryCompile(string pattern, out JavaDateTimePattern? compiled, out string? error)
    {
        compiled = null;
        var tokens = new List<Token>();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == '\'')
            {
                var text = new StringBuilder();
                i++;
                var closed = false;
                while (i < pattern.Length)
                {
                    if (pattern[i] == '\'')
                    {
                        if (i + 1 < pattern.Length && pattern[i + 1] == '\'')
                        {
                            text.Append('\'');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    text.Append(pattern[i]);
                    i++;
                }

                if (!closed)
                {
                    error = $"Unterminated quote in timestamp pattern '{pattern}'.";
                    return false;
                }

                // '' outside text is a literal quote.
                tokens.Add(new Token('\0', 0, text.Length == 0 ? "'" : text.ToString()));
                continue;
            }

            if (c is '[' or ']' or '{' or '}' or '#')
            {
                error = $"Character '{c}' is reserved in timestamp pattern '{pattern}'.";
                return false;
            }

            if (!char.IsAsciiLetter(c))
            {
                tokens.Add(new Token('\0', 0, c.ToString()));
                i++;
                continue;
            }

            var count = 1;
            while (i + count < pattern.Length && pattern[i + count] == c)
            {
                count++;
            }

            var max = c switch
            {
                'y' or 'u' => 19,
                'M' or 'L' or 'E' => 5,
                'd' or 'H' or 'h' or 'k' or 'K' or 'm' or 's' => 2,
                'D' => 3,
                'S' => 9,
                'a' => 1,
                _ => 0,
            };
            if (max == 0)
            {
                error = $"Pattern letter '{c}' is not supported in timestamp pattern '{pattern}'.";
                return false;
            }

            if (count > max)
            {
                error = $"Too many pattern letters: '{c}' in timestamp pattern '{pattern}'.";
                return false;
            }

            tokens.Add(new Token(c, count, null));
            i += count;
        }

        compiled = new JavaDateTimePattern([.. tokens]);
        error = null;
        return true;
    }

    /// <summary>Formats <paramref name="time"/> (already in the wanted time zone).</summary>
    public void Format(DateTimeOffset time, StringBuilder output)
    {
        foreach (var token in _tokens)
        {
            if (token.Literal is not null)
            {
                output.Append(token.Literal);
                continue;
            }

            var n = token.Count;
            switch (token.Letter)
            {
                case 'y' or 'u':
                    if (n == 2)
                    {
                        Pad(output, time.Year % 100, 2);
                    }
                    else
                    {
                        Pad(output, time.Year, n);
                    }

                    break;
                case 'M' or 'L':
                    if (n <= 2)
                    {
                        Pad(output, time.Month, n);
                    }
                    else
                    {
                        var name = CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(time.Month);
                        output.Append(n == 3 ? name[..3] : n == 4 ? name : name[..1]);
                    }

                    break;
                case 'd':
                    Pad(output, time.Day, n);
                    break;
                case 'D':
                    Pad(output, time.DayOfYear, n);
                    break;
                case 'H':
                    Pad(output, time.Hour, n);
                    break;
                case 'k':
                    Pad(output, time.Hour == 0 ? 24 : time.Hour, n);
                    break;
                case 'K':
                    Pad(output, time.Hour % 12, n);
                    break;
                case 'h':
                    Pad(output, time.Hour % 12 == 0 ? 12 : time.Hour % 12, n);
                    break;
                case 'm':
                    Pad(output, time.Minute, n);
                    break;
                case 's':
                    Pad(output, time.Second, n);
                    break;
                case 'S':
                    // Fraction of second, truncated to n digits (Java "fraction-of-second").
                    var fraction = (time.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture) + "00";
                    output.Append(fraction.AsSpan(0, n));
                    break;
                case 'a':
                    output.Append(time.Hour < 12 ? "AM" : "PM");
                    break;
                case 'E':
                    var day = CultureInfo.InvariantCulture.DateTimeFormat.GetDayName(time.DayOfWeek);
                    output.Append(n <= 3 ? day[..3] : n == 4 ? day : day[..1]);
                    break;
                default:
                    throw new InvalidOperationException("Unreachable: letters are checked when compiling.");
            }
        }
    }

    private static void Pad(StringBuilder output, int value, int width) =>
        output.Append(value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'));

    private readonly record struct Token(char Letter, int Count, string? Literal);
}
