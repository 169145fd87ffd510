// The Kinesis client scenario (the same steps and checks as scenario_common.py) run with the AWS SDK
// for JavaScript v3 (@aws-sdk/client-kinesis), with either request handler:
//   --handler h2     the client's default NodeHttp2Handler: HTTP/2 with prior knowledge (h2c) to an
//                    http:// endpoint;
//   --handler http1  @smithy/node-http-handler's NodeHttpHandler: HTTP/1.1.
// The transport really used is checked (http2.connect sessions vs http.request calls).
// Usage: node scenario_js.cjs --endpoint URL --stream NAME [--handler h2|http1] [--scenario full|auth]
//        [--account ID] [--region R] [--access-key K --secret-key S]
// Prints one JSON line per step ({"step", "ok", "ms", "details"}), then a "summary" line; exit 1
// when a step failed. Packages resolve from tests/interop/node_modules (`make npm`).
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");
const http2 = require("node:http2");

// Count the transports before the SDK loads them: the h2 handler calls http2.connect per session,
// the HTTP/1.1 handler takes `request` from node:http when it first needs an agent.
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
const KPL_MAGIC = Buffer.from("f3899ac2", "hex");
const MAX_RECORD_DATA = 1024 * 1024;
const MAX_PUT_RECORDS = 500;

function parseArgs(argv) {
  const args = { handler: "h2", scenario: "full", account: "000000000000", region: "us-east-1", accessKey: "AKIDINTEROPEXAMPLE", secretKey: "interop-secret" };
  const names = { "--endpoint": "endpoint", "--stream": "stream", "--handler": "handler", "--scenario": "scenario", "--account": "account", "--region": "region", "--access-key": "accessKey", "--secret-key": "secretKey" };
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
  if (value instanceof Uint8Array) return value.length <= 512 ? { $bytes: Buffer.from(value).toString("base64") } : { $bytes_len: value.length };
  if (value && value.type === "Buffer" && Array.isArray(value.data)) return value.data.length <= 512 ? { $bytes: Buffer.from(value.data).toString("base64") } : { $bytes_len: value.data.length };
  return value;
}

function expect(condition, message, details) {
  if (!condition) throw new Mismatch(details === undefined ? message : `${message} ${JSON.stringify(details, jsonable)}`);
}

class ApiError extends Error {
  constructor(code, message, status, requestId) {
    super(`${code}: ${message} (HTTP ${status}, request id ${requestId})`);
    Object.assign(this, { code, apiMessage: message ?? "", status, requestId });
  }

  details() {
    return { code: this.code, message: this.apiMessage, status: this.status, request_id: this.requestId };
  }
}

class Reporter {
  constructor(client) {
    this.client = client;
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
      details = { error: `${error.constructor.name}: ${error.message}`, trace: (error.stack ?? "").split("\n").slice(0, 5).join("\n") };
    }
    this.count += 1;
    if (!ok) this.failed.push(name);
    const ms = Number((process.hrtime.bigint() - started) / 1000000n);
    console.log(JSON.stringify({ step: name, ok, client: this.client, ms, details }, jsonable));
    return ok;
  }

  finish() {
    console.log(JSON.stringify({ step: "summary", ok: this.failed.length === 0, client: this.client, details: { steps: this.count, failed: this.failed } }));
    return this.failed.length === 0 ? 0 : 1;
  }
}

async function expectError(action, code, { status = 400, message, messageContains } = {}) {
  let result;
  try {
    result = await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code === code, `expected ${code}`, { got: error.details() });
    if (status !== null && error.status !== undefined) expect(error.status === status, `expected HTTP ${status}`, { got: error.details() });
    if (message !== undefined) expect(error.apiMessage === message, "unexpected message", { expected: message, got: error.apiMessage });
    if (messageContains !== undefined) expect(error.apiMessage.includes(messageContains), `message should contain ${JSON.stringify(messageContains)}`, { got: error.apiMessage });
    return error.details();
  }
  throw new Mismatch(`expected ${code}, the call succeeded: ${JSON.stringify(result, jsonable).slice(0, 500)}`);
}

/** Kinesis: MD5 of the partition key's UTF-8 bytes as a big-endian unsigned 128-bit integer. */
function hashKeyOf(partitionKey) {
  return BigInt("0x" + crypto.createHash("md5").update(Buffer.from(partitionKey, "utf8")).digest("hex"));
}

function expectedRanges(count) {
  const step = (1n << 128n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => [step * BigInt(i), i === count - 1 ? MAX_HASH_KEY : step * BigInt(i + 1) - 1n]);
}

