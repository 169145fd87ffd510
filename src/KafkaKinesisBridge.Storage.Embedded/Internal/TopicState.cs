using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Embedded.Internal;

/// <summary>An open topic: its folder, partitions and retention. Partitions are replaced as a whole
/// array when the topic grows, so readers index a consistent snapshot without locking.</summary>
internal sealed class TopicState(string name, string directory, PartitionLog[] partitions, TimeSpan retention)
{
    private PartitionLog[] _partitions = partitions;
    private long _retentionTicks = retention.Ticks;

    public string Name { get; } = name;

    public string Directory { get; } = directory;

    public IReadOnlyList<PartitionLog> Partitions => Volatile.Read(ref _partitions);

    public TimeSpan Retention
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _retentionTicks));
        set => Volatile.Write(ref _retentionTicks, value.Ticks);
    }

    public TopicInfo Info => new(Name, Volatile.Read(ref _partitions).Length, Retention);

    /// <summary>The partition, or null when out of range (negative included).</summary>
    public PartitionLog? GetPartition(int partition)
    {
        var partitions = Volatile.Read(ref _partitions);
        return (uint)partition < (uint)partitions.Length ? partitions[partition] : null;
    }

    public void SetPartitions(PartitionLog[] partitions) => Volatile.Write(ref _partitions, partitions);

    public static string PartitionDirectory(string topicDirectory, int partition) =>
        Path.Combine(topicDirectory, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
