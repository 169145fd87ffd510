using System.Text;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure.RawHttp2;

/// <summary>
/// An HPACK decoder (RFC 7541) good enough for Kestrel's responses: indexed fields, literals with
/// and without indexing, dynamic table size updates, Huffman-coded strings.
/// </summary>
internal sealed class HpackDecoder
{
    // RFC 7541 section 4.1: an entry's size is its name and value lengths plus 32.
    private const int EntryOverhead = 32;

    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    // Newest entry first (RFC 7541 section 2.3.3: dynamic indices start at 62 with the newest).
    private readonly List<(string Name, string Value)> _dynamic = [];
    private int _size;
    private int _maxSize = 4096;

    /// <summary>Number of entries in the dynamic table (tests check that Kestrel's indexing was exercised).</summary>
    public int DynamicCount => _dynamic.Count;

    /// <summary>Decodes one complete header block.</summary>
    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        var pos = 0;
        while (pos < block.Length)
        {
            var b = block[pos];
            if ((b & 0x80) != 0)
            {
                // 6.1 Indexed Header Field.
                fields.Add(Lookup(ReadInteger(block, ref pos, 7)));
            }
            else if ((b & 0xC0) == 0x40)
            {
                // 6.2.1 Literal Header Field with Incremental Indexing.
                var (name, value) = ReadLiteral(block, ref pos, 6);
                Insert(name, value);
                fields.Add((name, value));
            }
            else if ((b & 0xE0) == 0x20)
            {
                // 6.3 Dynamic Table Size Update.
                _maxSize = ReadInteger(block, ref pos, 5);
                Evict(0);
            }
            else
            {
                // 6.2.2 without indexing (0000xxxx) and 6.2.3 never indexed (0001xxxx).
                fields.Add(ReadLiteral(block, ref pos, 4));
            }
        }

        return fields;
    }

    private (string Name, string Value) ReadLiteral(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var index = ReadInteger(block, ref pos, prefixBits);
        var name = index == 0 ? ReadString(block, ref pos) : Lookup(index).Name;
        var value = ReadString(block, ref pos);
        return (name, value);
    }

    private (string Name, string Value) Lookup(int index)
    {
        if (index <= 0)
        {
            throw new InvalidDataException("HPACK index 0.");
        }

        if (index <= StaticTable.Length)
        {
            return StaticTable[index - 1];
        }

        var dynamicIndex = index - StaticTable.Length - 1;
        return dynamicIndex < _dynamic.Count
            ? _dynamic[dynamicIndex]
            : throw new InvalidDataException($"HPACK index {index} beyond the dynamic table.");
    }

    private void Insert(string name, string value)
    {
        var size = name.Length + value.Length + EntryOverhead;
        if (size > _maxSize)
        {
            // RFC 7541 section 4.4: an entry larger than the table empties it and is not added.
            _dynamic.Clear();
            _size = 0;
            return;
        }

        Evict(size);
        _dynamic.Insert(0, (name, value));
        _size += size;
    }

    private void Evict(int room)
    {
        while (_dynamic.Count > 0 && _size + room > _maxSize)
        {
            var (name, value) = _dynamic[^1];
            _size -= name.Length + value.Length + EntryOverhead;
            _dynamic.RemoveAt(_dynamic.Count - 1);
        }
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int pos)
    {
        var huffman = (block[pos] & 0x80) != 0;
        var length = ReadInteger(block, ref pos, 7);
        var bytes = block.Slice(pos, length);
        pos += length;
        return Encoding.Latin1.GetString(huffman ? Huffman.Decode(bytes) : bytes);
    }

    /// <summary>RFC 7541 section 5.1 integer with an N-bit prefix.</summary>
    internal static int ReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits)
    {
        var mask = (1 << prefixBits) - 1;
        var value = block[pos++] & mask;
        if (value < mask)
        {
            return value;
        }

        var shift = 0;
        byte b;
        do
        {
            b = block[pos++];
            value += (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return value;
    }
}

/// <summary>
/// The simplest valid HPACK encoder: every field as a literal without indexing with a literal
/// name, no Huffman coding (RFC 7541 section 6.2.2).
/// </summary>
internal static class HpackEncoder
{
    public static byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var output = new List<byte>();
        foreach (var (name, value) in fields)
        {
            output.Add(0x00);
            WriteString(output, name);
            WriteString(output, value);
        }

        return output.ToArray();
    }

    private static void WriteString(List<byte> output, string value)
    {
        var bytes = Encoding.Latin1.GetBytes(value);
        WriteInteger(output, bytes.Length, 7, 0x00);
        output.AddRange(bytes);
    }

    internal static void WriteInteger(List<byte> output, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Add((byte)(flags | value));
            return;
        }

        output.Add((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