function varint(value) {
  const out = [];
  let v = BigInt(value);
  do {
    let bits = Number(v & 0x7fn);
    v >>= 7n;
    if (v) bits |= 0x80;
    out.push(bits);
  } while (v);
  return Buffer.from(out);
}

const pbBytes = (field, payload) => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
const pbVarint = (field, value) => Buffer.concat([varint(field << 3), varint(value)]);

/** A KPL aggregated record (magic, protobuf AggregatedRecord, MD5 of the protobuf), as scenario_common.kpl_aggregate. */
function kplAggregate(userRecords) {
  const keys = [];
  for (const [key] of userRecords) if (!keys.includes(key)) keys.push(key);
  const parts = keys.map((key) => pbBytes(1, Buffer.from(key, "utf8")));
  for (const [key, data] of userRecords) parts.push(pbBytes(3, Buffer.concat([pbVarint(1, keys.indexOf(key)), pbBytes(3, data)])));
  const body = Buffer.concat(parts);
  return Buffer.concat([KPL_MAGIC, body, crypto.createHash("md5").update(body).digest()]);
}

function kplDeaggregate(blob) {
  const buffer = Buffer.from(blob);
  expect(buffer.subarray(0, 4).equals(KPL_MAGIC), "no KPL magic", { head: buffer.subarray(0, 4).toString("hex") });
  const body = buffer.subarray(4, buffer.length - 16);
  expect(crypto.createHash("md5").update(body).digest().equals(buffer.subarray(buffer.length - 16)), "KPL MD5 trailer does not match");
  const readVarint = (b, p) => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = b[p++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return [result, p];
      shift += 7n;
    }
  };
  const fields = (b) => {
    const out = [];
    let p = 0;
    while (p < b.length) {
      let tag;
      [tag, p] = readVarint(b, p);
      if ((tag & 7n) === 2n) {
        let length;
        [length, p] = readVarint(b, p);
        out.push([Number(tag >> 3n), b.subarray(p, p + Number(length))]);
        p += Number(length);
      } else {
        let value;
        [value, p] = readVarint(b, p);
        out.push([Number(tag >> 3n), value]);
      }
    }
    return out;
  };
  const keys = [];
  const records = [];
  for (const [field, value] of fields(body)) {
    if (field === 1) keys.push(value.toString("utf8"));
    else if (field === 3) {
      const inner = Object.fromEntries(fields(value));
      records.push([keys[Number(inner[1])], Buffer.from(inner[3])]);
    }
  }
  return records;
}

const bytesEqual = (a, b) => Buffer.from(a).equals(Buffer.from(b));
const isDecimal = (s) => typeof s === "string" && /^(0|[1-9][0-9]*)$/.test(s);

class Sdk {
  constructor(args) {
    this.name = `js-${args.handler}`;
    this.client = new kinesis.KinesisClient({
      endpoint: args.endpoint,
      region: args.region,
      credentials: { accessKeyId: args.accessKey, secretAccessKey: args.secretKey },
      maxAttempts: 1,
      ...(args.handler === "http1" ? { requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }) } : {}),
    });
  }

  async call(op, params) {
    try {
      const result = await this.client.send(new kinesis[`${op}Command`](params));
      const { $metadata, ...output } = result;
      return output;
    } catch (error) {
      if (error.$metadata === undefined || error.$fault === undefined) throw error;
      throw new ApiError(error.name, error.message, error.$metadata.httpStatusCode, error.$metadata.requestId);
    }
  }

  async waitExists(stream) {
    const result = await kinesis.waitUntilStreamExists({ client: this.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: stream });
    return { waiter: "waitUntilStreamExists", state: result.state };
  }

  async waitNotExists(stream) {
    const result = await kinesis.waitUntilStreamNotExists({ client: this.client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: stream });
    return { waiter: "waitUntilStreamNotExists", state: result.state };
  }
}

class Scenario {
  static SHARDS = 2;

  constructor(sdk, args, reporter) {
    Object.assign(this, { sdk, stream: args.stream, account: args.account, region: args.region, reporter });
    this.shards = [];
    this.acked = [];
    this.calls = 0;
    this.read = new Map();
    this.createdAt = null;
  }

  get arn() {
    return `arn:aws:kinesis:${this.region}:${this.account}:stream/${this.stream}`;
  }

  call(op, params) {
    return this.sdk.call(op, params);
  }

