namespace KafkaKinesisBridge.Core.Security;

/// <summary>
/// A stream name pattern: literal characters and <c>*</c>, which matches any run of characters
/// (also none). <c>orders*</c> matches <c>orders</c> and <c>orders-eu</c>; <c>*</c> matches every
/// stream. Case-sensitive, as stream names are.
/// </summary>
public sealed class StreamNamePattern
{
    private readonly string _pattern;

    private StreamNamePattern(string pattern) => _pattern = pattern;

    /// <summary>A pattern from its text; throws <see cref="ArgumentException"/> when empty.</summary>
    public static StreamNamePattern Parse(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            throw new ArgumentException("A stream name pattern must not be empty (use * for every stream).", nameof(pattern));
        }

        return new StreamNamePattern(pattern.Trim());
    }

    /// <summary>True when <paramref name="streamName"/> matches.</summary>
    public bool Matches(ReadOnlySpan<char> streamName)
    {
        // Glob matching with backtracking to the last star only: linear in practice, at worst
        // pattern length times name length (both at most a few hundred characters).
        ReadOnlySpan<char> pattern = _pattern;
        int p = 0, n = 0, star = -1, resume = 0;
        while (n < streamName.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = n;
            }
            else if (p < pattern.Length && pattern[p] == streamName[n])
            {
                p++;
                n++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <inheritdoc />
    public override string ToString() => _pattern;
}
