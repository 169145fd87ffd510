using KafkaKinesisBridge.Gateway.Hosting;

// KafkaKinesisBridge gateway: Kinesis Data Streams semantics (gRPC and the Kinesis wire protocol)
// stored in Kafka or in the embedded log. Settings: appsettings.json, environment variables
// (Section__Key), command line (--Section:Key=value, or the switches in GatewayConfiguration).
var app = GatewayApplication.Build(args);
await app.RunAsync();
