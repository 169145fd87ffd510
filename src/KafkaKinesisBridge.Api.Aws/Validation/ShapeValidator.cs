using System.Buffers;
using System.Buffers.Text;
using System.Text;
using KafkaKinesisBridge.Api.Aws.Protocol;
using KafkaKinesisBridge.Api.Aws.Serialization;

namespace KafkaKinesisBridge.Api.Aws.Validation;

/// <summary>A blob member's decoded length (validation needs no more of it).</summary>
internal sealed class BlobValue(int length)
{
    public int Length { get; } = length;
}

/// <summary>A structure's member values, by member index (null: absent or null).</summary>
internal sealed class StructureValue(Shape shape)
{
    public Shape Shape { get; } = shape;

    public object?[] Values { get; } = new object?[shape.Members.Length];
}

/// <summary>
/// Checks a request body against its operation's input shape the way the service framework does,
/// before the operation runs, for every operation of a service (Kinesis, Firehose) from one table.
/// </summary>
/// <remarks>
/// <para>Two passes, as Coral's: the body is deserialized against the shape (members of the model
/// only; unknown members are ignored), and the first value of the wrong JSON/CBOR type is a
/// SerializationException with Coral's text (<see cref="CoralMessages"/>); then every constraint of
/// every member is checked in the service's member order and the violations are reported together,
/// at most 10, as one ValidationException ("2 validation errors detected: ...").</para>
/// <para>The body is not modified: JSON blobs are measured, not decoded; a CBOR body is read from a
/// pooled copy (the CBOR reader makes indefinite-length strings contiguous in place).</para>
/// </remarks>
internal static class ShapeValidator
{
    /// <summary>The most violations one ValidationException lists (as the service).</summary>
    public const int MaxReported = 10;

    /// <summary>Elements of a bounded list kept for the checks and the message (at least the bound + 1).</summary>
    private const int MaxKeptElements = 1024;

