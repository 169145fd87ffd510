using System.Globalization;

namespace KafkaKinesisBridge.Firehose.Sink.Tool;

/// <summary>--name value options (a name without a value is a switch).</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            parsed._values[args[i][2..]] = hasValue ? args[++i] : null;
        }

        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string String(string name, string fallback) => _values.TryGetValue(name, out var v) && v is not null ? v : fallback;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) && v is not null ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => _values.TryGetValue(name, out var v) && v is not null ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
