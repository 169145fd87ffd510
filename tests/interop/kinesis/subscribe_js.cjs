// Enhanced fan-out with the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis): register stream
// consumers, SubscribeToShardCommand and async iteration of its event stream, receiving records that
// another client (boto3, through boto_call.py) puts; resubscription with ContinuationSequenceNumber,
// also on a shard that has delivered nothing yet; TRIM_HORIZON, AT_SEQUENCE_NUMBER and AT_TIMESTAMP;
// the errors; a split followed into the child shards when the gateway supports SplitShard.
//   --handler h2     the client's default NodeHttp2Handler (HTTP/2 with prior knowledge, h2c);
//   --handler http1  @smithy/node-http-handler's NodeHttpHandler (HTTP/1.1, chunked response).
// Usage: node subscribe_js.cjs --endpoint URL --stream NAME [--handler h2|http1] [--python PATH]
// Prints one JSON line per step ({"step", "ok", "ms", "details"}), then a "summary" line; exit 1
// when a step failed. Packages resolve from tests/interop/node_modules (`make npm`).
"use strict";

const http = require("node:http");
const http2 = require("node:http2");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

// Count the transports before the SDK loads them (as scenario_js.cjs does).
const transport = { http2Sessions: 0, alpn: [], http1Requests: 0 };
const originalConnect = http2.connect;
http2.connect = function connect(...args) {
  transport.http2Sessions += 1;
  const session = originalConnect.apply(this, args);
  session.once("connect", () => transport.alpn.push(session.alpnProtocol));
  return session;
};
const originalRequest = http.request;
http.request = function request(...args) {
  transport.http1Requests += 1;
  return originalRequest.apply(this, args);
};

const kinesis = require("@aws-sdk/client-kinesis");
const { NodeHttpHandler } = require("@smithy/node-http-handler");

const MAX_HASH_KEY = (1n << 128n) - 1n;
const EVENT_TIMEOUT_MS = 15000;

function parseArgs(argv) {
  const args = { handler: "h2", region: "us-east-1", python: "/usr/bin/python3", accessKey: "AKIDINTEROPEXAMPLE", secretKey: "interop-secret" };
  const names = { "--endpoint": "endpoint", "--stream": "stream", "--handler": "handler", "--python": "python", "--region": "region" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!(argv[i] in names)) throw new Error(`unknown argument ${argv[i]}`);
    args[names[argv[i]]] = argv[i + 1];
  }
  if (!args.endpoint || !args.stream) throw new Error("--endpoint and --stream are required");
  if (!["h2", "http1"].includes(args.handler)) throw new Error("--handler is h2 or http1");
  return args;
}

class Mismatch extends Error {}

function jsonable(_key, value) {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  return value;
}

function expect(condition, message, details) {
  if (!condition) throw new Mismatch(details === undefined ? message : `${message} ${JSON.stringify(details, jsonable)}`);
}

class Reporter {
  constructor() {
    this.failed = [];
    this.count = 0;
  }

  async run(name, action) {
    const started = process.hrtime.bigint();
    let ok = true;
    let details;
    try {
      details = (await action()) ?? {};
    } catch (error) {
      ok = false;
      details = { error: `${error.name ?? error.constructor.name}: ${error.message}`, trace: (error.stack ?? "").split("\n").slice(0, 6).join("\n") };
    }
    this.count += 1;
    if (!ok) this.failed.push(name);
    const ms = Number((process.hrtime.bigint() - started) / 1000000n);
    console.log(JSON.stringify({ step: name, ok, client: "js", ms, details }, jsonable));
    return ok;
  }

