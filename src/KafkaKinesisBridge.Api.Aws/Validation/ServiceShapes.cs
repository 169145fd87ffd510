using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace KafkaKinesisBridge.Api.Aws.Validation;

/// <summary>The type of a model shape (Smithy / AWS SDK service model types).</summary>
internal enum ShapeKind : byte
{
    Structure,
    List,
    Map,
    String,
    Blob,
    Boolean,
    Integer,
    Long,
    Double,
    Float,
    Timestamp,
}

/// <summary>One member of a structure shape.</summary>
internal sealed class ShapeMember(string name, Shape shape, bool required)
{
    /// <summary>The member's wire name (UTF-8), as requests spell it.</summary>
    public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

    public string Name { get; } = name;

    /// <summary>The name in validation messages: the wire name with a lower-case first letter (Coral's member path).</summary>
    public string PathName { get; } = char.ToLowerInvariant(name[0]) + name[1..];

    public Shape Shape { get; } = shape;

    public bool Required { get; } = required;
}

/// <summary>
/// A shape of the service model with the constraints the service checks: required members, min and
/// max (a length for strings, blobs, lists and maps; a value for numbers), pattern and enum.
/// </summary>
internal sealed class Shape
{
    private Regex? _regex;

    public Shape(string name, ShapeKind kind)
    {
        Name = name;
        Kind = kind;
    }

    public string Name { get; }

    public ShapeKind Kind { get; }

    public decimal? Min { get; set; }

    public decimal? Max { get; set; }

    public string? Pattern { get; set; }

    /// <summary>The allowed values, in the order the service quotes them.</summary>
    public string[]? Enum { get; set; }

    /// <summary>A structure's members, in the order the service validates them.</summary>
    public ShapeMember[] Members { get; set; } = [];

    /// <summary>A list's element shape.</summary>
    public Shape? Element { get; set; }

    /// <summary>A map's key shape.</summary>
    public Shape? Key { get; set; }

    /// <summary>A map's value shape.</summary>
    public Shape? Value { get; set; }

    /// <summary>True when a value of this shape can violate anything (so containers skip checking elements that cannot).</summary>
    public bool HasConstraints => Min is not null || Max is not null || Pattern is not null || Enum is not null;

    public bool IsNumber => Kind is ShapeKind.Integer or ShapeKind.Long or ShapeKind.Double or ShapeKind.Float;

