using System.Globalization;

namespace KafkaKinesisBridge.Bench.Workloads;

/// <summary>
/// Deterministic test records: random-looking data of a fixed size and partition keys spread over
/// the hash-key space, so every shard gets its share.
/// </summary>
public static class RecordFactory
{
    /// <summary>Data blob number <paramref name="index"/>: <paramref name="size"/> pseudo-random bytes.</summary>
    public static byte[] Data(int size, int index)
    {
        var data = new byte[size];
        new Random(index).NextBytes(data);
        return data;
    }

    /// <summary>A partition key; distinct keys route to shards by their MD5.</summary>
    public static string PartitionKey(int worker, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"pk-{worker}-{index}");
}