  route(hashKey) {
    const matches = this.shards.filter((s) => s.start <= hashKey && hashKey <= s.end).map((s) => s.id);
    expect(matches.length === 1, "hash key not in exactly one shard", { hashKey });
    return matches[0];
  }

  keyRoutedTo(index, prefix) {
    const shard = this.shards[index];
    for (let i = 0; i < 1000; i++) {
      const key = `${prefix}-${i}`;
      const hash = hashKeyOf(key);
      if (shard.start <= hash && hash <= shard.end) return key;
    }
    throw new Mismatch("no key found");
  }

  ack(shard, seq, key, data, call) {
    expect(isDecimal(seq), "sequence number is not a decimal string", { seq });
    this.acked.push({ shard, seq, key, data: Buffer.from(data), call });
  }

  async putRecord(key, data, explicitHashKey) {
    const params = { StreamName: this.stream, PartitionKey: key, Data: data };
    if (explicitHashKey !== undefined) params.ExplicitHashKey = explicitHashKey;
    const result = await this.call("PutRecord", params);
    const expected = this.route(explicitHashKey !== undefined ? BigInt(explicitHashKey) : hashKeyOf(key));
    expect(result.ShardId === expected, "PutRecord routed to the wrong shard", { key, expected, got: result.ShardId });
    this.calls += 1;
    this.ack(result.ShardId, result.SequenceNumber, key, data, this.calls);
    return result;
  }

  async putRecords(entries) {
    const records = entries.map(([key, data, explicit]) => (explicit === undefined ? { PartitionKey: key, Data: data } : { PartitionKey: key, Data: data, ExplicitHashKey: explicit }));
    const result = await this.call("PutRecords", { StreamName: this.stream, Records: records });
    expect((result.FailedRecordCount ?? 0) === 0, "PutRecords reported failures", { failed: result.FailedRecordCount, records: (result.Records ?? []).slice(0, 5) });
    expect(result.Records.length === entries.length, "one result per request record", { sent: entries.length, got: result.Records.length });
    this.calls += 1;
    entries.forEach(([key, data, explicit], i) => {
      const outcome = result.Records[i];
      expect(outcome.ErrorCode === undefined, "a record failed", { outcome });
      const expected = this.route(explicit !== undefined ? BigInt(explicit) : hashKeyOf(key));
      expect(outcome.ShardId === expected, "PutRecords routed a record to the wrong shard", { key, expected, got: outcome.ShardId });
      this.ack(outcome.ShardId, outcome.SequenceNumber, key, data, this.calls);
    });
    const unique = new Set(result.Records.map((o) => `${o.ShardId}/${o.SequenceNumber}`));
    expect(unique.size === result.Records.length, "duplicate sequence numbers in one batch");
    return result;
  }

  async iterator(shardId, type, extra = {}) {
    const result = await this.call("GetShardIterator", { StreamName: this.stream, ShardId: shardId, ShardIteratorType: type, ...extra });
    expect(typeof result.ShardIterator === "string" && result.ShardIterator.length >= 1 && result.ShardIterator.length <= 512, "ShardIterator must be a string of 1..512 characters", { got: result.ShardIterator });
    return result.ShardIterator;
  }

  async readFrom(shardId, type, expected, extra = {}) {
    let iterator = await this.iterator(shardId, type, extra);
    const records = [];
    for (let i = 0; i < 10; i++) {
      const result = await this.call("GetRecords", { ShardIterator: iterator, Limit: 10000 });
      expect(Array.isArray(result.Records), "GetRecords without Records", { got: result });
      expect(Number.isInteger(result.MillisBehindLatest) && result.MillisBehindLatest >= 0, "MillisBehindLatest must be a non-negative integer", { got: result.MillisBehindLatest });
      records.push(...result.Records);
      iterator = result.NextShardIterator;
      expect(iterator, "an open shard's GetRecords must return NextShardIterator");
      if (records.length >= expected || (result.Records.length === 0 && result.MillisBehindLatest === 0 && expected === 0)) break;
    }
    return records;
  }

  static view(records) {
    return records.map((r) => [r.SequenceNumber, r.PartitionKey, Buffer.from(r.Data)]);
  }

