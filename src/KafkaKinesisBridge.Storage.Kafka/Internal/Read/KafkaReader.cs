using System.Buffers;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Kafka.Internal.Admin;
using Microsoft.Extensions.Logging;

namespace KafkaKinesisBridge.Storage.Kafka.Internal.Read;

/// <summary>
/// Reads a partition from an offset with a pooled, assigned consumer (see <see cref="ConsumerPool"/>).
/// </summary>
/// <remarks>
/// <para>A read never blocks a thread: it takes what the consumer has prefetched (Consume with a zero
/// timeout) and, when nothing is there yet but records exist below the high watermark, polls again
/// with a growing delay for at most <see cref="KafkaStorageOptions.ReadWait"/>. At the high watermark
/// it returns at once, leaving the consumer fetching for the next read.</para>
/// <para>Offsets beyond the high watermark are refused before a consumer is assigned (librdkafka
/// would reset them to the log start); offsets below the log start read from it
/// (auto.offset.reset=earliest), as the storage port requires.</para>
/// </remarks>
internal sealed class KafkaReader(
    KafkaStorageOptions options,
    TopicMetadataCache metadata,
    PartitionOffsetsCache offsets,
    ClusterQueries queries,
    ConsumerPool pool,
    TimeProvider timeProvider,
    ILogger logger)
{
    private const int InitialRecordCapacity = 64;
    private static readonly TimeSpan MaxPollDelay = TimeSpan.FromMilliseconds(16);

    public async ValueTask<ReadResult> ReadAsync(ReadRequest request, CancellationToken cancellationToken)
    {
        var check = await metadata.CheckPartitionAsync(request.Topic, request.Partition, cancellationToken);
        if (check != StorageStatus.Ok)
        {
            return ReadResult.Empty(check, request.Offset, default);
        }

        var state = offsets.Get(request.Topic, request.Partition);
        if (state.HighWatermark < request.Offset)
        {
            // Unknown, or the partition grew since: ask the cluster before assigning a consumer.
            var refreshed = await RefreshOffsetsAsync(request.Topic, request.Partition, state, cancellationToken);
            if (refreshed != StorageStatus.Ok)
            {
                return ReadResult.Empty(refreshed, request.Offset, state.Snapshot);
            }

            if (request.Offset > state.HighWatermark)
            {
                return ReadResult.Empty(StorageStatus.OffsetOutOfRange, request.Offset, state.Snapshot);
            }
        }

        var consumer = await pool.AcquireAsync(request.Topic, request.Partition, request.Offset, cancellationToken);
        try
        {
            pool.Record(consumer.MoveTo(request.Topic, request.Partition, request.Offset));
            return await ConsumeAsync(consumer, request, state, cancellationToken);
        }
        catch (KafkaException e)
        {
            consumer.Broken = true;
            Log.ReadFailed(logger, request.Topic, request.Partition, e.Error.Code.ToString(), e.Error.Reason);
            return ReadResult.Empty(KafkaErrors.ToStatus(e.Error.Code), request.Offset, state.Snapshot);
        }
        catch (OperationCanceledException)
        {
            // The consumer may hold a half-read position; start it afresh next time.
            consumer.Unassign();
            throw;
        }
        finally
        {
            pool.Release(consumer);
        }
    }

    /// <summary>Log start and high watermark from the cluster (two ListOffsets queries).</summary>
    public async ValueTask<StorageStatus> RefreshOffsetsAsync(string topic, int partition, PartitionOffsetsCache.State state, CancellationToken cancellationToken)
    {
        var earliest = queries.ListOffsetAsync(topic, partition, OffsetSpec.Earliest(), cancellationToken);
        var latest = queries.ListOffsetAsync(topic, partition, OffsetSpec.Latest(), cancellationToken);
        var start = await earliest;
        var end = await latest;
        var status = start.Status != StorageStatus.Ok ? start.Status : end.Status;
        if (status == StorageStatus.Ok)
        {
            state.Observe(start.Offset, end.Offset);
        }
        else if (status == StorageStatus.TopicNotFound)
        {
            metadata.Invalidate(topic);
        }

        return status;
    }

    private async ValueTask<ReadResult> ConsumeAsync(PooledConsumer consumer, ReadRequest request, PartitionOffsetsCache.State state, CancellationToken cancellationToken)
    {
        var arena = new RecordArena(request.MaxBytes);
        var records = ArrayPool<StoredRecord>.Shared.Rent(Math.Min(request.MaxRecords, InitialRecordCapacity));
        var count = 0;
        var bytes = 0L;
        var status = StorageStatus.Ok;
        consumer.Deserializer.Target = arena;

        if (consumer.Stash is { } stash && stash.Offset == request.Offset)
        {
            // The record the last read held back: always returned, whatever its size.
            records[count++] = new StoredRecord(
                stash.Offset,
                stash.TimestampMs,
                arena.Append(stash.Key),
                arena.Append(stash.Value),
                stash.Headers);
            bytes = stash.Size;
            consumer.Stash = null;
        }

        var waitStarted = 0L;
        var delay = TimeSpan.FromMilliseconds(1);
        while (count < request.MaxRecords)
        {
            var mark = arena.GetMark();
            ConsumeResult<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>? result;
            try
            {
                result = consumer.Consumer.Consume(TimeSpan.Zero);
            }
            catch (ConsumeException e)
            {
                arena.Rewind(mark);
                Log.ReadFailed(logger, request.Topic, request.Partition, e.Error.Code.ToString(), e.Error.Reason);
                consumer.Unassign();
                status = KafkaErrors.ToStatus(e.Error.Code);
                if (status == StorageStatus.TopicNotFound)
                {
                    metadata.Invalidate(request.Topic);
                }

                break;
            }

            if (result is null)
            {
                if (count > 0)
                {
                    break;
                }

                ObserveWatermarks(consumer, state);
                if (consumer.Position >= state.HighWatermark)
                {
                    // At the end: nothing to wait for; the consumer keeps fetching for the next read.
                    break;
                }

                // Records exist but are not fetched yet (a fetch after an assign or seek is in flight).
                if (waitStarted == 0)
                {
                    waitStarted = timeProvider.GetTimestamp();
                }

                var remaining = options.ReadWait - timeProvider.GetElapsedTime(waitStarted);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                await Task.Delay(delay < remaining ? delay : remaining, timeProvider, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollDelay.Ticks));
                continue;
            }

            if (result.IsPartitionEOF)
            {
                state.Observe(-1, result.Offset.Value);
                if (count > 0 || consumer.Position >= result.Offset.Value)
                {
                    break;
                }

                continue;
            }

            var offset = result.Offset.Value;
            if (offset < consumer.Position)
            {
                // librdkafka reset the position to the log start: the offset was beyond the high
                // watermark after all (for example after an unclean leader election truncated the log).
                arena.Rewind(mark);
                Log.ReadOffsetMovedBack(logger, request.Topic, request.Partition, consumer.Position, offset);
                consumer.Unassign();
                if (count == 0)
                {
                    status = StorageStatus.OffsetOutOfRange;
                }

                break;
            }

            var message = result.Message;
            var headers = ToLogHeaders(message.Headers);
            var size = message.Key.Length + message.Value.Length + LogRecordSize.HeadersSize(headers);
            if (count > 0 && bytes + size > request.MaxBytes)
            {
                // Over the byte limit: keep it for the next read, which most likely starts here.
                consumer.Stash = new StashedRecord(offset, message.Timestamp.UnixTimestampMs, message.Key.ToArray(), message.Value.ToArray(), headers);
                arena.Rewind(mark);
                consumer.Position = offset + 1;
                break;
            }

            if (count == records.Length)
            {
                var larger = ArrayPool<StoredRecord>.Shared.Rent(Math.Min(records.Length * 2, request.MaxRecords));
                records.AsSpan(0, count).CopyTo(larger);
                ArrayPool<StoredRecord>.Shared.Return(records, clearArray: true);
                records = larger;
            }

            records[count++] = new StoredRecord(offset, message.Timestamp.UnixTimestampMs, message.Key, message.Value, headers);
            bytes += size;
            consumer.Position = offset + 1;
        }

        consumer.Deserializer.Target = null;
        ObserveWatermarks(consumer, state);
        var nextOffset = count > 0 ? records[count - 1].Offset + 1 : Math.Max(request.Offset, state.LogStart);
        var partitionOffsets = new PartitionOffsets(Math.Max(0, state.LogStart), Math.Max(state.HighWatermark, nextOffset));
        if (count == 0)
        {
            ArrayPool<StoredRecord>.Shared.Return(records, clearArray: true);
            arena.Release();
            return ReadResult.Empty(status, nextOffset, partitionOffsets);
        }

        return new KafkaReadResult(records, count, arena, nextOffset, partitionOffsets);
    }

    /// <summary>The watermarks of the consumer's last fetch response (no request; -1001 while unknown).</summary>
    private static void ObserveWatermarks(PooledConsumer consumer, PartitionOffsetsCache.State state)
    {
        if (consumer.Assigned is not { } assigned)
        {
            return;
        }

        var watermarks = consumer.Consumer.GetWatermarkOffsets(assigned);
        if (watermarks.High.Value >= 0)
        {
            state.Observe(watermarks.Low.Value, watermarks.High.Value);
        }
    }

    private static LogHeader[]? ToLogHeaders(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        var result = new LogHeader[headers.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var header = headers[i];
            result[i] = new LogHeader(header.Key, header.GetValueBytes() ?? []);
        }

        return result;
    }
}
