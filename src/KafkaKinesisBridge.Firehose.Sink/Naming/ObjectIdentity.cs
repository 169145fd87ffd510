using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace KafkaKinesisBridge.Firehose.Sink.Naming;

/// <summary>
/// The "random" parts of an object's name, derived from the source position of its first record
/// (delivery stream, source topic, partition, first offset) instead of drawn at random: a re-delivery
/// after a crash or a rebalance starts at the same committed position, so it computes the same key and
/// overwrites the object instead of writing a second copy (exactly-once objects). Looks like Firehose's:
/// a UUID (RFC 9562 version 8, name-based) and an 11-character random string.
/// </summary>
internal static class ObjectIdentity
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The id and the <c>!{firehose:random-string}</c> value for an object starting at this position.</summary>
    public static (string Id, string RandomString) For(string streamName, string topic, int partition, long firstOffset)
    {
        var input = Encoding.UTF8.GetBytes($"{streamName}\n{topic}\n{partition}\n{firstOffset}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        Span<byte> uuid = stackalloc byte[16];
        hash[..16].CopyTo(uuid);
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x80); // version 8
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80); // RFC 9562 variant
        var id = new Guid(uuid, bigEndian: true).ToString("D");
        Span<char> random = stackalloc char[PrefixEvaluator.RandomStringLength];
        var bits = BinaryPrimitives.ReadUInt64BigEndian(hash[16..24]) ^ BinaryPrimitives.ReadUInt64BigEndian(hash[24..32]);
        for (var i = 0; i < random.Length; i++)
        {
            random[i] = Alphabet[(int)(bits % (ulong)Alphabet.Length)];
            bits /= (ulong)Alphabet.Length;
        }

        return (id, new string(random));
    }
}