    /// <summary>The pattern as a whole-value match (Java's <c>Pattern.matches</c>, which Coral uses).</summary>
    public bool Matches(string value)
    {
        _regex ??= new Regex(ToDotNetPattern(Pattern!), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        try
        {
            return _regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// A model pattern (Java regular expression syntax) as an anchored .NET one. Java reads a
    /// backslash before any non-letter as that character; .NET refuses <c>\_</c>, so it is unescaped.
    /// </summary>
    public static string ToDotNetPattern(string pattern) => @"\A(?:" + pattern.Replace(@"\_", "_", StringComparison.Ordinal) + @")\z";
}

/// <summary>
/// The request shapes of one AWS service, loaded from the tables generated from the AWS SDK
/// service model by <c>tools/service-shapes/generate.py</c> (embedded resources
/// <c>Validation/Models/{service}.json</c>): what <see cref="ShapeValidator"/> checks requests against.
/// </summary>
internal sealed class ServiceShapes
{
    private static readonly Lazy<ServiceShapes> LazyKinesis = new(() => Load("kinesis"));
    private static readonly Lazy<ServiceShapes> LazyFirehose = new(() => Load("firehose"));

    private readonly FrozenDictionary<string, Shape> _inputs;

    private ServiceShapes(string targetPrefix, FrozenDictionary<string, Shape> inputs, FrozenDictionary<string, Shape> shapes)
    {
        TargetPrefix = targetPrefix;
        _inputs = inputs;
        Shapes = shapes;
    }

    /// <summary>Kinesis Data Streams (kinesis 2013-12-02).</summary>
    public static ServiceShapes Kinesis => LazyKinesis.Value;

    /// <summary>Amazon Data Firehose (firehose 2015-08-04).</summary>
    public static ServiceShapes Firehose => LazyFirehose.Value;

    /// <summary>The shapes of the service whose <c>X-Amz-Target</c> prefix is <paramref name="targetPrefix"/>, if there are tables for it.</summary>
    public static ServiceShapes? ForTargetPrefix(string targetPrefix) => targetPrefix switch
    {
        "Kinesis_20131202" => Kinesis,
        "Firehose_20150804" => Firehose,
        _ => null,
    };

    /// <summary>The <c>X-Amz-Target</c> prefix (<c>Kinesis_20131202</c>, <c>Firehose_20150804</c>).</summary>
    public string TargetPrefix { get; }

    /// <summary>Every shape reachable from an operation's input, by name.</summary>
    public FrozenDictionary<string, Shape> Shapes { get; }

    /// <summary>The operation names with an input shape.</summary>
    public IEnumerable<string> Operations => _inputs.Keys;

    /// <summary>The input shape of <paramref name="operation"/>, if the model has it.</summary>
    public Shape? FindInput(string operation) => _inputs.GetValueOrDefault(operation);

    internal static ServiceShapes Load(string service)
    {
        var assembly = typeof(ServiceShapes).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".Validation.Models." + service + ".json", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var document = JsonDocument.Parse(stream);
        return Parse(document.RootElement);
    }

    internal static ServiceShapes Parse(JsonElement root)
    {
        var specs = root.GetProperty("shapes");
        var shapes = new Dictionary<string, Shape>(StringComparer.Ordinal);
        foreach (var spec in specs.EnumerateObject())
        {
            var shape = new Shape(spec.Name, ParseKind(spec.Value.GetProperty("type").GetString()!));
            if (spec.Value.TryGetProperty("min", out var min))
            {
                shape.Min = min.GetDecimal();
            }

            if (spec.Value.TryGetProperty("max", out var max))
            {
                shape.Max = max.GetDecimal();
            }

            if (spec.Value.TryGetProperty("pattern", out var pattern))
            {
                shape.Pattern = pattern.GetString();
            }

            if (spec.Value.TryGetProperty("enum", out var values))
            {
                shape.Enum = [.. values.EnumerateArray().Select(v => v.GetString()!)];
            }

            shapes.Add(spec.Name, shape);
        }

        // Second pass: references between shapes.
        foreach (var spec in specs.EnumerateObject())
        {
            var shape = shapes[spec.Name];
            if (spec.Value.TryGetProperty("members", out var members))
            {
                var required = spec.Value.TryGetProperty("required", out var names)
                    ? names.EnumerateArray().Select(n => n.GetString()!).ToHashSet(StringComparer.Ordinal)
                    : [];
                shape.Members = [.. members.EnumerateArray().Select(m =>
                {
                    var name = m[0].GetString()!;
                    return new ShapeMember(name, shapes[m[1].GetString()!], required.Contains(name));
                })];
            }

            if (spec.Value.TryGetProperty("member", out var element))
            {
                shape.Element = shapes[element.GetString()!];
            }

            if (spec.Value.TryGetProperty("key", out var key))
            {
                shape.Key = shapes[key.GetString()!];
            }

            if (spec.Value.TryGetProperty("value", out var value))
            {
                shape.Value = shapes[value.GetString()!];
            }
        }

        var inputs = root.GetProperty("operations").EnumerateObject()
            .ToFrozenDictionary(o => o.Name, o => shapes[o.Value.GetString()!], StringComparer.Ordinal);
        return new ServiceShapes(root.GetProperty("targetPrefix").GetString()!, inputs, shapes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static ShapeKind ParseKind(string type) => type switch
    {
        "structure" => ShapeKind.Structure,
        "list" => ShapeKind.List,
        "map" => ShapeKind.Map,
        "string" => ShapeKind.String,
        "blob" => ShapeKind.Blob,
        "boolean" => ShapeKind.Boolean,
        "integer" => ShapeKind.Integer,
        "long" => ShapeKind.Long,
        "double" => ShapeKind.Double,
        "float" => ShapeKind.Float,
        "timestamp" => ShapeKind.Timestamp,
        _ => throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"Unknown shape type '{type}'.")),
    };
}
