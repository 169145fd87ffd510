using System.CommandLine;
using KafkaKinesisBridge.Bench;

// kkb-bench: drives PutRecords, PutRecord and GetRecords against the gateway and prints rates,
// latency percentiles and one machine-readable summary line per workload. See BenchCommand.
var root = BenchCommand.Create();
return await root.Parse(args).InvokeAsync();
