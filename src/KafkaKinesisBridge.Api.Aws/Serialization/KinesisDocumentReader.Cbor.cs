using System.Runtime.CompilerServices;
using KafkaKinesisBridge.Api.Aws.Cbor;

namespace KafkaKinesisBridge.Api.Aws.Serialization;

/// <summary>The CBOR half of <see cref="KinesisDocumentReader"/>: containers tracked on a fixed frame stack (RFC 8949).</summary>
public ref partial struct KinesisDocumentReader
{
    private bool ReadCbor()
    {
        if (_depth == 0)
        {
            if (_rootStarted)
            {
                TokenType = KinesisTokenType.None;
                return false;
            }

            _rootStarted = true;
            ReadCborValue();
            return true;
        }

        ref var frame = ref _frames[_depth - 1];
        if (frame.Remaining == 0 && (!frame.IsMap || frame.ExpectKey))
        {
            PopFrame(frame.IsMap);
            return true;
        }

        if (frame.Remaining < 0 && _cbor.IsAtBreak)
        {
            if (frame.IsMap && !frame.ExpectKey)
            {
                KinesisSerializationException.Throw("Malformed CBOR: a map ends between a key and its value.");
            }

            _cbor.TryReadBreak();
            PopFrame(frame.IsMap);
            return true;
        }

        if (frame.IsMap && frame.ExpectKey)
        {
            var status = _cbor.TryReadTextString(out var key);
            if (status != CborReadStatus.Done)
            {
                ThrowCbor(status, "Map keys must be text strings.");
            }

            _text = key;
            _propertyName = key;
            frame.ExpectKey = false;
            if (frame.Remaining > 0)
            {
                frame.Remaining--;
            }

            TokenType = KinesisTokenType.PropertyName;
            return true;
        }

        if (frame.IsMap)
        {
            frame.ExpectKey = true;
        }
        else if (frame.Remaining > 0)
        {
            frame.Remaining--;
        }

        ReadCborValue();
        return true;
    }

    private void ReadCborValue()
    {
        var status = _cbor.TryPeek(out var major, out var info);
        if (status != CborReadStatus.Done)
        {
            ThrowCbor(status, "A value is missing.");
        }

        switch (major)
        {
            case CborMajorType.UnsignedInteger:
            case CborMajorType.NegativeInteger:
                ReadCborInteger(KinesisTokenType.Number);
                return;
            case CborMajorType.ByteString:
                status = _cbor.TryReadByteString(out _text);
                Check(status);
                TokenType = KinesisTokenType.Blob;
                return;
            case CborMajorType.TextString:
                status = _cbor.TryReadTextString(out _text);
                Check(status);
                TokenType = KinesisTokenType.String;
                return;
            case CborMajorType.Array:
            case CborMajorType.Map:
                var isMap = major == CborMajorType.Map;
                status = isMap ? _cbor.TryReadStartMap(out var count) : _cbor.TryReadStartArray(out count);
                Check(status);
                if (_depth >= MaxDepth)
                {
                    KinesisSerializationException.Throw($"The CBOR document nests deeper than {MaxDepth} levels.");
                }

                _frames[_depth++] = new Frame { Remaining = count, IsMap = isMap, ExpectKey = isMap };
                TokenType = isMap ? KinesisTokenType.StartObject : KinesisTokenType.StartArray;
                return;
            case CborMajorType.Tag:
                Check(_cbor.TryReadTag(out var tag));
                if (tag == 1)
                {
                    // AWS CBOR timestamps: tag 1 + epoch milliseconds (see KinesisTimestamps).
                    if (_cbor.TryPeek(out var tagged, out _) == CborReadStatus.Done && tagged == CborMajorType.SimpleOrFloat)
                    {
                        Check(_cbor.TryReadDouble(out _double));
                        _isInteger = false;
                        TokenType = KinesisTokenType.Timestamp;
                        return;
                    }

                    ReadCborInteger(KinesisTokenType.Timestamp);
                    return;
                }

                // Other tags carry no meaning for Kinesis: read the tagged item as if untagged.
                ReadCborValue();
                return;
            default:
                switch (info)
                {
                    case 20:
                    case 21:
                        Check(_cbor.TryReadBoolean(out var flag));
                        TokenType = flag ? KinesisTokenType.True : KinesisTokenType.False;
                        return;
                    case 22:
                    case 23:
                        Check(_cbor.TryReadNull());
                        TokenType = KinesisTokenType.Null;
                        return;
                    case >= 25 and <= 27:
                        Check(_cbor.TryReadDouble(out _double));
                        _isInteger = false;
                        TokenType = KinesisTokenType.Number;
                        return;
                    case 31:
                        KinesisSerializationException.Throw("Malformed CBOR: unexpected break.");
                        return;
                    default:
                        KinesisSerializationException.Throw($"Unsupported CBOR simple value {info}.");
                        return;
                }
        }
    }

    private void ReadCborInteger(KinesisTokenType tokenType)
    {
        var status = _cbor.TryReadInt64(out _integer);
        if (status == CborReadStatus.UnexpectedType)
        {
            // Beyond the range of a long: keep its magnitude as a double.
            if (_cbor.TryReadUInt64(out var big) == CborReadStatus.Done)
            {
                _double = big;
                _isInteger = false;
                TokenType = tokenType;
                return;
            }
        }

        Check(status);
        _isInteger = true;
        TokenType = tokenType;
    }

    private void PopFrame(bool isMap)
    {
        _depth--;
        TokenType = isMap ? KinesisTokenType.EndObject : KinesisTokenType.EndArray;
    }

    private static void Check(CborReadStatus status)
    {
        if (status != CborReadStatus.Done)
        {
            ThrowCbor(status, "Unexpected CBOR item.");
        }
    }

    private static void ThrowCbor(CborReadStatus status, string unexpectedTypeMessage)
    {
        KinesisSerializationException.Throw(status switch
        {
            CborReadStatus.NeedMoreData => "The CBOR document is truncated.",
            CborReadStatus.Malformed => "The CBOR document is not well-formed.",
            _ => unexpectedTypeMessage,
        });
    }

    private struct Frame
    {
        public int Remaining;
        public bool IsMap;
        public bool ExpectKey;
    }

    [InlineArray(MaxDepth)]
    private struct FrameStack
    {
        private Frame _element;
    }
}