  finish() {
    console.log(JSON.stringify({ step: "summary", ok: this.failed.length === 0, client: "js", details: { steps: this.count, failed: this.failed } }));
    return this.failed.length === 0 ? 0 : 1;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an SDK error says: its Kinesis name, message and HTTP status (undefined for an exception event). */
function errorDetails(error) {
  return { code: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

/** One SubscribeToShard call and its event stream, read event by event with a timeout. */
class Subscription {
  constructor(client, params) {
    this.client = client;
    this.params = params;
    this.abort = new AbortController();
    this.records = [];
    this.events = 0;
    this.continuation = undefined;
    this.childShards = undefined;
    this.ended = false;
  }

  /** Sends the call; resolves once the initial-response event arrived (what the SDK waits for). */
  async open() {
    const output = await this.client.send(new kinesis.SubscribeToShardCommand(this.params), { abortSignal: this.abort.signal });
    this.iterator = output.EventStream[Symbol.asyncIterator]();
    return this;
  }

  /** The next SubscribeToShardEvent, or null when the stream ended; throws an exception event's error. */
  async next(timeoutMs = EVENT_TIMEOUT_MS) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Mismatch(`no event within ${timeoutMs} ms (${this.records.length} records so far)`)), timeoutMs);
    });
    try {
      const { done, value } = await Promise.race([this.iterator.next(), timeout]);
      if (done) {
        this.ended = true;
        return null;
      }
      const event = value.SubscribeToShardEvent;
      expect(event !== undefined, "an event that is not a SubscribeToShardEvent", value);
      this.events += 1;
      expect(Array.isArray(event.Records), "Records missing", event);
      expect(typeof event.MillisBehindLatest === "number" && event.MillisBehindLatest >= 0, "MillisBehindLatest missing or negative", event);
      this.records.push(...event.Records);
      if (event.ContinuationSequenceNumber !== undefined) this.continuation = event.ContinuationSequenceNumber;
      if (event.ChildShards !== undefined && event.ChildShards.length > 0) this.childShards = event.ChildShards;
      return event;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads events until `count` records arrived in all. */
  async collect(count, timeoutMs = EVENT_TIMEOUT_MS) {
    while (this.records.length < count) {
      const event = await this.next(timeoutMs);
      expect(event !== null, `the stream ended after ${this.records.length} of ${count} records`);
    }
    return this.records;
  }

  close() {
    this.abort.abort();
  }
}

/**
 * Subscribes; a ResourceInUseException (Kinesis refuses a new subscription of the same consumer and
 * shard within 5 seconds of the last one) is retried for up to 12 seconds, as the KCL does.
 */
async function subscribe(client, params) {
  const deadline = Date.now() + 12000;
  for (;;) {
    try {
      return await new Subscription(client, params).open();
    } catch (error) {
      if (error.name !== "ResourceInUseException" || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

function checkRecords(received, expected) {
  expect(received.length === expected.length, "record count", { received: received.length, expected: expected.length });
  for (let i = 0; i < expected.length; i++) {
    const got = received[i];
    const want = expected[i];
    expect(got.SequenceNumber === want.SequenceNumber, `record ${i}: sequence number`, { got: got.SequenceNumber, want: want.SequenceNumber });
    expect(Buffer.from(got.Data).equals(want.Data), `record ${i}: data`, { got: Buffer.from(got.Data).toString("base64"), want: want.Data.toString("base64") });
    expect(got.PartitionKey === want.PartitionKey, `record ${i}: partition key`, { got: got.PartitionKey, want: want.PartitionKey });
    expect(got.ApproximateArrivalTimestamp instanceof Date, `record ${i}: ApproximateArrivalTimestamp`, got);
  }
  for (let i = 1; i < received.length; i++) {
    expect(BigInt(received[i].SequenceNumber) > BigInt(received[i - 1].SequenceNumber), "sequence numbers do not increase", received.map((r) => r.SequenceNumber));
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const client = new kinesis.KinesisClient({
    endpoint: args.endpoint,
    region: args.region,
    credentials: { accessKeyId: args.accessKey, secretAccessKey: args.secretKey },
    maxAttempts: 1,
    ...(args.handler === "http1" ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  const reporter = new Reporter();
  const stream = args.stream;
  const state = { puts: 0 };

  /** Another client puts: boto3 (HTTP/1.1) in its own process, through boto_call.py. Returns what it stored. */
  function putWithBoto3(shardIndex, count, label) {
    const shardCount = 2n;
    const hashKey = ((MAX_HASH_KEY / shardCount) * BigInt(shardIndex) + 7n).toString();
    const records = [];
    for (let i = 0; i < count; i++) {
      state.puts += 1;
      records.push({ Data: Buffer.from(`${label}-${i}-\u00e9-${state.puts}`, "utf8"), PartitionKey: `key-${label}-${i}`, ExplicitHashKey: hashKey });
    }
    const call = {
      endpoint: args.endpoint, region: args.region, access_key: args.accessKey, secret_key: args.secretKey, op: "put_records",
      params: { StreamName: stream, Records: records.map((r) => ({ Data: { $bytes: r.Data.toString("base64") }, PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey })) },
    };
    const run = spawnSync(args.python, [path.join(__dirname, "boto_call.py"), JSON.stringify(call)], { encoding: "utf8", timeout: 60000 });
    expect(run.status === 0, "boto_call.py failed", { status: run.status, stderr: run.stderr });
    const answer = JSON.parse(run.stdout);
    expect(answer.result && answer.result.FailedRecordCount === 0, "boto3 put_records failed", answer);
    return answer.result.Records.map((r, i) => ({ ...records[i], SequenceNumber: r.SequenceNumber, ShardId: r.ShardId }));
  }

  let streamArn;
  const consumers = {};
  const shards = ["shardId-000000000000", "shardId-000000000001"];
  const put = { shard0: [], shard1: [] };
  let continuation0;
  let continuation1;

  await reporter.run("create_stream", async () => {
    await client.send(new kinesis.CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await kinesis.waitUntilStreamExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StreamName: stream });
    streamArn = (await client.send(new kinesis.DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary.StreamARN;
    return { stream_arn: streamArn };
  });

  await reporter.run("register_consumers", async () => {
    for (const name of ["reader-a", "reader-b"]) {
      const registered = await client.send(new kinesis.RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
      const arn = registered.Consumer.ConsumerARN;
      expect(new RegExp(`^${streamArn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/consumer/${name}:\\d+$`).test(arn), "consumer ARN shape", registered.Consumer);
      const deadline = Date.now() + 30000;
      for (;;) {
        const described = await client.send(new kinesis.DescribeStreamConsumerCommand({ ConsumerARN: arn }));
        if (described.ConsumerDescription.ConsumerStatus === "ACTIVE") break;
        expect(Date.now() < deadline, "consumer not ACTIVE within 30 s", described.ConsumerDescription);
        await sleep(200);
      }
      consumers[name] = arn;
    }
    return { consumers };
  });

  await reporter.run("subscribe_receives_put", async () => {
    const sub = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: shards[0], StartingPosition: { Type: "LATEST" } });
    try {
      put.shard0.push(...putWithBoto3(0, 5, "first"));
      const started = Date.now();
      checkRecords(await sub.collect(5), put.shard0);
      expect(sub.continuation !== undefined, "no ContinuationSequenceNumber");
      expect(BigInt(sub.continuation) >= BigInt(put.shard0[4].SequenceNumber), "ContinuationSequenceNumber below the last record", { continuation: sub.continuation, last: put.shard0[4].SequenceNumber });
      continuation0 = sub.continuation;
      return { events: sub.events, continuation: sub.continuation, receive_ms: Date.now() - started };
    } finally {
      sub.close();
    }
  });

  await reporter.run("resubscribe_with_continuation", async () => {
    const more = putWithBoto3(0, 3, "second");
    put.shard0.push(...more);
    const sub = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: shards[0], StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: continuation0 } });
    try {
      // Exactly the records put since: none skipped, none repeated.
      checkRecords(await sub.collect(3), more);
      continuation0 = sub.continuation;
      return { events: sub.events, continuation: sub.continuation };
    } finally {
      sub.close();
    }
  });

  await reporter.run("continuation_on_empty_shard", async () => {
    // A shard that has delivered nothing: the first event's ContinuationSequenceNumber must still
    // resume before the first record written after it.
    const first = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: shards[1], StartingPosition: { Type: "LATEST" } });
    let emptyContinuation;
    try {
      const event = await first.next();
      expect(event !== null && event.Records.length === 0, "expected an empty first event on an empty shard", event);
      emptyContinuation = first.continuation;
      expect(emptyContinuation !== undefined, "no ContinuationSequenceNumber on the empty shard");
    } finally {
      first.close();
    }
    put.shard1.push(...putWithBoto3(1, 2, "empty"));
    const second = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: shards[1], StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: emptyContinuation } });
    try {
      checkRecords(await second.collect(2), put.shard1);
      continuation1 = second.continuation;
      return { empty_continuation: emptyContinuation, first_record: put.shard1[0].SequenceNumber };
    } finally {
      second.close();
    }
  });

  await reporter.run("subscribe_trim_horizon", async () => {
    const sub = await subscribe(client, { ConsumerARN: consumers["reader-b"], ShardId: shards[0], StartingPosition: { Type: "TRIM_HORIZON" } });
    try {
      checkRecords(await sub.collect(put.shard0.length), put.shard0);
      return { records: sub.records.length, events: sub.events };
    } finally {
      sub.close();
    }
  });

  await reporter.run("subscribe_at_sequence_number", async () => {
    const sub = await subscribe(client, { ConsumerARN: consumers["reader-b"], ShardId: shards[1], StartingPosition: { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: put.shard1[1].SequenceNumber } });
    try {
      checkRecords(await sub.collect(1), put.shard1.slice(1));
      return { records: sub.records.length };
    } finally {
      sub.close();
    }
  });

  await reporter.run("subscribe_at_timestamp", async () => {
    // AT_TIMESTAMP before every record: the whole shard.
    const sub = await subscribe(client, { ConsumerARN: consumers["reader-b"], ShardId: shards[0], StartingPosition: { Type: "AT_TIMESTAMP", Timestamp: new Date(Date.now() - 3600 * 1000) } });
    try {
      checkRecords(await sub.collect(put.shard0.length), put.shard0);
      return { records: sub.records.length };
    } finally {
      sub.close();
    }
  });

  await reporter.run("error_unknown_consumer", async () => {
    const arn = consumers["reader-a"].replace("/consumer/reader-a:", "/consumer/no-such-reader:");
    try {
      const sub = await new Subscription(client, { ConsumerARN: arn, ShardId: shards[0], StartingPosition: { Type: "LATEST" } }).open();
      const event = await sub.next(5000);
      sub.close();
      throw new Mismatch(`expected ResourceNotFoundException, got an event ${JSON.stringify(event, jsonable)}`);
    } catch (error) {
      if (error instanceof Mismatch) throw error;
      expect(error.name === "ResourceNotFoundException", "expected ResourceNotFoundException", errorDetails(error));
      return errorDetails(error);
    }
  });

  await reporter.run("error_second_subscription", async () => {
    // The same consumer and shard twice at once: Kinesis refuses the second within 5 seconds
    // (ResourceInUseException), or a later one takes over and the first ends with that exception.
    const first = await subscribe(client, { ConsumerARN: consumers["reader-b"], ShardId: shards[1], StartingPosition: { Type: "LATEST" } });
    try {
      try {
        const second = await new Subscription(client, { ConsumerARN: consumers["reader-b"], ShardId: shards[1], StartingPosition: { Type: "LATEST" } }).open();
        second.close();
      } catch (error) {
        expect(error.name === "ResourceInUseException", "expected ResourceInUseException", errorDetails(error));
        return { refused: errorDetails(error) };
      }
      try {
        while ((await first.next(8000)) !== null) { /* until the takeover ends it */ }
      } catch (error) {
        expect(error.name === "ResourceInUseException", "the taken-over subscription ended with another error", errorDetails(error));
        return { taken_over: errorDetails(error) };
      }
      throw new Mismatch("the second subscription was accepted and the first one did not end with ResourceInUseException");
    } finally {
      first.close();
    }
  });

  await reporter.run("follow_split", async () => {
    try {
      await client.send(new kinesis.SplitShardCommand({ StreamName: stream, ShardToSplit: shards[0], NewStartingHashKey: (MAX_HASH_KEY / 4n).toString() }));
    } catch (error) {
      if (error.name === "UnknownOperationException") return { skipped: "the gateway does not support SplitShard yet" };
      throw error;
    }
    await kinesis.waitUntilStreamExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StreamName: stream });
    // The parent delivers its remaining records, then an event with ChildShards and the stream ends.
    const parent = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: shards[0], StartingPosition: { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: continuation0 } });
    try {
      while (parent.childShards === undefined) {
        expect((await parent.next()) !== null, "the parent's stream ended without ChildShards");
      }
    } finally {
      parent.close();
    }
    const children = parent.childShards;
    expect(children.length === 2 && children.every((c) => c.ParentShards.includes(shards[0])), "ChildShards of a split", children);
    const received = [];
    for (const child of children) {
      const hashKey = BigInt(child.HashKeyRange.StartingHashKey);
      const stored = putOne(child, hashKey);
      const sub = await subscribe(client, { ConsumerARN: consumers["reader-a"], ShardId: child.ShardId, StartingPosition: { Type: "TRIM_HORIZON" } });
      try {
        checkRecords(await sub.collect(1), [stored]);
        received.push({ shard: child.ShardId, sequence_number: stored.SequenceNumber });
      } finally {
        sub.close();
      }
    }
    return { children: children.map((c) => c.ShardId), received };

    function putOne(child, hashKey) {
      state.puts += 1;
      const record = { Data: Buffer.from(`child-${state.puts}`), PartitionKey: `child-${child.ShardId}`, ExplicitHashKey: hashKey.toString() };
      const call = { endpoint: args.endpoint, region: args.region, access_key: args.accessKey, secret_key: args.secretKey, op: "put_record",
        params: { StreamName: stream, Data: { $bytes: record.Data.toString("base64") }, PartitionKey: record.PartitionKey, ExplicitHashKey: record.ExplicitHashKey } };
      const run = spawnSync(args.python, [path.join(__dirname, "boto_call.py"), JSON.stringify(call)], { encoding: "utf8", timeout: 60000 });
      const answer = JSON.parse(run.stdout);
      expect(answer.result && answer.result.ShardId === child.ShardId, "the record did not go to the child shard", answer);
      return { ...record, SequenceNumber: answer.result.SequenceNumber };
    }
  });

  await reporter.run("deregister_consumers", async () => {
    for (const arn of Object.values(consumers)) {
      await client.send(new kinesis.DeregisterStreamConsumerCommand({ ConsumerARN: arn }));
    }
    const listed = await client.send(new kinesis.ListStreamConsumersCommand({ StreamARN: streamArn }));
    expect(listed.Consumers.every((c) => c.ConsumerStatus === "DELETING"), "consumers still listed as usable after deregistration", listed.Consumers);
    return { listed: listed.Consumers.length };
  });

  await reporter.run("delete_stream", async () => {
    await client.send(new kinesis.DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
    return {};
  });

  await reporter.run("transport", async () => ({ handler: args.handler, http2_sessions: transport.http2Sessions, alpn: transport.alpn, http1_requests: transport.http1Requests }));

  client.destroy();
  process.exitCode = reporter.finish();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