    /// <summary>Validates <paramref name="body"/> as the input of <paramref name="input"/>: null when it is valid.</summary>
    public static KinesisWireError? Validate(Shape input, KinesisWireFormat format, ReadOnlyMemory<byte> body)
    {
        StructureValue root;
        byte[]? copy = null;
        try
        {
            Memory<byte> readable;
            if (format == KinesisWireFormat.Cbor)
            {
                copy = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
                body.Span.CopyTo(copy);
                readable = copy.AsMemory(0, body.Length);
            }
            else
            {
                // The JSON path only reads: no getter that decodes in place is called.
                readable = System.Runtime.InteropServices.MemoryMarshal.AsMemory(body);
            }

            var reader = new KinesisDocumentReader(format, readable);
            if (!reader.Read() || reader.TokenType != KinesisTokenType.StartObject)
            {
                return KinesisWireErrors.Serialization();
            }

            root = ReadStructure(ref reader, input);
            reader.ReadEndOfDocument();
        }
        catch (CoralTypeException e)
        {
            return KinesisWireErrors.Serialization(e.Message);
        }
        catch (KinesisSerializationException)
        {
            // Malformed JSON/CBOR: the service answers the bare type, without a message.
            return KinesisWireErrors.Serialization();
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        List<string>? errors = null;
        CheckStructure(root, null, ref errors);
        return errors is null ? null : KinesisWireError.BadRequest("ValidationException", CoralMessages.ValidationErrors(errors));
    }

    // ---- Pass 1: deserialize with Coral's type checks ----

    private static StructureValue ReadStructure(ref KinesisDocumentReader reader, Shape shape)
    {
        var value = new StructureValue(shape);
        while (reader.ReadProperty())
        {
            var index = FindMember(ref reader, shape);
            if (index < 0)
            {
                reader.SkipValue();
                continue;
            }

            reader.Read();
            value.Values[index] = ReadValue(ref reader, shape.Members[index].Shape);
        }

        return value;
    }

    private static int FindMember(ref KinesisDocumentReader reader, Shape shape)
    {
        var members = shape.Members;
        for (var i = 0; i < members.Length; i++)
        {
            if (reader.PropertyNameEquals(members[i].Utf8Name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Reads the value the reader is on as <paramref name="shape"/>.</summary>
    private static object? ReadValue(ref KinesisDocumentReader reader, Shape shape)
    {
        var token = reader.TokenType;
        if (token == KinesisTokenType.Null)
        {
            return null;
        }

        switch (shape.Kind)
        {
            case ShapeKind.Structure:
                RejectUnlessContainer(token, KinesisTokenType.StartObject, CoralMessages.ExpectedStructure);
                return ReadStructure(ref reader, shape);
            case ShapeKind.List:
                RejectUnlessContainer(token, KinesisTokenType.StartArray, CoralMessages.ExpectedList);
                // Elements past a bound are still read (type errors count) but not kept: a body of a
                // million empty entries must not become a million objects or a rendered message of
                // that size. The length check only needs to see that the bound was passed.
                var keep = shape.Max is { } maxElements ? Math.Max(maxElements + 1, MaxKeptElements) : int.MaxValue;
                var list = new List<object?>();
                while (reader.ReadArrayElement())
                {
                    var element = ReadValue(ref reader, shape.Element!);
                    if (list.Count < keep)
                    {
                        list.Add(element);
                    }
                }

                return list;
            case ShapeKind.Map:
                RejectUnlessContainer(token, KinesisTokenType.StartObject, CoralMessages.ExpectedMap);
                // A later duplicate key replaces the earlier one (found through an index, not a scan,
                // so a map of 100k keys stays linear); entries past the bound are read, not kept.
                var keepEntries = shape.Max is { } maxEntries ? Math.Max(maxEntries + 1, MaxKeptElements) : int.MaxValue;
                var map = new List<KeyValuePair<string, object?>>();
                var positions = new Dictionary<string, int>(StringComparer.Ordinal);
                while (reader.ReadProperty())
                {
                    var key = reader.GetString();
                    reader.Read();
                    var entry = ReadValue(ref reader, shape.Value!);
                    if (positions.TryGetValue(key, out var existing))
                    {
                        map[existing] = new(key, entry);
                    }
                    else if (map.Count < keepEntries)
                    {
                        positions.Add(key, map.Count);
                        map.Add(new(key, entry));
                    }
                }

                return map;
            case ShapeKind.String:
                return token switch
                {
                    KinesisTokenType.String => reader.GetString(),
                    _ => throw Mismatch(token, shape.Kind),
                };
            case ShapeKind.Blob:
                return ReadBlob(ref reader, token);
            case ShapeKind.Boolean:
                return token switch
                {
                    KinesisTokenType.True => true,
                    KinesisTokenType.False => false,
                    KinesisTokenType.String => throw new CoralTypeException(CoralMessages.StringToBoolean(reader.GetString())),
                    _ => throw Mismatch(token, shape.Kind),
                };
            case ShapeKind.Integer or ShapeKind.Long:
                return token == KinesisTokenType.Number ? ReadIntegral(ref reader, shape.Kind) : throw Mismatch(token, shape.Kind);
            case ShapeKind.Double or ShapeKind.Float:
                return token == KinesisTokenType.Number ? reader.GetDouble() : throw Mismatch(token, shape.Kind);
            default:
                // Timestamps: epoch seconds in JSON, tag 1 (or a bare number) in CBOR.
                return token is KinesisTokenType.Number or KinesisTokenType.Timestamp ? 0L : throw Mismatch(token, shape.Kind);
        }
    }

    /// <summary>An integral member: Coral truncates a fraction (TruncatingBigNumber) and saturates at the type's range.</summary>
    private static long ReadIntegral(ref KinesisDocumentReader reader, ShapeKind kind)
    {
        long value;
        if (!reader.TryGetInt64(out value))
        {
            var number = Math.Floor(reader.GetDouble());
            value = number >= long.MaxValue ? long.MaxValue : number <= long.MinValue ? long.MinValue : (long)number;
        }

        return kind == ShapeKind.Integer ? Math.Clamp(value, int.MinValue, int.MaxValue) : value;
    }

    private static BlobValue ReadBlob(ref KinesisDocumentReader reader, KinesisTokenType token)
    {
        if (token == KinesisTokenType.Blob)
        {
            return new BlobValue(reader.GetBlob().Length);
        }

        if (token != KinesisTokenType.String || !reader.IsJson)
        {
            throw Mismatch(token, ShapeKind.Blob);
        }

        var raw = reader.GetRawString(out var escaped);
        if (!escaped && raw.IndexOfAny(" \t\r\n"u8) < 0 && Base64.IsValid(raw, out var decoded) && IsCanonicalEnd(raw))
        {
            return new BlobValue(decoded);
        }

        // Not plain canonical base64 (or escaped, which base64 never needs but "\/" allows): check it
        // character by character for Coral's message.
        var text = escaped ? reader.GetString() : Encoding.UTF8.GetString(raw);
        return new BlobValue(CheckBase64(text));
    }

    /// <summary>True when the last character before padding carries no stray bits (the encoding is canonical).</summary>
    private static bool IsCanonicalEnd(ReadOnlySpan<byte> text)
    {
        if (text.Length == 0 || text[^1] != (byte)'=')
        {
            return true;
        }

        var padding = text[^2] == (byte)'=' ? 2 : 1;
        var last = Base64Digit((char)text[^(padding + 1)]);
        return padding == 2 ? (last & 0x0F) == 0 : (last & 0x03) == 0;
    }

    private static int CheckBase64(string text)
    {
        if (text.Length % 4 != 0)
        {
            throw new CoralTypeException(CoralMessages.Base64Length(text));
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (Base64Digit(c) < 0 && c != '=')
            {
                throw new CoralTypeException(CoralMessages.Base64Character(text, c));
            }

            if (c == '=' && i + 1 < text.Length && text[i + 1] != '=')
            {
                throw new CoralTypeException(CoralMessages.Base64Character(text, c));
            }
        }

        var padding = text.Length - text.TrimEnd('=').Length;
        if (padding > 2 || !IsCanonicalEnd(Encoding.ASCII.GetBytes(text)))
        {
            throw new CoralTypeException(CoralMessages.Base64LastCharacter(text));
        }

        return (text.Length / 4 * 3) - padding;
    }

    private static int Base64Digit(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };

    private static void RejectUnlessContainer(KinesisTokenType token, KinesisTokenType expected, string scalarMessage)
    {
        if (token == expected)
        {
            return;
        }

        throw token switch
        {
            KinesisTokenType.StartArray => new CoralTypeException(CoralMessages.UnexpectedList),
            KinesisTokenType.StartObject => new CoralTypeException(CoralMessages.UnexpectedStructure),
            _ => new CoralTypeException(scalarMessage),
        };
    }

    private static CoralTypeException Mismatch(KinesisTokenType token, ShapeKind target) => new(token switch
    {
        KinesisTokenType.StartArray => CoralMessages.UnexpectedList,
        KinesisTokenType.StartObject => CoralMessages.UnexpectedStructure,
        KinesisTokenType.True or KinesisTokenType.False => CoralMessages.BooleanCannotConvert(target),
        KinesisTokenType.Number or KinesisTokenType.Timestamp => CoralMessages.NumberCannotConvert(target),
        KinesisTokenType.Blob => CoralMessages.CannotConvert("class java.nio.HeapByteBuffer", target),
        _ => CoralMessages.StringCannotConvert(target),
    });

    // ---- Pass 2: constraints, every violation, in the service's order ----

    private static void CheckStructure(StructureValue structure, string? path, ref List<string>? errors)
    {
        var members = structure.Shape.Members;
        for (var i = 0; i < members.Length; i++)
        {
            var member = members[i];
            CheckMember(member.Shape, structure.Values[i], path is null ? member.PathName : path + "." + member.PathName, member.Required, ref errors);
        }
    }

    private static void CheckMember(Shape shape, object? value, string path, bool required, ref List<string>? errors)
    {
        if (value is null)
        {
            if (required)
            {
                Add(ref errors, "null", path, CoralMessages.MustNotBeNull);
            }

            return;
        }

        switch (value)
        {
            case long or double when shape.IsNumber:
                var number = value is long l ? l : (decimal)(double)value;
                if (shape.Min is { } min && number < min)
                {
                    Add(ref errors, CoralMessages.Render(value), path, CoralMessages.ValueAtLeast(min));
                }

                if (shape.Max is { } max && number > max)
                {
                    Add(ref errors, CoralMessages.Render(value), path, CoralMessages.ValueAtMost(max));
                }

                return;
            case string text:
                if (shape.Pattern is not null && !shape.Matches(text))
                {
                    Add(ref errors, CoralMessages.Render(text), path, CoralMessages.Pattern(shape.Pattern));
                }

                CheckLength(shape, text.Length, text, path, ref errors);
                if (shape.Enum is { } values && Array.IndexOf(values, text) < 0)
                {
                    Add(ref errors, CoralMessages.Render(text), path, CoralMessages.EnumSet(values));
                }

                return;
            case BlobValue blob:
                CheckLength(shape, blob.Length, blob, path, ref errors);
                return;
            case List<object?> list:
                CheckLength(shape, list.Count, list, path, ref errors);
                CheckElements(shape.Element!, list, path, ref errors);
                return;
            case List<KeyValuePair<string, object?>> map:
                CheckLength(shape, map.Count, map, path, ref errors);
                CheckEntries(shape, map, path, ref errors);
                return;
            case StructureValue nested:
                CheckStructure(nested, path, ref errors);
                return;
        }
    }

    private static void CheckLength(Shape shape, int length, object value, string path, ref List<string>? errors)
    {
        if (errors is { Count: >= MaxReported })
        {
            return;
        }

        if (shape.Min is { } min && length < min)
        {
            Add(ref errors, CoralMessages.Render(value), path, CoralMessages.LengthAtLeast(min));
        }

        if (shape.Max is { } max && length > max)
        {
            Add(ref errors, CoralMessages.Render(value), path, CoralMessages.LengthAtMost(max));
        }
    }

    /// <summary>
    /// A list's elements: simple elements are checked together and reported once at the list
    /// ("Member must satisfy constraint: [...]"); structures are checked member by member at
    /// <c>list.N.member.x</c> (N from 1), as Coral names them.
    /// </summary>
    private static void CheckElements(Shape element, List<object?> list, string path, ref List<string>? errors)
    {
        if (element.Kind == ShapeKind.Structure)
        {
            for (var i = 0; i < list.Count && errors is not { Count: >= MaxReported }; i++)
            {
                if (list[i] is StructureValue structure)
                {
                    CheckStructure(structure, path + "." + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".member", ref errors);
                }
            }

            return;
        }

        if (element.HasConstraints && list.Exists(e => e is not null && !Satisfies(element, e)))
        {
            Add(ref errors, CoralMessages.Render(list), path, CoralMessages.ElementConstraint(element));
        }
    }

    private static void CheckEntries(Shape shape, List<KeyValuePair<string, object?>> map, string path, ref List<string>? errors)
    {
        if (shape.Key!.HasConstraints && map.Exists(e => !Satisfies(shape.Key, e.Key)))
        {
            Add(ref errors, CoralMessages.Render(map), path, CoralMessages.MapKeyConstraint(shape.Key));
        }

        var value = shape.Value!;
        if (value.Kind == ShapeKind.Structure)
        {
            foreach (var entry in map)
            {
                if (entry.Value is StructureValue structure)
                {
                    CheckStructure(structure, path + "." + entry.Key, ref errors);
                }
            }
        }
        else if (value.HasConstraints && map.Exists(e => e.Value is not null && !Satisfies(value, e.Value)))
        {
            Add(ref errors, CoralMessages.Render(map), path, CoralMessages.MapValueConstraint(value));
        }
    }

    /// <summary>True when a simple value meets every constraint of its shape.</summary>
    private static bool Satisfies(Shape shape, object value)
    {
        List<string>? probe = null;
        CheckMember(shape, value, string.Empty, required: false, ref probe);
        return probe is null;
    }

    private static void Add(ref List<string>? errors, string renderedValue, string path, string constraint)
    {
        errors ??= [];
        if (errors.Count < MaxReported)
        {
            errors.Add(CoralMessages.Violation(renderedValue, path, constraint));
        }
    }

    /// <summary>A value of the wrong type: answered as SerializationException with Coral's text.</summary>
    private sealed class CoralTypeException(string message) : Exception(message);
}