  ackedView(shardId) {
    return this.acked
      .filter((a) => a.shard === shardId)
      .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1))
      .map((a) => [a.seq, a.key, a.data]);
  }

  static checkSame(got, expected, what) {
    const view = Scenario.view(got);
    const same = (a, b) => a && b && a[0] === b[0] && a[1] === b[1] && bytesEqual(a[2], b[2]);
    if (view.length === expected.length && view.every((v, i) => same(v, expected[i]))) return;
    let first = 0;
    while (first < Math.min(view.length, expected.length) && same(view[first], expected[first])) first++;
    throw new Mismatch(`${what}: ${view.length} records read, ${expected.length} expected; first difference at ${first}: read ${JSON.stringify(view[first] ?? null, jsonable)}, expected ${JSON.stringify(expected[first] ?? null, jsonable)}`);
  }

  async run() {
    const r = this.reporter;
    await r.run("create_stream", () => this.createStream());
    await r.run("wait_stream_exists", () => this.sdk.waitExists(this.stream));
    await r.run("describe_stream", () => this.describeStream());
    await r.run("describe_stream_summary", () => this.describeStreamSummary());
    await r.run("list_shards", () => this.listShards());
    await r.run("list_streams", () => this.listStreams());
    await r.run("put_record", () => this.putSingle());
    await r.run("put_record_explicit_hash_key", () => this.putExplicitHashKey());
    await r.run("put_records", () => this.putBatch());
    await r.run("get_trim_horizon", () => this.getTrimHorizon());
    await r.run("kpl_aggregate_roundtrip", () => this.kplRoundtrip());
    await r.run("get_at_sequence_number", () => this.getRelative("AT_SEQUENCE_NUMBER", 0));
    await r.run("get_after_sequence_number", () => this.getRelative("AFTER_SEQUENCE_NUMBER", 1));
    await r.run("get_latest", () => this.getLatest());
    await r.run("get_at_timestamp", () => this.getAtTimestamp());
    await r.run("error_unknown_stream", () => this.errorUnknownStream());
    await r.run("error_oversized_record", () => this.errorOversizedRecord());
    await r.run("error_bad_iterator", () => this.errorBadIterator());
    await r.run("error_batch_too_large", () => this.errorBatchTooLarge());
    await r.run("tags_round_trip", () => this.tagsRoundTrip());
    await r.run("retention_increase", () => this.retentionIncrease());
    await r.run("delete_stream", async () => {
      await this.call("DeleteStream", { StreamName: this.stream });
      return {};
    });
    await r.run("wait_stream_not_exists", () => this.waitNotExists());
  }

  async createStream() {
    const result = await this.call("CreateStream", { StreamName: this.stream, ShardCount: Scenario.SHARDS });
    expect(Object.keys(result).length === 0, "CreateStream returns an empty body", { got: result });
    return { stream: this.stream, shards: Scenario.SHARDS };
  }

  async describeStream() {
    const d = (await this.call("DescribeStream", { StreamName: this.stream })).StreamDescription;
    // The shards first: later steps route with them even if another member is wrong here.
    expect(d.Shards.length === Scenario.SHARDS, "shard count", { got: d.Shards.length });
    for (const shard of d.Shards) this.shards.push({ id: shard.ShardId, start: BigInt(shard.HashKeyRange.StartingHashKey), end: BigInt(shard.HashKeyRange.EndingHashKey) });
    this.createdAt = d.StreamCreationTimestamp;
    const ranges = expectedRanges(Scenario.SHARDS);
    d.Shards.forEach((shard, i) => {
      expect(shard.ShardId === `shardId-${String(i).padStart(12, "0")}`, "ShardId", { got: shard.ShardId });
      const { start, end } = this.shards[i];
      expect(start === ranges[i][0] && end === ranges[i][1], "HashKeyRange", { shard: shard.ShardId, got: [start, end], expected: ranges[i] });
      expect(isDecimal(shard.SequenceNumberRange.StartingSequenceNumber), "StartingSequenceNumber", { got: shard.SequenceNumberRange });
      expect(shard.SequenceNumberRange.EndingSequenceNumber === undefined, "an open shard has no EndingSequenceNumber", { got: shard.SequenceNumberRange });
      expect(shard.ParentShardId === undefined, "a new stream's shards have no parent", { got: shard });
    });
    expect(d.StreamName === this.stream, "StreamName", { got: d.StreamName });
    expect(d.StreamARN === this.arn, "StreamARN", { got: d.StreamARN });
    expect(d.StreamStatus === "ACTIVE", "StreamStatus", { got: d.StreamStatus });
    expect(d.HasMoreShards === false, "HasMoreShards", { got: d.HasMoreShards });
    expect(d.RetentionPeriodHours === 24, "RetentionPeriodHours", { got: d.RetentionPeriodHours });
    expect(Array.isArray(d.EnhancedMonitoring), "EnhancedMonitoring must be a list", { got: d.EnhancedMonitoring });
    expect(d.StreamCreationTimestamp instanceof Date && Math.abs(Date.now() - d.StreamCreationTimestamp.getTime()) < 120000, "StreamCreationTimestamp is not about now", { got: d.StreamCreationTimestamp });
    return { shards: this.shards.map((s) => s.id), created: this.createdAt };
  }

  async describeStreamSummary() {
    const s = (await this.call("DescribeStreamSummary", { StreamName: this.stream })).StreamDescriptionSummary;
    expect(s.StreamName === this.stream, "StreamName", { got: s.StreamName });
    expect(s.StreamARN === this.arn, "StreamARN", { got: s.StreamARN });
    expect(s.StreamStatus === "ACTIVE", "StreamStatus", { got: s.StreamStatus });
    expect(s.OpenShardCount === Scenario.SHARDS, "OpenShardCount", { got: s.OpenShardCount });
    expect(s.RetentionPeriodHours === 24, "RetentionPeriodHours", { got: s.RetentionPeriodHours });
    if (this.createdAt) expect(s.StreamCreationTimestamp.getTime() === this.createdAt.getTime(), "StreamCreationTimestamp differs from DescribeStream", { got: s.StreamCreationTimestamp, expected: this.createdAt });
    if (s.StreamModeDetails) expect(s.StreamModeDetails.StreamMode === "PROVISIONED", "StreamMode", { got: s.StreamModeDetails });
    return { open_shards: s.OpenShardCount, mode: s.StreamModeDetails ?? null };
  }

  async listShards() {
    const first = await this.call("ListShards", { StreamName: this.stream, MaxResults: 1 });
    const shards = [...first.Shards];
    let pages = 1;
    let token = first.NextToken;
    while (token && pages < 5) {
      // NextToken alone: Kinesis rejects StreamName together with NextToken.
      const page = await this.call("ListShards", { NextToken: token, MaxResults: 1 });
      shards.push(...page.Shards);
      token = page.NextToken;
      pages++;
    }
    expect(JSON.stringify(shards.map((s) => s.ShardId)) === JSON.stringify(this.shards.map((s) => s.id)), "ListShards shard ids", { got: shards.map((s) => s.ShardId) });
    shards.forEach((shard, i) => {
      expect(BigInt(shard.HashKeyRange.StartingHashKey) === this.shards[i].start && BigInt(shard.HashKeyRange.EndingHashKey) === this.shards[i].end, "ListShards hash key range", { got: shard.HashKeyRange });
    });
    return { pages, shards: shards.map((s) => s.ShardId) };
  }

  async listStreams() {
    const result = await this.call("ListStreams", { Limit: 100 });
    expect(result.StreamNames.includes(this.stream), "ListStreams does not list the stream", { names: result.StreamNames.slice(0, 20) });
    expect(typeof result.HasMoreStreams === "boolean", "HasMoreStreams must be a boolean", { got: result.HasMoreStreams });
    if (result.StreamSummaries !== undefined) {
      const mine = result.StreamSummaries.find((s) => s.StreamName === this.stream);
      expect(mine && mine.StreamARN === this.arn && mine.StreamStatus === "ACTIVE", "StreamSummaries entry", { got: mine });
    }
    return { streams: result.StreamNames.length, summaries: result.StreamSummaries !== undefined };
  }

  async putSingle() {
    const first = await this.putRecord("alpha", Buffer.from("first record \u0000\u00ff", "latin1"));
    const second = await this.putRecord("alpha", Buffer.from("second record, same key"));
    expect(first.ShardId === second.ShardId, "the same partition key went to two shards");
    expect(BigInt(first.SequenceNumber) < BigInt(second.SequenceNumber), "sequence numbers of sequential puts to one shard must increase", { first: first.SequenceNumber, second: second.SequenceNumber });
    return { shard: first.ShardId, sequence_numbers: [first.SequenceNumber, second.SequenceNumber] };
  }

  async putExplicitHashKey() {
    const lowKey = this.keyRoutedTo(1, "ehk-low");
    const highKey = this.keyRoutedTo(0, "ehk-high");
    const low = await this.putRecord(lowKey, Buffer.from("explicit hash key: last of shard 0"), this.shards[0].end.toString());
    const high = await this.putRecord(highKey, Buffer.from("explicit hash key: first of shard 1"), this.shards[1].start.toString());
    return { low: low.ShardId, high: high.ShardId };
  }

  async putBatch() {
    this.kplKey = "kpl-user-0";
    this.kplInner = [[this.kplKey, Buffer.from("user record 0")], ["kpl-user-1", Buffer.from([...Buffer.from("user record 1 "), 0, 1])], [this.kplKey, Buffer.from(Array.from({ length: 200 }, (_, i) => i))]];
    this.kplBlob = kplAggregate(this.kplInner);
    const entries = Array.from({ length: 12 }, (_, i) => [`key-${i % 5}`, Buffer.from(`batch record ${i}`), undefined]);
    entries.push(
      ["binary", Buffer.from(Array.from({ length: 256 }, (_, i) => i)), undefined],
      ["ключ-ü-\u{1F511}", Buffer.from("non-ASCII partition key"), undefined],
      ["k".repeat(256), Buffer.from("a 256-character partition key"), undefined],
      ["batch-explicit", Buffer.from("explicit hash key in a batch"), MAX_HASH_KEY.toString()],
      [this.kplKey, this.kplBlob, undefined],
    );
    const result = await this.putRecords(entries);
    return { records: result.Records.length, shards: [...new Set(result.Records.map((o) => o.ShardId))].sort() };
  }

  async getTrimHorizon() {
    const results = await Promise.all(this.shards.map(async (shard) => [shard.id, await this.readFrom(shard.id, "TRIM_HORIZON", this.ackedView(shard.id).length)]));
    const counts = {};
    for (const [shardId, records] of results) {
      Scenario.checkSame(records, this.ackedView(shardId), `TRIM_HORIZON on ${shardId}`);
      for (const record of records) {
        expect(record.ApproximateArrivalTimestamp instanceof Date, "ApproximateArrivalTimestamp missing", { record });
        expect(Math.abs(record.ApproximateArrivalTimestamp.getTime() - Date.now()) < 120000, "ApproximateArrivalTimestamp is not about now", { got: record.ApproximateArrivalTimestamp });
      }
      this.read.set(shardId, records);
      counts[shardId] = records.length;
    }
    for (const shard of this.shards) {
      const mine = this.acked.filter((a) => a.shard === shard.id);
      for (const a of mine) for (const b of mine) if (a.call < b.call) expect(BigInt(a.seq) < BigInt(b.seq), "a later call got a smaller sequence number", { earlier: a.seq, later: b.seq });
    }
    return { records: counts };
  }

  async kplRoundtrip() {
    expect(this.kplBlob, "the batch step did not run");
    const found = [...this.read.values()].flat().filter((r) => r.PartitionKey === this.kplKey);
    expect(found.length === 1, "the aggregated record was not read back once", { found: found.length });
    const data = Buffer.from(found[0].Data);
    expect(data.equals(this.kplBlob), "the aggregated record changed", { sent: this.kplBlob.length, got: data.length });
    const inner = kplDeaggregate(data);
    expect(inner.length === this.kplInner.length && inner.every(([k, d], i) => k === this.kplInner[i][0] && d.equals(this.kplInner[i][1])), "user records", { got: inner });
    return { bytes: data.length, user_records: inner.length, md5: crypto.createHash("md5").update(data).digest("hex") };
  }

  busiestShard() {
    let best = null;
    for (const [id, records] of this.read) if (best === null || records.length > best[1].length) best = [id, records];
    return best;
  }

  async getRelative(type, offset) {
    const [shardId, records] = this.busiestShard();
    const middle = Math.floor(records.length / 2);
    const sequence = records[middle].SequenceNumber;
    const expected = Scenario.view(records.slice(middle + offset));
    const got = await this.readFrom(shardId, type, expected.length, { StartingSequenceNumber: sequence });
    Scenario.checkSame(got, expected, `${type} ${sequence} on ${shardId}`);
    return { shard: shardId, sequence_number: sequence, records: got.length };
  }

  async getLatest() {
    const shardId = this.shards[0].id;
    const iterator = await this.iterator(shardId, "LATEST");
    const empty = await this.call("GetRecords", { ShardIterator: iterator });
    expect(empty.Records.length === 0, "LATEST must start after the last record", { got: Scenario.view(empty.Records) });
    expect(empty.MillisBehindLatest === 0, "MillisBehindLatest at the tip", { got: empty.MillisBehindLatest });
    const data = Buffer.from("written after the LATEST iterator");
    const put = await this.putRecord("after-latest", data, "0");
    let next = empty.NextShardIterator;
    const got = [];
    for (let i = 0; i < 5 && got.length === 0; i++) {
      const result = await this.call("GetRecords", { ShardIterator: next });
      got.push(...result.Records);
      next = result.NextShardIterator;
    }
    Scenario.checkSame(got, [[put.SequenceNumber, "after-latest", data]], `LATEST on ${shardId}`);
    this.read.set(shardId, [...this.read.get(shardId), ...got]);
    return { shard: shardId, sequence_number: put.SequenceNumber };
  }

  async getAtTimestamp() {
    const shardId = this.shards[0].id;
    const before = this.read.get(shardId);
    expect(before && before.length > 0, "shard 0 has no records yet");
    // The same boundary as the Python clients (which send whole seconds): the next whole second after
    // every record so far; wait (real time) until the clock has passed it, then write.
    const latest = Math.max(...before.map((r) => r.ApproximateArrivalTimestamp.getTime()));
    const boundary = (Math.floor(latest / 1000) + 1) * 1000;
    while (Date.now() < boundary + 50) await new Promise((resolve) => setTimeout(resolve, Math.min(50, boundary + 50 - Date.now())));
    await this.putRecords([0, 1, 2].map((i) => [`after-boundary-${i}`, Buffer.from(`after the boundary ${i}`), "0"]));
    const expected = this.ackedView(shardId).slice(-3);
    const got = await this.readFrom(shardId, "AT_TIMESTAMP", 3, { Timestamp: new Date(boundary) });
    Scenario.checkSame(got, expected, `AT_TIMESTAMP ${new Date(boundary).toISOString()} on ${shardId}`);
    for (const record of got) expect(record.ApproximateArrivalTimestamp.getTime() >= boundary, "a record before the timestamp", { record });
    const everything = this.ackedView(shardId);
    const early = await this.readFrom(shardId, "AT_TIMESTAMP", everything.length, { Timestamp: new Date(Math.floor(this.createdAt.getTime() / 1000) * 1000 - 3600000) });
    Scenario.checkSame(early, everything, `AT_TIMESTAMP before creation on ${shardId}`);
    return { shard: shardId, timestamp: new Date(boundary), records_after: got.length, records_all: early.length };
  }

  async errorUnknownStream() {
    const missing = `${this.stream}-missing`;
    const message = `Stream ${missing} under account ${this.account} not found.`;
    const [describe, put] = await Promise.all([
      expectError(() => this.call("DescribeStreamSummary", { StreamName: missing }), "ResourceNotFoundException", { message }),
      expectError(() => this.call("PutRecord", { StreamName: missing, PartitionKey: "k", Data: Buffer.from("x") }), "ResourceNotFoundException", { message }),
    ]);
    return { describe_stream_summary: describe, put_record: put };
  }

  async errorOversizedRecord() {
    const big = Buffer.alloc(MAX_RECORD_DATA + 1, 7);
    const messageContains = `Member must have length less than or equal to ${MAX_RECORD_DATA}`;
    const [single, batch] = await Promise.all([
      expectError(() => this.call("PutRecord", { StreamName: this.stream, PartitionKey: "big", Data: big }), "ValidationException", { messageContains }),
      expectError(() => this.call("PutRecords", { StreamName: this.stream, Records: [{ PartitionKey: "small", Data: Buffer.from("ok") }, { PartitionKey: "big", Data: big }] }), "ValidationException", { messageContains }),
    ]);
    expect(batch.message.includes("records.2.member.data"), "the batch error should name records.2.member.data", { got: batch.message });
    return { put_record: single, put_records: batch };
  }

  async errorBadIterator() {
    const error = await expectError(() => this.call("GetRecords", { ShardIterator: "AAAAAAAAAAF+not+an+iterator+issued+by+this+gateway+/+interop+test==" }), "InvalidArgumentException");
    return { get_records: error };
  }

  async errorBatchTooLarge() {
    const records = Array.from({ length: MAX_PUT_RECORDS + 1 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from("x") }));
    const error = await expectError(() => this.call("PutRecords", { StreamName: this.stream, Records: records }), "ValidationException", { messageContains: `Member must have length less than or equal to ${MAX_PUT_RECORDS}` });
    // The SDK does not validate lengths client-side: the gateway's answer carries its request id.
    expect(error.request_id, "no request id: the answer did not come from the gateway", { got: error });
    return { put_records: error };
  }

  async tagsRoundTrip() {
    await this.call("AddTagsToStream", { StreamName: this.stream, Tags: { team: "interop", env: "test" } });
    let listed = await this.call("ListTagsForStream", { StreamName: this.stream });
    const asMap = Object.fromEntries(listed.Tags.map((t) => [t.Key, t.Value]));
    expect(Object.keys(asMap).length === 2 && asMap.team === "interop" && asMap.env === "test", "tags after AddTagsToStream", { got: listed.Tags });
    expect(listed.HasMoreTags === false, "HasMoreTags", { got: listed.HasMoreTags });
    await this.call("RemoveTagsFromStream", { StreamName: this.stream, TagKeys: ["env"] });
    listed = await this.call("ListTagsForStream", { StreamName: this.stream });
    expect(listed.Tags.length === 1 && listed.Tags[0].Key === "team" && listed.Tags[0].Value === "interop", "tags after RemoveTagsFromStream", { got: listed.Tags });
    return { tags: listed.Tags };
  }

  async retentionIncrease() {
    await this.call("IncreaseStreamRetentionPeriod", { StreamName: this.stream, RetentionPeriodHours: 48 });
    const s = (await this.call("DescribeStreamSummary", { StreamName: this.stream })).StreamDescriptionSummary;
    expect(s.RetentionPeriodHours === 48, "RetentionPeriodHours after IncreaseStreamRetentionPeriod", { got: s.RetentionPeriodHours });
    return { retention_hours: 48 };
  }

  async waitNotExists() {
    const details = await this.sdk.waitNotExists(this.stream);
    const gone = await expectError(() => this.call("DescribeStreamSummary", { StreamName: this.stream }), "ResourceNotFoundException");
    return { ...details, describe_after_delete: gone };
  }
}

