using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using KafkaKinesisBridge.Storage.Kafka.Internal;
using KafkaKinesisBridge.Storage.Kafka.Internal.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaKinesisBridge.Storage.Kafka;

/// <summary>
/// librdkafka's built-in mock Kafka cluster: brokers in this process that speak the real Kafka
/// protocol on loopback ports (Produce, Fetch, ListOffsets, Metadata, groups, idempotence), for tests
/// and for running the gateway without a broker. Created through the C API (src/rdkafka_mock.h).
/// </summary>
/// <remarks>
/// <para>The mock has no CreateTopics, CreatePartitions, DeleteTopics or config APIs: topics are
/// created and deleted through <see cref="CreateTopic"/> and <see cref="DeleteTopic"/> (the store
/// built by <see cref="KafkaLogStore.ForMockCluster"/> does that), partitions cannot be added and
/// configs do not exist (stores remember each topic's retention here and report it, but nothing
/// enforces it). ListOffsets by timestamp answers -1, and each partition log is
/// capped (about 5 MiB), silently dropping the oldest records.</para>
/// <para>Fault injection: <see cref="SetBrokerDown"/>/<see cref="SetBrokerUp"/>,
/// <see cref="SetBrokerRoundTripTime"/>, <see cref="PushRequestErrors"/>.</para>
/// </remarks>
public sealed unsafe class KafkaMockCluster : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private GCHandle _loggerHandle;
    private nint _handle;
    private nint _cluster;

    private KafkaMockCluster(int brokers, ILogger logger)
    {
        _logger = logger;
        _loggerHandle = GCHandle.Alloc(logger);
        const int ErrorSize = 512;
        var error = stackalloc byte[ErrorSize];
        var conf = LibRdKafka.ConfNew();
        // The handle only hosts the cluster; it never connects anywhere. Its log lines go to ILogger.
        LibRdKafka.ConfSetOpaque(conf, GCHandle.ToIntPtr(_loggerHandle));
        LibRdKafka.ConfSetLogCallback(conf, &OnLog);
        _ = LibRdKafka.ConfSet(conf, "client.id", "kafka-mock-cluster", error, ErrorSize);
        _handle = LibRdKafka.New(LibRdKafka.ProducerType, conf, error, ErrorSize);
        if (_handle == 0)
        {
            LibRdKafka.ConfDestroy(conf);
            _loggerHandle.Free();
            throw new InvalidOperationException("rd_kafka_new failed: " + Marshal.PtrToStringUTF8((nint)error));
        }

        _cluster = LibRdKafka.MockClusterNew(_handle, brokers);
        if (_cluster == 0)
        {
            LibRdKafka.Destroy(_handle);
            _loggerHandle.Free();
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        // Admin requests (DescribeTopics, ListOffsets) wait for a controller; the mock reports none
        // unless told.
        LibRdKafka.MockSetControllerId(_cluster, 1);
        BrokerCount = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(LibRdKafka.MockClusterBootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster has no bootstrap servers.");
    }

    /// <summary>Bootstrap servers of the mock brokers (<c>127.0.0.1:port,...</c>).</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>
    /// The retention each topic was created with or last set to through a store: the mock keeps no
    /// topic configs, so stores on this cluster remember them here (and describe them after a store is
    /// reopened). Nothing enforces them.
    /// </summary>
    internal ConcurrentDictionary<string, TimeSpan> TopicRetention { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers.</summary>
    public static KafkaMockCluster Start(int brokers = 1, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 16);
        return new KafkaMockCluster(brokers, logger ?? NullLogger.Instance);
    }

    /// <summary>Creates a topic; <see cref="ErrorCode.TopicAlreadyExists"/> when it exists.</summary>
    public ErrorCode CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockTopicCreate(Cluster, topic, partitions, replicationFactor);
        }
    }

    /// <summary>Deletes a topic; <see cref="ErrorCode.UnknownTopicOrPart"/> when it does not exist.</summary>
    public ErrorCode DeleteTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            var error = (ErrorCode)LibRdKafka.MockTopicDelete(Cluster, topic);
            TopicRetention.TryRemove(topic, out _);
            return error;
        }
    }

    /// <summary>Removes the records before <paramref name="beforeOffset"/>, raising the log start offset (as retention does).</summary>
    public ErrorCode DeleteRecords(string topic, int partition, long beforeOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockPartitionDeleteRecords(Cluster, topic, partition, beforeOffset);
        }
    }

    /// <summary>Moves a partition's leadership to <paramref name="brokerId"/> (-1: no leader).</summary>
    public ErrorCode SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockPartitionSetLeader(Cluster, topic, partition, brokerId);
        }
    }

    /// <summary>Disconnects a broker (-1: all) and refuses new connections, without moving leadership.</summary>
    public ErrorCode SetBrokerDown(int brokerId = -1)
    {
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockBrokerSetDown(Cluster, brokerId);
        }
    }

    /// <summary>Lets a broker (-1: all) accept connections again.</summary>
    public ErrorCode SetBrokerUp(int brokerId = -1)
    {
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockBrokerSetUp(Cluster, brokerId);
        }
    }

    /// <summary>Delays every response of a broker (-1: all) by <paramref name="roundTripTime"/>.</summary>
    public ErrorCode SetBrokerRoundTripTime(TimeSpan roundTripTime, int brokerId = -1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTripTime, TimeSpan.Zero);
        lock (_gate)
        {
            return (ErrorCode)LibRdKafka.MockBrokerSetRtt(Cluster, brokerId, checked((int)roundTripTime.TotalMilliseconds));
        }
    }

    /// <summary>
    /// Makes the next requests of type <paramref name="apiKey"/> fail, in order, with
    /// <paramref name="errors"/> (cluster-wide). <see cref="ErrorCode.Local_Transport"/> disconnects the client.
    /// </summary>
    public void PushRequestErrors(KafkaApiKey apiKey, params ReadOnlySpan<ErrorCode> errors)
    {
        if (errors.IsEmpty)
        {
            return;
        }

        Span<int> codes = errors.Length <= 64 ? stackalloc int[errors.Length] : new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        lock (_gate)
        {
            fixed (int* pointer = codes)
            {
                LibRdKafka.MockPushRequestErrorsArray(Cluster, (short)apiKey, (nuint)codes.Length, pointer);
            }
        }
    }

    /// <summary>Drops the errors still queued for <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        lock (_gate)
        {
            LibRdKafka.MockClearRequestErrors(Cluster, (short)apiKey);
        }
    }

    /// <summary>Stops the brokers. Clients still connected see them disconnect.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_cluster == 0)
            {
                return;
            }

            LibRdKafka.MockClusterDestroy(_cluster);
            LibRdKafka.Destroy(_handle);
            _cluster = 0;
            _handle = 0;
            _loggerHandle.Free();
        }
    }

    private nint Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_cluster == 0, this);
            return _cluster;
        }
    }

    // Called by librdkafka threads (rd_kafka_conf_set_log_cb); must not throw.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(nint rk, int level, nint facility, nint message)
    {
        try
        {
            var opaque = LibRdKafka.Opaque(rk);
            if (opaque == 0 || GCHandle.FromIntPtr(opaque).Target is not ILogger logger)
            {
                return;
            }

            // Syslog levels: 0-3 emergency..error, 4 warning, 5-6 notice/info, 7 debug. The mock's
            // notices (broker up/down, "no bootstrap.servers" for this hosting handle) are debug noise.
            var logLevel = level <= 3 ? LogLevel.Warning : LogLevel.Debug;
            if (logger.IsEnabled(logLevel))
            {
                Log.MockClusterLog(logger, logLevel, Marshal.PtrToStringUTF8(facility) ?? "", Marshal.PtrToStringUTF8(message) ?? "");
            }
        }
        catch (Exception)
        {
            // Nothing may propagate into native code.
        }
    }
}
