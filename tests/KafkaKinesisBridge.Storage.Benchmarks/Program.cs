using KafkaKinesisBridge.Storage.Benchmarks;

// Usage:
//   bench        [--dir PATH] [--seconds 5] [--writers 8] [--partitions 4] [--batch 125] [--record-bytes 100] [--fsync]
//   crash-writer --dir PATH [--writers 4] [--partitions 4] [--batch 10] [--fsync]
var command = args.Length > 0 ? args[0] : "bench";
var options = ParseOptions(args.Skip(1).ToArray());
return command switch
{
    "bench" => await StorageBenchmark.RunAsync(options),
    "crash-writer" => await CrashWriter.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: bench [--dir PATH] [--seconds N] [--writers N] [--partitions N] [--batch N] [--record-bytes N] [--fsync]");
    Console.Error.WriteLine("       crash-writer --dir PATH [--writers N] [--partitions N] [--batch N] [--fsync]");
    return 2;
}

static Dictionary<string, string> ParseOptions(string[] arguments)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < arguments.Length; i++)
    {
        var name = arguments[i].TrimStart('-');
        var isFlag = i + 1 >= arguments.Length || arguments[i + 1].StartsWith("--", StringComparison.Ordinal);
        options[name] = isFlag ? "true" : arguments[++i];
    }

    return options;
}
