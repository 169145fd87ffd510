namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>Kafka protocol request types (API keys, https://kafka.apache.org/protocol#protocol_api_keys), for fault injection.</summary>
public enum KafkaApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    InitProducerId = 22,
    DescribeConfigs = 32,
}
