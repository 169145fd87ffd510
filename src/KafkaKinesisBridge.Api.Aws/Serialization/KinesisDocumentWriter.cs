using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaKinesisBridge.Api.Aws.Cbor;
using KafkaKinesisBridge.Api.Aws.Protocol;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>
/// Writes a Kinesis response body, AWS JSON 1.1 or AWS CBOR 1.1, through one API, straight into an
/// <see cref="IBufferWriter{T}"/>.
/// </summary>
/// <remarks>
/// Blobs go out as base64 strings in JSON (encoded directly into the output by
/// <see cref="Utf8JsonWriter.WriteBase64StringValue"/>, no intermediate string) and as byte strings
/// in CBOR; timestamps as described in <see cref="KinesisTimestamps"/>. CBOR objects and arrays are
/// written with indefinite lengths so members can be streamed without counting first (the AWS SDK
/// for Java's Jackson CBOR parser reads both forms). Call <see cref="Flush"/> before using the output.
/// </remarks>
public sealed class KinesisDocumentWriter : IDisposable
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Responses are not embedded in HTML: escape only what JSON requires, keep '+' and '/' of base64 and keys readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private readonly Utf8JsonWriter? _json;
    private readonly CborWriter _cbor;

    /// <summary>A writer of <paramref name="format"/> appending to <paramref name="output"/>.</summary>
    public KinesisDocumentWriter(KinesisWireFormat format, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Format = format;
        if (format == KinesisWireFormat.Json)
        {
            _json = new Utf8JsonWriter(output, JsonOptions);
        }
        else
        {
            _cbor = new CborWriter(output);
        }
    }

    /// <summary>The encoding being written.</summary>
    public KinesisWireFormat Format { get; }

    /// <summary>Starts an object (JSON object, CBOR indefinite map).</summary>
    public void WriteStartObject()
    {
        if (_json is not null)
        {
            _json.WriteStartObject();
        }
        else
        {
            _cbor.WriteStartIndefiniteMap();
        }
    }

    /// <summary>Ends the current object.</summary>
    public void WriteEndObject()
    {
        if (_json is not null)
        {
            _json.WriteEndObject();
        }
        else
        {
            _cbor.WriteBreak();
        }
    }

    /// <summary>Starts an array (JSON array, CBOR indefinite array).</summary>
    public void WriteStartArray()
    {
        if (_json is not null)
        {
            _json.WriteStartArray();
        }
        else
        {
            _cbor.WriteStartIndefiniteArray();
        }
    }

    /// <summary>Ends the current array.</summary>
    public void WriteEndArray()
    {
        if (_json is not null)
        {
            _json.WriteEndArray();
        }
        else
        {
            _cbor.WriteBreak();
        }
    }

    /// <summary>A member name (UTF-8).</summary>
    public void WritePropertyName(ReadOnlySpan<byte> utf8Name)
    {
        if (_json is not null)
        {
            _json.WritePropertyName(utf8Name);
        }
        else
        {
            _cbor.WriteTextString(utf8Name);
        }
    }

    /// <summary>A member name.</summary>
    public void WritePropertyName(string name)
    {
        if (_json is not null)
        {
            _json.WritePropertyName(name);
        }
        else
        {
            _cbor.WriteTextString(name.AsSpan());
        }
    }

    /// <summary>A string value from UTF-8 bytes.</summary>
    public void WriteStringValue(ReadOnlySpan<byte> utf8Value)
    {
        if (_json is not null)
        {
            _json.WriteStringValue(utf8Value);
        }
        else
        {
            _cbor.WriteTextString(utf8Value);
        }
    }

    /// <summary>A string value (null writes null).</summary>
    public void WriteStringValue(string? value)
    {
        if (value is null)
        {
            WriteNullValue();
        }
        else if (_json is not null)
        {
            _json.WriteStringValue(value);
        }
        else
        {
            _cbor.WriteTextString(value.AsSpan());
        }
    }

    /// <summary>An integer value.</summary>
    public void WriteNumberValue(long value)
    {
        if (_json is not null)
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _cbor.WriteInt64(value);
        }
    }

    /// <summary>A floating-point value.</summary>
    public void WriteNumberValue(double value)
    {
        if (_json is not null)
        {
            _json.WriteNumberValue(value);
        }
        else
        {
            _cbor.WriteDouble(value);
        }
    }

    /// <summary>A boolean value.</summary>
    public void WriteBooleanValue(bool value)
    {
        if (_json is not null)
        {
            _json.WriteBooleanValue(value);
        }
        else
        {
            _cbor.WriteBoolean(value);
        }
    }

    /// <summary>A null value.</summary>
    public void WriteNullValue()
    {
        if (_json is not null)
        {
            _json.WriteNullValue();
        }
        else
        {
            _cbor.WriteNull();
        }
    }

    /// <summary>A blob value: base64 text in JSON, a byte string in CBOR.</summary>
    public void WriteBlobValue(ReadOnlySpan<byte> value)
    {
        if (_json is not null)
        {
            _json.WriteBase64StringValue(value);
        }
        else
        {
            _cbor.WriteByteString(value);
        }
    }

    /// <summary>A timestamp value given as epoch milliseconds (see <see cref="KinesisTimestamps"/>).</summary>
    public void WriteTimestampValue(long epochMilliseconds)
    {
        if (_json is not null)
        {
            Span<byte> text = stackalloc byte[KinesisTimestamps.MaxJsonLength];
            KinesisTimestamps.TryFormatJsonSeconds(epochMilliseconds, text, out var written);
            _json.WriteRawValue(text[..written], skipInputValidation: true);
        }
        else
        {
            _cbor.WriteTag(1);
            _cbor.WriteInt64(epochMilliseconds);
        }
    }

    /// <summary>A string member (null writes null).</summary>
    public void WriteString(ReadOnlySpan<byte> utf8Name, string? value)
    {
        WritePropertyName(utf8Name);
        WriteStringValue(value);
    }

    /// <summary>A string member from UTF-8 bytes.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8Name, ReadOnlySpan<byte> utf8Value)
    {
        WritePropertyName(utf8Name);
        WriteStringValue(utf8Value);
    }

    /// <summary>An integer member.</summary>
    public void WriteNumber(ReadOnlySpan<byte> utf8Name, long value)
    {
        WritePropertyName(utf8Name);
        WriteNumberValue(value);
    }

    /// <summary>A floating-point member.</summary>
    public void WriteNumber(ReadOnlySpan<byte> utf8Name, double value)
    {
        WritePropertyName(utf8Name);
        WriteNumberValue(value);
    }

    /// <summary>A boolean member.</summary>
    public void WriteBoolean(ReadOnlySpan<byte> utf8Name, bool value)
    {
        WritePropertyName(utf8Name);
        WriteBooleanValue(value);
    }

    /// <summary>A blob member.</summary>
    public void WriteBlob(ReadOnlySpan<byte> utf8Name, ReadOnlySpan<byte> value)
    {
        WritePropertyName(utf8Name);
        WriteBlobValue(value);
    }

    /// <summary>A timestamp member (epoch milliseconds).</summary>
    public void WriteTimestamp(ReadOnlySpan<byte> utf8Name, long epochMilliseconds)
    {
        WritePropertyName(utf8Name);
        WriteTimestampValue(epochMilliseconds);
    }

    /// <summary>Commits what was written to the output (JSON buffers in the output until flushed).</summary>
    public void Flush() => _json?.Flush();

    /// <inheritdoc />
    public void Dispose() => _json?.Dispose();
}
