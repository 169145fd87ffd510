using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using KafkaKinesisBridge.Contracts.Streams.V1;

namespace KafkaKinesisBridge.Gateway.Tests.Infrastructure;

/// <summary>One record the gateway acknowledged: where it says it stored it and what it was.</summary>
public sealed record AcknowledgedRecord(string ShardId, string SequenceNumber, string PartitionKey, ByteString Data);

/// <summary>
/// Concurrent writers for durability tests: each loops PutRecord / PutRecords against a stream and
/// logs every acknowledged record, until told to stop or until a call fails after
/// <see cref="StopOnFailure"/> was set (the gateway is going away). Any failure before that fails the test.
/// </summary>
public sealed class AcknowledgedWrites
{
    private readonly ConcurrentQueue<AcknowledgedRecord> _acknowledged = new();
    private readonly ConcurrentQueue<AcknowledgedRecord> _acknowledgedAfterStop = new();
    private volatile bool _stopOnFailure;
    private int _failures;

    /// <summary>Every acknowledged record.</summary>
    public IReadOnlyCollection<AcknowledgedRecord> Acknowledged => _acknowledged;

    /// <summary>Records whose acknowledgement arrived after <see cref="StopOnFailure"/> was set (in flight when the gateway was stopped).</summary>
    public int AcknowledgedAfterStop => _acknowledgedAfterStop.Count;

    /// <summary>Calls that failed once the gateway was going away (their outcome is unknown).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>From now on a failed call ends its writer instead of failing the test.</summary>
    public void StopOnFailure() => _stopOnFailure = true;

    /// <summary>Runs <paramref name="writers"/> writers until they stop; writer w uses partition keys "w{w}-…".</summary>
    public Task RunAsync(KinesisStreamsClient kinesis, string streamName, int writers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(kinesis, streamName, w, stop), CancellationToken.None)));

    private async Task WriteAsync(KinesisStreamsClient kinesis, string streamName, int writer, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"w{writer}-{i % 7}");
            var data = ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"writer {writer} record {i}"));
            try
            {
                if (i % 3 == 2)
                {
                    // A small batch: every record of it is acknowledged individually.
                    var request = new PutRecordsRequest { StreamName = streamName };
                    for (var j = 0; j < 4; j++)
                    {
                        request.Records.Add(new PutRecordsRequestEntry { PartitionKey = key + "-" + j.ToString(CultureInfo.InvariantCulture), Data = ByteString.CopyFromUtf8(data.ToStringUtf8() + "." + j.ToString(CultureInfo.InvariantCulture)) });
                    }

                    var response = await kinesis.PutRecordsAsync(request);
                    for (var j = 0; j < response.Records.Count; j++)
                    {
                        var result = response.Records[j];
                        if (result.ErrorCode.Length == 0)
                        {
                            Log(new AcknowledgedRecord(result.ShardId, result.SequenceNumber, request.Records[j].PartitionKey, request.Records[j].Data));
                        }
                        else if (!_stopOnFailure)
                        {
                            throw new InvalidOperationException($"Record failed before the gateway was stopped: {result.ErrorCode} {result.ErrorMessage}");
                        }
                    }
                }
                else
                {
                    var response = await kinesis.PutRecordAsync(new PutRecordRequest { StreamName = streamName, PartitionKey = key, Data = data });
                    Log(new AcknowledgedRecord(response.ShardId, response.SequenceNumber, key, data));
                }
            }
            catch (Exception ex) when (_stopOnFailure && ex is RpcException or HttpRequestException or IOException or OperationCanceledException)
            {
                Interlocked.Increment(ref _failures);
                return;
            }
        }
    }

    private void Log(AcknowledgedRecord record)
    {
        _acknowledged.Enqueue(record);
        if (_stopOnFailure)
        {
            _acknowledgedAfterStop.Enqueue(record);
        }
    }
}
