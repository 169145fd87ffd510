using KafkaKinesisBridge.Storage.Kafka;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Storage.Tests.Kafka;

public sealed class KafkaStorageOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid()
    {
        var options = new KafkaStorageOptions();

        Assert.Empty(options.GetValidationErrors());
        Assert.True(new KafkaStorageOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_InvalidSettings_ListsEveryProblem()
    {
        var options = new KafkaStorageOptions
        {
            BootstrapServers = " ",
            TopicReplicationFactor = 0,
            ConsumerPoolSize = 0,
            ReadWait = TimeSpan.FromMinutes(5),
            DeliveryTimeout = TimeSpan.Zero,
            MaxMessageBytes = 1000,
        };

        var errors = options.GetValidationErrors();

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.Contains("BootstrapServers", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ConsumerPoolSize", StringComparison.Ordinal));
        var result = new KafkaStorageOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Throws<ArgumentException>(() => new KafkaLogStore(options));
    }

    [Fact]
    public void Clone_ChangesAfterwards_DoNotReachTheCopy()
    {
        var options = new KafkaStorageOptions { BootstrapServers = "a:1", ConsumerPoolSize = 7 };
        options.ClientConfig["security.protocol"] = "SASL_SSL";

        var copy = options.Clone();
        options.BootstrapServers = "b:2";
        options.ClientConfig["security.protocol"] = "PLAINTEXT";

        Assert.Equal("a:1", copy.BootstrapServers);
        Assert.Equal(7, copy.ConsumerPoolSize);
        Assert.Equal("SASL_SSL", copy.ClientConfig["security.protocol"]);
    }

    [Fact]
    public void Options_BoundFromConfigurationNames_ReachTheClientConfigs()
    {
        var options = new KafkaStorageOptions { LingerMs = 9, Compression = Confluent.Kafka.CompressionType.Zstd };
        options.ProducerConfig["batch.num.messages"] = "777";
        options.ClientConfig["client.rack"] = "r1";

        var producer = KafkaKinesisBridge.Storage.Kafka.Internal.KafkaClientConfigs.Producer(options);
        var consumer = KafkaKinesisBridge.Storage.Kafka.Internal.KafkaClientConfigs.Consumer(options);

        Assert.Equal(9, producer.LingerMs);
        Assert.Equal(Confluent.Kafka.CompressionType.Zstd, producer.CompressionType);
        Assert.Equal("777", producer.Get("batch.num.messages"));
        Assert.Equal("r1", producer.Get("client.rack"));
        Assert.Equal("r1", consumer.Get("client.rack"));
        Assert.Null(consumer.Get("batch.num.messages"));
        Assert.True(producer.EnableIdempotence);
        Assert.Equal(Confluent.Kafka.Acks.All, producer.Acks);
        Assert.False(consumer.EnableAutoCommit);
        Assert.True(consumer.FetchQueueBackoffMs <= 50, "a drained prefetch queue must be refilled at once");
    }
}
