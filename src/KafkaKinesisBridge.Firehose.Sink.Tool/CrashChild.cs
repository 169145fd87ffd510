using System.Globalization;
using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Firehose.Sink.Checkpoints;
using KafkaKinesisBridge.Firehose.Sink.Destinations;
using KafkaKinesisBridge.Firehose.Sink.Hosting;
using KafkaKinesisBridge.Firehose.Sink.Model;
using KafkaKinesisBridge.Firehose.Sink.Sources;
using KafkaKinesisBridge.Storage.Embedded;
using Microsoft.Extensions.Options;

namespace KafkaKinesisBridge.Firehose.Sink.Tool;

/// <summary>
/// The process the crash test kills with SIGKILL: the sink worker on an embedded log in
/// <c>--dir</c>/log, delivering to <c>--dir</c>/objects, while a writer appends records
/// <c>g&lt;generation&gt;-&lt;n&gt;</c> to the delivery stream's DirectPut topic and prints
/// <c>ack &lt;first&gt; &lt;count&gt;</c> after each acknowledged append (what PutRecordBatch acknowledges).
/// With <c>--drain</c> it writes nothing, waits until every record is delivered (checkpoints at the
/// high watermarks), stops the worker cleanly and prints <c>drained</c>.
/// </summary>
internal static class CrashChild
{
    public const string Topic = "firehose-crash";
    public const string Bucket = "crash";
    public const int Partitions = 3;

    public static SinkDeliveryStream Stream => new(
        "crash-stream",
        1,
        new SinkSourceSpec(SinkSourceKind.DirectPut, Topic),
        new SinkDestination
        {
            Bucket = Bucket,
            Compression = SinkCompressionFormat.Gzip,
            BufferIntervalInSeconds = 0,
            BufferSizeInMBs = 1,
            AppendDelimiterToRecord = true,
        });

    public static async Task<int> RunAsync(Arguments args)
    {
        var directory = args.String("dir", string.Empty);
        var generation = args.Int("generation", 0);
        var drain = args.Has("drain");
        await using var log = EmbeddedLogStore.Open(new EmbeddedLogOptions { DataDirectory = Path.Combine(directory, "log") });
        var status = await log.CreateTopicAsync(new TopicSpec(Topic, Partitions, Timeout.InfiniteTimeSpan), CancellationToken.None);
        if (status is not (StorageStatus.Ok or StorageStatus.TopicAlreadyExists))
        {
            await Console.Error.WriteLineAsync($"create topic: {status}");
            return 1;
        }

        var options = new SinkOptions
        {
            MaxPollWait = TimeSpan.FromMilliseconds(20),
            IdlePollDelay = TimeSpan.FromMilliseconds(5),
            RestartDelay = TimeSpan.FromMilliseconds(50),
            CatalogPollInterval = TimeSpan.FromMilliseconds(100),
        };
        var checkpoints = new FileCheckpointStore(Path.Combine(directory, "checkpoints"));
        using var worker = new SinkWorker(
            new StaticDeliveryStreamProvider(Stream),
            new LogStoreSinkSourceFactory(log, checkpoints, options, TimeProvider.System),
            new LocalDirectoryObjectStore(Path.Combine(directory, "objects")),
            Options.Create(options));
        await worker.StartAsync(CancellationToken.None);
        Console.WriteLine("ready");
        if (drain)
        {
            while (!await DrainedAsync(log, checkpoints))
            {
                await Task.Delay(20);
            }

            await worker.StopAsync(CancellationToken.None);
            Console.WriteLine("drained");
            return 0;
        }

        // Write until killed: batches of 1-20 records, round-robin over the partitions.
        var random = new Random(generation);
        var n = 0L;
        for (var batch = 0; ; batch++)
        {
            var count = random.Next(1, 21);
            var records = new LogRecord[count];
            for (var i = 0; i < count; i++)
            {
                records[i] = new LogRecord(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(Value(generation, n + i)), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }

            var outcomes = new AppendOutcome[count];
            if (await log.AppendAsync(Topic, batch % Partitions, records, outcomes, CancellationToken.None) == StorageStatus.Ok)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ack {generation} {n} {count}"));
            }

            n += count;
            if (batch % 8 == 0)
            {
                await Task.Delay(1);
            }
        }
    }

    public static string Value(int generation, long n) => string.Create(CultureInfo.InvariantCulture, $"g{generation}-{n}");

    private static async Task<bool> DrainedAsync(EmbeddedLogStore log, FileCheckpointStore checkpoints)
    {
        var saved = await checkpoints.LoadAsync(Stream.Name, Topic, CancellationToken.None);
        for (var partition = 0; partition < Partitions; partition++)
        {
            var offsets = await log.GetOffsetsAsync(Topic, partition, CancellationToken.None);
            if (offsets.Offsets.HighWatermark > 0 && (!saved.TryGetValue(partition, out var next) || next < offsets.Offsets.HighWatermark))
            {
                return false;
            }
        }

        return true;
    }
}
