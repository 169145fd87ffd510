using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using KafkaKinesisBridge.Api.Aws.Cbor;
using KafkaKinesisBridge.Api.Aws.Protocol;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>The kind of the token a <see cref="KinesisDocumentReader"/> is on.</summary>
public enum KinesisTokenType : byte
{
    None = 0,
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    PropertyName,

    /// <summary>A text string (in JSON also a blob or a timestamp string: the getter decides).</summary>
    String,

    /// <summary>A CBOR byte string.</summary>
    Blob,

    /// <summary>A number (in CBOR an untagged integer or float).</summary>
    Number,

    /// <summary>A CBOR tag 1 timestamp.</summary>
    Timestamp,
    True,
    False,
    Null,
}

/// <summary>
/// Reads a Kinesis request body, AWS JSON 1.1 or AWS CBOR 1.1, through one API, so each operation's
/// request is parsed by one piece of code for both encodings.
/// </summary>
/// <remarks>
/// <para>Typical use: <see cref="ReadStartObject"/>, then <c>while (ReadProperty())</c> with
/// <see cref="PropertyNameEquals"/> and a <c>Read*</c> call for each member (or <see cref="SkipValue"/>),
/// then <see cref="ReadEndOfDocument"/>. <c>Read*</c> methods move to the next token and return
/// null for a JSON/CBOR null; <c>Get*</c> methods convert the current token.</para>
/// <para>Blobs are decoded where they lie in the body (JSON base64 decoded in place, CBOR byte strings
/// sliced), so record data costs no allocation; the returned memory is valid as long as the body.
/// That makes reading destructive: a body can be read once.</para>
/// <para>Malformed input or a member of the wrong type throws <see cref="KinesisSerializationException"/>
/// (answered as <c>SerializationException</c>).</para>
/// <para>Bounded cost: the reader allocates nothing per token, nests at most <see cref="MaxDepth"/>
/// levels, and checks every JSON string (member names and values, including skipped members) for
/// valid UTF-8 and, when escaped, for lone surrogates as it reads it, as CBOR text is checked (RFC 8259
/// §8.1 requires UTF-8; RFC 3629 forbids encoded surrogates), so a bad string is a
/// SerializationException wherever it is, never a transcoding fault later.</para>
/// </remarks>
public ref partial struct KinesisDocumentReader
{
    /// <summary>The deepest nesting read: Kinesis requests nest at most 4 levels (PutRecords → Records → entry → member).</summary>
    public const int MaxDepth = 64;

    private readonly KinesisWireFormat _format;
    private readonly Memory<byte> _body;
    private Utf8JsonReader _json;
    private CborReader _cbor;
    private FrameStack _frames;
    private int _depth;
    private bool _rootStarted;
    private ReadOnlySpan<byte> _text;
    private ReadOnlySpan<byte> _propertyName;
    private long _integer;
    private double _double;
    private bool _isInteger;

    /// <summary>A reader over <paramref name="body"/> (which it may modify: see the remarks).</summary>
    public KinesisDocumentReader(KinesisWireFormat format, Memory<byte> body)
    {
        _format = format;
        _body = body;
        if (format == KinesisWireFormat.Json)
        {
            _json = new Utf8JsonReader(body.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
        }
        else
        {
            _cbor = new CborReader(body.Span);
        }

        TokenType = KinesisTokenType.None;
    }

    /// <summary>The current token.</summary>
    public KinesisTokenType TokenType { get; private set; }

    /// <summary>The encoding being read.</summary>
    public readonly KinesisWireFormat Format => _format;

    /// <summary>Moves to the next token; false at the end of the document.</summary>
    public bool Read()
    {
        if (_format == KinesisWireFormat.Json)
        {
            return ReadJson();
        }

        return ReadCbor();
    }

    /// <summary>Reads the document's root, which must be an object (a JSON object / CBOR map).</summary>
    public void ReadStartObject()
    {
        if (!Read() || TokenType != KinesisTokenType.StartObject)
        {
            KinesisSerializationException.Throw(_format == KinesisWireFormat.Json
                ? "The request body must be a JSON object."
                : "The request body must be a CBOR map.");
        }
    }

    /// <summary>Moves to the next member of the current object: true on its name, false at the object's end.</summary>
    public bool ReadProperty()
    {
        Read();
        return TokenType switch
        {
            KinesisTokenType.PropertyName => true,
            KinesisTokenType.EndObject => false,
            _ => ThrowUnexpected<bool>("a member name or the end of an object"),
        };
    }

    /// <summary>Moves to the next element of the current array: true on it, false at the array's end.</summary>
    public bool ReadArrayElement()
    {
        if (!Read())
        {
            KinesisSerializationException.Throw("The document ended inside an array.");
        }

        return TokenType != KinesisTokenType.EndArray;
    }

    /// <summary>Reads the start of an array value: true when it is an array, false when it is null.</summary>
    public bool ReadStartArray()
    {
        Read();
        return TokenType switch
        {
            KinesisTokenType.StartArray => true,
            KinesisTokenType.Null => false,
            _ => ThrowUnexpected<bool>("a list"),
        };
    }

    /// <summary>Reads the start of an object value: true when it is an object, false when it is null.</summary>
    public bool ReadStartNestedObject()
    {
        Read();
        return TokenType switch
        {
            KinesisTokenType.StartObject => true,
            KinesisTokenType.Null => false,
            _ => ThrowUnexpected<bool>("a structure"),
        };
    }

    /// <summary>Checks that nothing follows the root object.</summary>
    public void ReadEndOfDocument()
    {
        if (_format == KinesisWireFormat.Json)
        {
            bool more;
            try
            {
                more = _json.Read();
            }
            catch (JsonException e)
            {
                throw new KinesisSerializationException("Unexpected content after the JSON object.", e);
            }

            if (more)
            {
                KinesisSerializationException.Throw("Unexpected content after the JSON object.");
            }

            return;
        }

        if (_depth != 0 || !_cbor.IsAtEnd)
        {
            KinesisSerializationException.Throw("Unexpected content after the CBOR map.");
        }
    }

    /// <summary>True when the current member name equals <paramref name="utf8Name"/>.</summary>
    public readonly bool PropertyNameEquals(ReadOnlySpan<byte> utf8Name)
    {
        if (TokenType != KinesisTokenType.PropertyName)
        {
            return false;
        }

        return _format == KinesisWireFormat.Json ? _json.ValueTextEquals(utf8Name) : _text.SequenceEqual(utf8Name);
    }

    /// <summary>Skips the value of the current member (on a member name), or the children of the current object or array.</summary>
    public void SkipValue()
    {
        if (_format == KinesisWireFormat.Json)
        {
            // Token by token rather than Utf8JsonReader.Skip, so skipped strings are validated too.
            if (TokenType == KinesisTokenType.PropertyName)
            {
                Read();
            }

            if (TokenType is KinesisTokenType.StartObject or KinesisTokenType.StartArray)
            {
                var depth = _json.CurrentDepth;
                do
                {
                    if (!ReadJson())
                    {
                        KinesisSerializationException.Throw("The JSON document ended inside a container.");
                    }
                }
                while (_json.CurrentDepth > depth);
            }

            return;
        }

        if (TokenType == KinesisTokenType.PropertyName)
        {
            Read();
        }

        if (TokenType is KinesisTokenType.StartObject or KinesisTokenType.StartArray)
        {
            var depth = _depth;
            while (_depth >= depth)
            {
                if (!Read())
                {
                    KinesisSerializationException.Throw("The CBOR document ended inside a container.");
                }
            }
        }
    }

    /// <summary>Reads a string member value (null for null).</summary>
    public string? ReadString()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetString();
    }

    /// <summary>Reads a blob member value (null for null): base64 in JSON, a byte string in CBOR.</summary>
    public ReadOnlyMemory<byte>? ReadBlob()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetBlob();
    }

    /// <summary>Reads an integer member value (null for null).</summary>
    public int? ReadInt32()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetInt32();
    }

    /// <summary>Reads a long member value (null for null).</summary>
    public long? ReadInt64()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetInt64();
    }

    /// <summary>Reads a double member value (null for null).</summary>
    public double? ReadDouble()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetDouble();
    }

    /// <summary>Reads a boolean member value (null for null).</summary>
    public bool? ReadBoolean()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetBoolean();
    }

    /// <summary>Reads a timestamp member value as epoch milliseconds (null for null).</summary>
    public long? ReadTimestamp()
    {
        Read();
        return TokenType == KinesisTokenType.Null ? null : GetTimestampMilliseconds();
    }

    /// <summary>The current member name or string value.</summary>
    public readonly string GetString()
    {
        if (TokenType is not (KinesisTokenType.String or KinesisTokenType.PropertyName))
        {
            return ThrowUnexpected<string>("a string");
        }

        if (_format == KinesisWireFormat.Cbor)
        {
            return Encoding.UTF8.GetString(_text);
        }

        try
        {
            return _json.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            // Unreachable after ReadJson's checks; kept so a transcoding fault can never become a 500.
            throw new KinesisSerializationException($"Value for '{PropertyName}' is not valid UTF-8.", e);
        }
    }

    /// <summary>The current blob, decoded in place (see the remarks on the type).</summary>
    public readonly ReadOnlyMemory<byte> GetBlob()
    {
        if (_format == KinesisWireFormat.Cbor)
        {
            if (TokenType != KinesisTokenType.Blob)
            {
                return ThrowUnexpected<ReadOnlyMemory<byte>>("a blob (byte string)");
            }

            return SliceOfBody(_text);
        }

        if (TokenType != KinesisTokenType.String)
        {
            return ThrowUnexpected<ReadOnlyMemory<byte>>("a base64 blob");
        }

        var raw = _json.ValueSpan;
        if (raw.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (!_body.Span.Overlaps(raw, out var offset))
        {
            KinesisSerializationException.Throw("Internal error: the blob is not inside the request body.");
        }

        var text = _body.Span.Slice(offset, raw.Length);
        if (_json.ValueIsEscaped)
        {
            // Escapes (\/ is the only one a base64 text can need) are rare: unescape via a copy.
            var unescaped = new byte[raw.Length];
            var length = _json.CopyString(unescaped);
            unescaped.AsSpan(0, length).CopyTo(text);
            text = text[..length];
        }

        if (text.Length % 4 != 0)
        {
            // Kinesis' own words for unpadded base64 (its Jackson blob deserializer).
            KinesisSerializationException.Throw(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"Value for '{PropertyName}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: {text.Length}"));
        }

        if (!Base64Blob.TryDecodeInPlace(text, out var written))
        {
            KinesisSerializationException.Throw($"Value for '{PropertyName}' can not be converted to a Blob: it is not valid base64.");
        }

        return _body.Slice(offset, written);
    }

    /// <summary>The current number as an <see cref="int"/>.</summary>
    public readonly int GetInt32()
    {
        var value = GetInt64();
        if (value is < int.MinValue or > int.MaxValue)
        {
            KinesisSerializationException.Throw($"Value for '{PropertyName}' is out of range for an integer.");
        }

        return (int)value;
    }

    /// <summary>The current number as a <see cref="long"/> (it must be integral).</summary>
    public readonly long GetInt64()
    {
        if (TokenType != KinesisTokenType.Number)
        {
            return ThrowUnexpected<long>("a number");
        }

        if (_format == KinesisWireFormat.Json)
        {
            return _json.TryGetInt64(out var value) ? value : ThrowUnexpected<long>("an integer");
        }

        return _isInteger ? _integer : ThrowUnexpected<long>("an integer");
    }

    /// <summary>The current number as a <see cref="double"/>.</summary>
    public readonly double GetDouble()
    {
        if (TokenType != KinesisTokenType.Number)
        {
            return ThrowUnexpected<double>("a number");
        }

        if (_format == KinesisWireFormat.Json)
        {
            return _json.TryGetDouble(out var value) ? value : ThrowUnexpected<double>("a number");
        }

        return _isInteger ? _integer : _double;
    }

    /// <summary>The current boolean.</summary>
    public readonly bool GetBoolean() => TokenType switch
    {
        KinesisTokenType.True => true,
        KinesisTokenType.False => false,
        _ => ThrowUnexpected<bool>("a boolean"),
    };

    /// <summary>
    /// The current timestamp as epoch milliseconds: JSON epoch seconds (number, or a string of a
    /// number or an ISO 8601 date-time); CBOR tag 1 or an untagged number, in milliseconds (see
    /// <see cref="KinesisTimestamps"/>).
    /// </summary>
    public readonly long GetTimestampMilliseconds()
    {
        if (_format == KinesisWireFormat.Json)
        {
            switch (TokenType)
            {
                case KinesisTokenType.Number:
                    if (_json.TryGetDecimal(out var seconds) && KinesisTimestamps.TryFromSeconds(seconds, out var fromNumber))
                    {
                        return fromNumber;
                    }

                    break;
                case KinesisTokenType.String:
                    if (KinesisTimestamps.TryParseString(_json.GetString()!, out var fromString))
                    {
                        return fromString;
                    }

                    break;
            }

            return ThrowUnexpected<long>("a timestamp (epoch seconds)");
        }

        if (TokenType is KinesisTokenType.Timestamp or KinesisTokenType.Number)
        {
            return _isInteger ? _integer : (long)Math.Round(_double);
        }

        return ThrowUnexpected<long>("a timestamp");
    }

    /// <summary>Checks, without modifying anything, that <paramref name="body"/> is one well-formed object.</summary>
    public static bool IsWellFormedObject(KinesisWireFormat format, ReadOnlySpan<byte> body)
    {
        if (format == KinesisWireFormat.Json)
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            try
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                reader.Skip();
                return !reader.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }

        // CBOR reading may compact indefinite strings in place: check a pooled copy with the reader itself,
        // so "well-formed" means exactly "readable" (text keys, valid UTF-8, balanced containers).
        var copy = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        try
        {
            body.CopyTo(copy);
            var reader = new KinesisDocumentReader(KinesisWireFormat.Cbor, copy.AsMemory(0, body.Length));
            reader.ReadStartObject();
            while (reader.ReadProperty())
            {
                reader.SkipValue();
            }

            reader.ReadEndOfDocument();
            return true;
        }
        catch (KinesisSerializationException)
        {
            return false;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private readonly string PropertyName => _propertyName.IsEmpty ? "(document)" : Encoding.UTF8.GetString(_propertyName);

    private bool ReadJson()
    {
        bool read;
        try
        {
            read = _json.Read();
        }
        catch (JsonException e)
        {
            throw new KinesisSerializationException(JsonMessage(e), e);
        }

        if (!read)
        {
            TokenType = KinesisTokenType.None;
            return false;
        }

        TokenType = MapJsonToken(_json.TokenType);
        if (TokenType is KinesisTokenType.PropertyName or KinesisTokenType.String)
        {
            ValidateJsonString();
            if (TokenType == KinesisTokenType.PropertyName)
            {
                _propertyName = _json.ValueSpan;
            }
        }

        return true;
    }

    /// <summary>
    /// Utf8JsonReader checks structure but not the UTF-8 inside strings (it fails only when a string is
    /// transcoded): check the raw bytes, and for an escaped string also that its escapes unescape
    /// (a lone surrogate such as <c>\udc80</c> does not).
    /// </summary>
    private readonly void ValidateJsonString()
    {
        var raw = _json.ValueSpan;
        if (!Utf8.IsValid(raw))
        {
            KinesisSerializationException.Throw(TokenType == KinesisTokenType.PropertyName
                ? "A member name is not valid UTF-8."
                : $"Value for '{PropertyName}' is not valid UTF-8.");
        }

        if (!_json.ValueIsEscaped)
        {
            return;
        }

        // Unescaped text is never longer than the escaped text.
        var rented = raw.Length <= 256 ? null : ArrayPool<byte>.Shared.Rent(raw.Length);
        Span<byte> scratch = rented ?? stackalloc byte[256];
        try
        {
            _json.CopyString(scratch);
        }
        catch (InvalidOperationException e)
        {
            throw new KinesisSerializationException(TokenType == KinesisTokenType.PropertyName
                ? "A member name has an invalid escape (a lone UTF-16 surrogate)."
                : $"Value for '{PropertyName}' has an invalid escape (a lone UTF-16 surrogate).", e);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private readonly ReadOnlyMemory<byte> SliceOfBody(ReadOnlySpan<byte> part)
    {
        if (part.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (!_body.Span.Overlaps(part, out var offset))
        {
            KinesisSerializationException.Throw("Internal error: the blob is not inside the request body.");
        }

        return _body.Slice(offset, part.Length);
    }

    private readonly T ThrowUnexpected<T>(string expected)
    {
        var actual = TokenType switch
        {
            KinesisTokenType.None => "the end of the document",
            KinesisTokenType.StartObject => "a structure",
            KinesisTokenType.StartArray => "a list",
            KinesisTokenType.EndObject or KinesisTokenType.EndArray => "the end of a container",
            KinesisTokenType.PropertyName => "a member name",
            KinesisTokenType.String => "a string",
            KinesisTokenType.Blob => "a blob",
            KinesisTokenType.Number => "a number",
            KinesisTokenType.Timestamp => "a timestamp",
            KinesisTokenType.True or KinesisTokenType.False => "a boolean",
            _ => "null",
        };
        throw new KinesisSerializationException($"Unexpected {actual} for '{PropertyName}': expected {expected}.");
    }

    private static KinesisTokenType MapJsonToken(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => KinesisTokenType.StartObject,
        JsonTokenType.EndObject => KinesisTokenType.EndObject,
        JsonTokenType.StartArray => KinesisTokenType.StartArray,
        JsonTokenType.EndArray => KinesisTokenType.EndArray,
        JsonTokenType.PropertyName => KinesisTokenType.PropertyName,
        JsonTokenType.String => KinesisTokenType.String,
        JsonTokenType.Number => KinesisTokenType.Number,
        JsonTokenType.True => KinesisTokenType.True,
        JsonTokenType.False => KinesisTokenType.False,
        JsonTokenType.Null => KinesisTokenType.Null,
        _ => KinesisTokenType.None,
    };

    private static string JsonMessage(JsonException e) =>
        $"The request body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).";

}
