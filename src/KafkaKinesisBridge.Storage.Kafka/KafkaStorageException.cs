using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>
/// A Kafka failure where the storage port has no status to return (listing topics), carrying the
/// status it would have been.
/// </summary>
public sealed class KafkaStorageException : Exception
{
    public KafkaStorageException(StorageStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    public KafkaStorageException()
    {
    }

    public KafkaStorageException(string message)
        : base(message)
    {
    }

    public KafkaStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What went wrong, in the storage port's terms.</summary>
    public StorageStatus Status { get; } = StorageStatus.Failed;
}
