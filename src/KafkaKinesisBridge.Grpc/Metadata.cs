using System.Collections;
using System.Diagnostics.CodeAnalysis;
using KafkaKinesisBridge.Grpc.Internal;

namespace KafkaKinesisBridge.Grpc;

/// <summary>
/// gRPC metadata: an ordered list of key/value entries carried in HTTP/2 headers or trailers. Keys
/// are lowercase (<c>0-9 a-z _ - .</c>); keys ending in <c>-bin</c> hold binary values, which travel
/// base64-encoded (gRPC PROTOCOL-HTTP2, "Custom-Metadata"). A key may repeat.
/// </summary>
public sealed class Metadata : IReadOnlyList<Metadata.Entry>
{
    /// <summary>The key suffix that marks a binary entry.</summary>
    public const string BinaryHeaderSuffix = "-bin";

    private readonly List<Entry> _entries;

    /// <summary>Creates empty metadata.</summary>
    public Metadata()
    {
        _entries = [];
    }

    /// <summary>Creates metadata with room for <paramref name="capacity"/> entries.</summary>
    public Metadata(int capacity)
    {
        _entries = new List<Entry>(capacity);
    }

    /// <inheritdoc />
    public int Count => _entries.Count;

    /// <inheritdoc />
    public Entry this[int index] => _entries[index];

    /// <summary>Adds an ASCII entry. The key must not end in <c>-bin</c>.</summary>
    /// <exception cref="ArgumentException">The key or value is not valid gRPC metadata.</exception>
    public Metadata Add(string key, string value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    /// <summary>Adds a binary entry. The key must end in <c>-bin</c>.</summary>
    /// <exception cref="ArgumentException">The key is not valid for a binary entry.</exception>
    public Metadata Add(string key, byte[] value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    /// <summary>Adds an existing entry.</summary>
    public Metadata Add(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _entries.Add(entry);
        return this;
    }

    /// <summary>Adds every entry of <paramref name="other"/>.</summary>
    public Metadata AddRange(Metadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _entries.AddRange(other._entries);
        return this;
    }

    /// <summary>The last entry with <paramref name="key"/> (case-insensitive), or null.</summary>
    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i];
            }
        }

        return null;
    }

    /// <summary>The string value of the last ASCII entry with <paramref name="key"/>, or null.</summary>
    public string? GetValue(string key) => Get(key) is { IsBinary: false } entry ? entry.Value : null;

    /// <summary>The bytes of the last binary entry with <paramref name="key"/>, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key) is { IsBinary: true } entry ? entry.ValueBytes : null;

    /// <summary>All entries with <paramref name="key"/> (case-insensitive), in order.</summary>
    public IEnumerable<Entry> GetAll(string key)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Removes all entries.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>An allocation-free enumerator over the entries.</summary>
    public List<Entry>.Enumerator GetEnumerator() => _entries.GetEnumerator();

    IEnumerator<Entry> IEnumerable<Entry>.GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _entries);

    /// <summary>One metadata entry: a key and either an ASCII string or a byte array.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        /// <summary>Creates an ASCII entry.</summary>
        /// <exception cref="ArgumentException">The key is invalid, ends in <c>-bin</c>, or the value has characters outside 0x20-0x7E.</exception>
        public Entry(string key, string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Key = NormalizeKey(key);
            if (Key.EndsWith(BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Key '{Key}' ends with '{BinaryHeaderSuffix}' and needs a byte[] value.", nameof(key));
            }

            foreach (var c in value)
            {
                // ASCII-Value → 1*( %x20-%x7E ) (gRPC PROTOCOL-HTTP2).
                if (c is < ' ' or > '~')
                {
                    throw new ArgumentException($"Metadata value for '{Key}' contains a character outside printable ASCII.", nameof(value));
                }
            }

            _value = value;
        }

        /// <summary>Creates a binary entry.</summary>
        /// <exception cref="ArgumentException">The key is invalid or does not end in <c>-bin</c>.</exception>
        public Entry(string key, byte[] value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Key = NormalizeKey(key);
            if (!Key.EndsWith(BinaryHeaderSuffix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Key '{Key}' must end with '{BinaryHeaderSuffix}' for a byte[] value.", nameof(key));
            }

            _bytes = value;
        }

        /// <summary>The key, lowercase.</summary>
        public string Key { get; }

        /// <summary>True when the value is binary (<see cref="ValueBytes"/>).</summary>
        [MemberNotNullWhen(true, nameof(_bytes))]
        [MemberNotNullWhen(false, nameof(_value))]
        public bool IsBinary => _bytes is not null;

        /// <summary>The string value of an ASCII entry.</summary>
        /// <exception cref="InvalidOperationException">The entry is binary.</exception>
        public string Value => IsBinary
            ? throw new InvalidOperationException($"Entry '{Key}' is binary; read ValueBytes.")
            : _value;

        /// <summary>The bytes of a binary entry.</summary>
        /// <exception cref="InvalidOperationException">The entry is ASCII.</exception>
        public byte[] ValueBytes => IsBinary
            ? _bytes
            : throw new InvalidOperationException($"Entry '{Key}' is not binary; read Value.");

        /// <summary>The value as sent on the wire: the string, or unpadded base64 of the bytes.</summary>
        internal string WireValue => IsBinary ? BinaryHeader.Encode(_bytes) : _value;

        /// <inheritdoc />
        public override string ToString() => IsBinary ? $"{Key}=[{_bytes.Length} bytes]" : $"{Key}={_value}";

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            var needsLower = false;
            foreach (var c in key)
            {
                // Header-Name → 1*( %x30-39 / %x61-7A / "_" / "-" / ".") (gRPC PROTOCOL-HTTP2);
                // uppercase letters are accepted and lowered, as HTTP/2 field names are lowercase.
                if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.')
                {
                    continue;
                }

                if (c is >= 'A' and <= 'Z')
                {
                    needsLower = true;
                    continue;
                }

                throw new ArgumentException($"Metadata key '{key}' has a character outside 0-9 a-z _ - .", nameof(key));
            }

            return needsLower ? key.ToLowerInvariant() : key;
        }
    }
}