/** Verify-auth mode: the right key works end to end (the signature over h2 or HTTP/1.1 verifies); a wrong secret is rejected. */
async function runAuth(args, reporter) {
  const right = new Sdk(args);
  const wrong = new Sdk({ ...args, secretKey: `${args.secretKey}-wrong` });
  const stream = args.stream;
  await reporter.run("auth_valid_key_create_stream", async () => {
    await right.call("CreateStream", { StreamName: stream, ShardCount: 1 });
    return right.waitExists(stream);
  });
  await reporter.run("auth_valid_key_put_get", async () => {
    const data = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    const put = await right.call("PutRecord", { StreamName: stream, PartitionKey: "signed", Data: data });
    const { ShardIterator } = await right.call("GetShardIterator", { StreamName: stream, ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" });
    const { Records } = await right.call("GetRecords", { ShardIterator });
    expect(Records.length === 1 && Records[0].SequenceNumber === put.SequenceNumber && bytesEqual(Records[0].Data, data), "the signed record did not come back", { got: Records.map((r) => r.SequenceNumber) });
    return { sequence_number: put.SequenceNumber };
  });
  await reporter.run("auth_wrong_secret_rejected", async () => {
    const error = await expectError(() => wrong.call("ListStreams", {}), "InvalidSignatureException", { messageContains: "The request signature we calculated does not match the signature you provided." });
    return { list_streams: { ...error, message: error.message.slice(0, 160) } };
  });
  await reporter.run("auth_valid_key_delete_stream", async () => {
    await right.call("DeleteStream", { StreamName: stream });
    return right.waitNotExists(stream);
  });
  right.client.destroy();
  wrong.client.destroy();
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const reporter = new Reporter(`js-${args.handler}`);
  if (args.scenario === "auth") {
    await runAuth(args, reporter);
  } else {
    const sdk = new Sdk(args);
    await new Scenario(sdk, args, reporter).run();
    sdk.client.destroy();
  }
  await reporter.run("transport", () => {
    if (args.handler === "h2") {
      // The Kinesis client's default NodeHttp2Handler (disableConcurrentStreams) opens a session per request.
      expect(transport.http2Sessions >= 1 && transport.http1Requests === 0, "the default handler should talk HTTP/2", transport);
      // Cleartext HTTP/2 with prior knowledge reports h2c; over TLS, h2 is what ALPN negotiated.
      const protocol = args.endpoint.startsWith("https:") ? "h2" : "h2c";
      expect(transport.alpn.length > 0 && transport.alpn.every((p) => p === protocol), `the HTTP/2 sessions report ${protocol}`, transport);
    } else {
      expect(transport.http1Requests >= 1 && transport.http2Sessions === 0, "NodeHttpHandler should talk HTTP/1.1", transport);
    }
    return { http2_sessions: transport.http2Sessions, alpn: [...new Set(transport.alpn)], http1_requests: transport.http1Requests };
  });
  return reporter.finish();
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.log(JSON.stringify({ step: "setup", ok: false, details: { error: String(error), trace: error.stack } }));
    process.exitCode = 2;
  },
);
