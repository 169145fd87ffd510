using System.Globalization;
using System.Text;

namespace KafkaKinesisBridge.Api.Aws.Validation;

/// <summary>
/// The texts of the service framework (Coral) that Kinesis and Firehose requests are refused with,
/// in one place: SerializationException texts for a value of the wrong JSON/CBOR type (sent under a
/// capital <c>Message</c>), and the ValidationException texts for violated constraints. Recorded
/// against Kinesis by kinesalite's tests (validations/index.js) and the conformance suite built on them.
/// </summary>
internal static class CoralMessages
{
    // Java class names Coral's JSON deserializer reports for a value it cannot convert.
    private const string NumberClass = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
    private const string BooleanClass = "class java.lang.Boolean";
    private const string StringClass = "class java.lang.String";

    public const string UnexpectedList = "Start of list found where not expected";
    public const string UnexpectedStructure = "Start of structure or map found where not expected.";
    public const string ExpectedList = "Expected list or null";
    public const string ExpectedMap = "Expected map or null";
    public const string ExpectedStructure = "Expected null";

    public const string MustNotBeNull = "Member must not be null";

    /// <summary>"class X can not be converted to an String": Coral's words, article included.</summary>
    public static string CannotConvert(string javaClass, ShapeKind target) => target switch
    {
        ShapeKind.Blob => javaClass + " can not be converted to a Blob",
        ShapeKind.Timestamp => javaClass + " can not be converted to milliseconds since epoch",
        _ => javaClass + " can not be converted to an " + JavaType(target),
    };

    public static string NumberCannotConvert(ShapeKind target) => CannotConvert(NumberClass, target);

    public static string BooleanCannotConvert(ShapeKind target) => CannotConvert(BooleanClass, target);

    public static string StringCannotConvert(ShapeKind target) => CannotConvert(StringClass, target);

    /// <summary>A string where a boolean belongs: Coral quotes it upper-cased.</summary>
    public static string StringToBoolean(string value) => "'" + value.ToUpperInvariant() + "' can not be converted to an Boolean";

    public static string Base64Length(string value) => string.Create(
        CultureInfo.InvariantCulture,
        $"'{value}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: {value.Length}");

    public static string Base64Character(string value, char bad) =>
        "'" + value + "' can not be converted to a Blob: Invalid Base64 character: '" + bad + "'";

    // Coral's own spelling.
    public static string Base64LastCharacter(string value) =>
        "'" + value + "' can not be converted to a Blob: Invalid last non-pad Base64 character dectected";

    public static string ValueAtLeast(decimal min) => "Member must have value greater than or equal to " + Number(min);

    public static string ValueAtMost(decimal max) => "Member must have value less than or equal to " + Number(max);

    public static string LengthAtLeast(decimal min) => "Member must have length greater than or equal to " + Number(min);

    public static string LengthAtMost(decimal max) => "Member must have length less than or equal to " + Number(max);

    public static string Pattern(string pattern) => "Member must satisfy regular expression pattern: " + pattern;

    public static string EnumSet(string[] values) => "Member must satisfy enum value set: [" + string.Join(", ", values) + "]";

    /// <summary>The constraints of a list's elements, quoted at the list: "Member must satisfy constraint: [...]".</summary>
    public static string ElementConstraint(Shape element) => "Member must satisfy constraint: [" + ShapeConstraints(element) + "]";

    public static string MapKeyConstraint(Shape key) => "Map keys must satisfy constraint: [" + ShapeConstraints(key) + "]";

    public static string MapValueConstraint(Shape value) => "Map value must satisfy constraint: [" + ShapeConstraints(value) + "]";

    /// <summary>"N validation error(s) detected: ...; ...".</summary>
    public static string ValidationErrors(IReadOnlyList<string> errors) =>
        string.Create(CultureInfo.InvariantCulture, $"{errors.Count} validation error{(errors.Count > 1 ? "s" : string.Empty)} detected: ") + string.Join("; ", errors);

    /// <summary>One violation: "Value 'x' at 'path' failed to satisfy constraint: ...".</summary>
    public static string Violation(string renderedValue, string path, string constraint) =>
        "Value " + renderedValue + " at '" + path + "' failed to satisfy constraint: " + constraint;

    /// <summary>Every constraint of a shape, as Coral lists them for container elements (maximum before minimum).</summary>
    private static string ShapeConstraints(Shape shape)
    {
        var parts = new List<string>(4);
        var isLength = !shape.IsNumber;
        if (shape.Max is { } max)
        {
            parts.Add(isLength ? LengthAtMost(max) : ValueAtMost(max));
        }

        if (shape.Min is { } min)
        {
            parts.Add(isLength ? LengthAtLeast(min) : ValueAtLeast(min));
        }

        if (shape.Pattern is { } pattern)
        {
            parts.Add(Pattern(pattern));
        }

        if (shape.Enum is { } values)
        {
            parts.Add(EnumSet(values));
        }

        return string.Join(", ", parts);
    }

    private static string JavaType(ShapeKind kind) => kind switch
    {
        ShapeKind.String => "String",
        ShapeKind.Boolean => "Boolean",
        ShapeKind.Integer => "Integer",
        ShapeKind.Long => "Long",
        ShapeKind.Double => "Double",
        ShapeKind.Float => "Float",
        _ => kind.ToString(),
    };

    private static string Number(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>Renders a value as Coral quotes it: 'text', 'number', '[a, b]', '{k=v}', a blob as the Java ByteBuffer, or null.</summary>
    public static string Render(object? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder("'");
        AppendValue(builder, value);
        return builder.Append('\'').ToString();
    }

    private static void AppendValue(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string text:
                builder.Append(text);
                break;
            case BlobValue blob:
                builder.Append(CultureInfo.InvariantCulture, $"java.nio.HeapByteBuffer[pos=0 lim={blob.Length} cap={blob.Length}]");
                break;
            case List<object?> list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    AppendValue(builder, list[i]);
                }

                builder.Append(']');
                break;
            case List<KeyValuePair<string, object?>> map:
                builder.Append('{');
                for (var i = 0; i < map.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    builder.Append(map[i].Key).Append('=');
                    AppendValue(builder, map[i].Value);
                }

                builder.Append('}');
                break;
            case StructureValue structure:
                // A model object's toString: Shape(member=value, ...).
                builder.Append(structure.Shape.Name).Append('(');
                for (var i = 0; i < structure.Values.Length; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(", ");
                    }

                    builder.Append(structure.Shape.Members[i].PathName).Append('=');
                    AppendValue(builder, structure.Values[i]);
                }

                builder.Append(')');
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            case IFormattable number:
                builder.Append(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                builder.Append(value);
                break;
        }
    }
}
