using KafkaKinesisBridge.Firehose.Sink.Tool;

// kkb-sink: "bench" measures the sink worker end to end; "crash-child" is the process the crash test
// kills. Options are --name value pairs; see SinkBench and CrashChild.
return args.Length == 0 ? Usage() : args[0] switch
{
    "bench" => await SinkBench.RunAsync(Arguments.Parse(args[1..])),
    "crash-child" => await CrashChild.RunAsync(Arguments.Parse(args[1..])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: kkb-sink bench [--seconds 20] [--rate 0 (unlimited)] [--record-bytes 100] [--partitions 4]
                              [--interval 1] [--size-mb 128] [--compression GZIP] [--dir <temp>] [--fsync]
               kkb-sink crash-child --dir <dir> --generation <n> [--drain]
        """);
    return 2;
}
