using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka.Internal;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

/// <summary>Kafka errors in the storage port's terms: what a client may retry, and whether a retry can duplicate.</summary>
public sealed class KafkaErrorsTests
{
    [Theory]
    // Timed out in the local queue, never sent (every broker down): not written, safe to retry.
    [InlineData(ErrorCode.Local_MsgTimedOut, PersistenceStatus.NotPersisted, StorageStatus.Unavailable)]
    // Sent, no answer in time: may be written.
    [InlineData(ErrorCode.Local_MsgTimedOut, PersistenceStatus.PossiblyPersisted, StorageStatus.Timeout)]
    [InlineData(ErrorCode.RequestTimedOut, PersistenceStatus.PossiblyPersisted, StorageStatus.Timeout)]
    [InlineData(ErrorCode.NotLeaderForPartition, PersistenceStatus.PossiblyPersisted, StorageStatus.Timeout)]
    [InlineData(ErrorCode.NotLeaderForPartition, PersistenceStatus.NotPersisted, StorageStatus.Unavailable)]
    [InlineData(ErrorCode.Local_AllBrokersDown, PersistenceStatus.NotPersisted, StorageStatus.Unavailable)]
    [InlineData(ErrorCode.MsgSizeTooLarge, PersistenceStatus.NotPersisted, StorageStatus.RecordTooLarge)]
    [InlineData(ErrorCode.UnknownTopicOrPart, PersistenceStatus.NotPersisted, StorageStatus.TopicNotFound)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, PersistenceStatus.NotPersisted, StorageStatus.Failed)]
    public void ForDelivery_ErrorAndPersistence_MapsToStatus(ErrorCode code, PersistenceStatus persistence, StorageStatus expected) =>
        Assert.Equal(expected, KafkaErrors.ForDelivery(code, persistence));
}
