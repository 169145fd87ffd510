using KafkaKinesisBridge.Api.Aws.Protocol;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>What the shape validator needs beyond the typed getters: looks that neither convert nor modify the body.</summary>
public ref partial struct KinesisDocumentReader
{
    /// <summary>The current number as a long when it is integral and in range.</summary>
    internal readonly bool TryGetInt64(out long value)
    {
        value = 0;
        if (TokenType != KinesisTokenType.Number)
        {
            return false;
        }

        if (_format == KinesisWireFormat.Json)
        {
            return _json.TryGetInt64(out value);
        }

        value = _integer;
        return _isInteger;
    }

    /// <summary>
    /// The raw bytes of the current JSON string (escapes not undone) and whether it has escapes;
    /// for CBOR, the text or byte string itself.
    /// </summary>
    internal readonly ReadOnlySpan<byte> GetRawString(out bool escaped)
    {
        if (_format == KinesisWireFormat.Json)
        {
            escaped = _json.ValueIsEscaped;
            return _json.ValueSpan;
        }

        escaped = false;
        return _text;
    }

    /// <summary>True when the reader is over JSON.</summary>
    internal readonly bool IsJson => _format == KinesisWireFormat.Json;
}
