using System.Text;
using KafkaKinesisBridge.Core.Storage;
using KafkaKinesisBridge.Storage.Embedded;

namespace KafkaKinesisBridge.Storage.Benchmarks;

/// <summary>
/// The child process of the crash test: appends forever from several concurrent writers and prints
/// one line per acknowledged append (<c>ack partition firstOffset count writer firstSequence</c>). The
/// test kills it with SIGKILL at an arbitrary moment, reopens the data directory and checks that
/// every acknowledged record is there, intact.
/// </summary>
public static class CrashWriter
{
    public const string Topic = "crash";

    /// <summary>The value of record <paramref name="sequence"/> of <paramref name="writer"/> (lengths vary, so
    /// records straddle write and page boundaries differently).</summary>
    public static string Value(int writer, long sequence) =>
        $"w{writer}-s{sequence}-" + new string((char)('a' + (sequence % 26)), (int)(sequence * 7 % 300));

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var directory = options.Text("dir") ?? throw new ArgumentException("--dir is required");
        var writers = options.Int("writers", 4);
        var partitions = options.Int("partitions", 4);
        var batch = options.Int("batch", 10);
        var store = EmbeddedLogStore.Open(new EmbeddedLogOptions
        {
            DataDirectory = directory,
            FsyncOnAppend = options.Flag("fsync"),
            SegmentBytes = options.Int("segment-bytes", 256 * 1024),
            IndexIntervalBytes = 1024,
        });
        var created = await store.CreateTopicAsync(new TopicSpec(Topic, partitions, Timeout.InfiniteTimeSpan), CancellationToken.None);
        if (created is not (StorageStatus.Ok or StorageStatus.TopicAlreadyExists))
        {
            Console.Error.WriteLine($"create topic: {created}");
            return 1;
        }

        var output = Console.Out;
        var gate = new Lock();
        lock (gate)
        {
            output.WriteLine("ready");
            output.Flush();
        }

        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var partition = writer % partitions;
            var records = new LogRecord[batch];
            var outcomes = new AppendOutcome[batch];
            var key = Encoding.UTF8.GetBytes($"w{writer}");
            for (long sequence = 0; ; sequence += batch)
            {
                for (var i = 0; i < batch; i++)
                {
                    records[i] = new LogRecord(key, Encoding.UTF8.GetBytes(Value(writer, sequence + i)), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                }

                var status = await store.AppendAsync(Topic, partition, records, outcomes, CancellationToken.None);
                if (status != StorageStatus.Ok)
                {
                    Console.Error.WriteLine($"append: {status}");
                    Environment.Exit(1);
                }

                lock (gate)
                {
                    output.WriteLine($"ack {partition} {outcomes[0].Offset} {batch} {writer} {sequence}");
                    output.Flush();
                }
            }
        })));
        return 0;
    }
}
