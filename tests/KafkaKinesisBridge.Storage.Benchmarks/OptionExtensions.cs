using System.Globalization;

namespace KafkaKinesisBridge.Storage.Benchmarks;

/// <summary>Reads the command line options parsed by Program.</summary>
internal static class OptionExtensions
{
    public static int Int(this Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public static bool Flag(this Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) && value == "true";

    public static string? Text(this Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : null;
}
