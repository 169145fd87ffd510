using Confluent.Kafka;
using KafkaKinesisBridge.Core.Storage;

namespace KafkaKinesisBridge.Storage.Kafka.Internal;

/// <summary>Translates Kafka error codes (protocol errors, https://kafka.apache.org/protocol#protocol_error_codes,
/// and librdkafka's local errors) into the storage port's vocabulary.</summary>
internal static class KafkaErrors
{
    public static StorageStatus ToStatus(ErrorCode code) => code switch
    {
        ErrorCode.NoError => StorageStatus.Ok,

        ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic or ErrorCode.UnknownTopicId
            => StorageStatus.TopicNotFound,
        ErrorCode.Local_UnknownPartition => StorageStatus.PartitionNotFound,
        ErrorCode.TopicAlreadyExists => StorageStatus.TopicAlreadyExists,
        ErrorCode.OffsetOutOfRange => StorageStatus.OffsetOutOfRange,

        // MESSAGE_TOO_LARGE (10) from the broker or librdkafka's local message.max.bytes check;
        // RECORD_LIST_TOO_LARGE (18) when a batch exceeds the topic's segment size.
        ErrorCode.MsgSizeTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidMsgSize
            => StorageStatus.RecordTooLarge,

        ErrorCode.TopicException or ErrorCode.InvalidPartitions or ErrorCode.InvalidReplicationFactor
            or ErrorCode.InvalidReplicaAssignment or ErrorCode.InvalidConfig or ErrorCode.InvalidRequest
            or ErrorCode.PolicyViolation or ErrorCode.InvalidTimestamp or ErrorCode.InvalidRecord
            or ErrorCode.Local_InvalidArg or ErrorCode.Local_BadMsg
            => StorageStatus.InvalidArgument,

        // The request may or may not have taken effect.
        ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOut or ErrorCode.Local_MsgTimedOut
            or ErrorCode.Local_TimedOutQueue
            => StorageStatus.Timeout,

        // Retriable conditions of the cluster: leader elections, too few in-sync replicas, brokers
        // unreachable, throttling, a full local producer queue.
        ErrorCode.NotEnoughReplicas or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.LeaderNotAvailable
            or ErrorCode.NotLeaderForPartition or ErrorCode.BrokerNotAvailable or ErrorCode.ReplicaNotAvailable
            or ErrorCode.NetworkException or ErrorCode.NotController or ErrorCode.KafkaStorageError
            or ErrorCode.FencedLeaderEpoch or ErrorCode.UnknownLeaderEpoch or ErrorCode.OffsetNotAvailable
            or ErrorCode.PreferredLeaderNotAvailable or ErrorCode.EligibleLeadersNotAvailable
            or ErrorCode.ReassignmentInProgress or ErrorCode.ThrottlingQuotaExceeded
            or ErrorCode.GroupCoordinatorNotAvailable or ErrorCode.GroupLoadInProgress
            or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve
            or ErrorCode.Local_QueueFull or ErrorCode.Local_WaitCoord or ErrorCode.Local_IsrInsuff
            or ErrorCode.Local_Retry or ErrorCode.Local_PurgeQueue or ErrorCode.Local_PurgeInflight
            or ErrorCode.Local_Destroy or ErrorCode.Local_DestroyBroker or ErrorCode.Local_Fatal
            or ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId
            or ErrorCode.InvalidProducerEpoch
            => StorageStatus.Unavailable,

        ErrorCode.UnsupportedVersion or ErrorCode.Local_UnsupportedFeature or ErrorCode.Local_NotImplemented
            or ErrorCode.TopicDeletionDisabled or ErrorCode.UnsupportedForMessageFormat
            or ErrorCode.UnsupportedCompressionType
            => StorageStatus.NotSupported,

        _ => StorageStatus.Failed,
    };

    /// <summary>
    /// The status of a delivery failure, from the error and what librdkafka knows of the record's fate
    /// (rd_kafka_message_status): a retriable failure of a record that may have been written is a
    /// Timeout (outcome unknown: InternalFailure for the client); a record that timed out in the
    /// local queue and was never sent, as while every broker is down, is certainly not written, so it
    /// is Unavailable (ServiceUnavailableException, HTTP 503: retrying it cannot duplicate it).
    /// </summary>
    public static StorageStatus ForDelivery(ErrorCode code, PersistenceStatus persistence)
    {
        var status = ToStatus(code);
        return (persistence, status) switch
        {
            (PersistenceStatus.PossiblyPersisted, StorageStatus.Unavailable) => StorageStatus.Timeout,
            (PersistenceStatus.NotPersisted, StorageStatus.Timeout) => StorageStatus.Unavailable,
            _ => status,
        };
    }
}
