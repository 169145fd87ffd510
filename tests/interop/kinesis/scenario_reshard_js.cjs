// The resharding scenario of reshard_common.py run with the AWS SDK for JavaScript v3
// (@aws-sdk/client-kinesis, its default HTTP/2 handler): SplitShard, MergeShards, UpdateShardCount
// (with waitUntilStreamExists, which waits for ACTIVE), their refusals, UpdateStreamMode, then a read
// of every shard from TRIM_HORIZON in lineage order (parents before children, following ChildShards)
// checking that every acknowledged record came back exactly once with each key's records in order.
// Usage: node scenario_reshard_js.cjs --endpoint URL --stream NAME [--account ID] [--region R]
// Prints one JSON line per step, then a "summary" line; exit 1 when a step failed.
"use strict";

const kinesis = require("@aws-sdk/client-kinesis");

const MAX_HASH_KEY = (1n << 128n) - 1n;
const KEYS = Array.from({ length: 64 }, (_, i) => `key-${String(i).padStart(3, "0")}`);

function parseArgs(argv) {
  const args = { account: "000000000000", region: "us-east-1" };
  const names = { "--endpoint": "endpoint", "--stream": "stream", "--account": "account", "--region": "region" };
  for (let i = 0; i < argv.length; i += 2) {
    if (!(argv[i] in names)) throw new Error(`unknown argument ${argv[i]}`);
    args[names[argv[i]]] = argv[i + 1];
  }
  if (!args.endpoint || !args.stream) throw new Error("--endpoint and --stream are required");
  return args;
}

class Mismatch extends Error {}

function expect(condition, message, details) {
  if (!condition) throw new Mismatch(details === undefined ? message : `${message} ${JSON.stringify(details)}`);
}

class ApiError extends Error {
  constructor(code, message, status) {
    super(`${code}: ${message} (HTTP ${status})`);
    Object.assign(this, { code, apiMessage: message ?? "", status });
  }
}

async function expectError(action, code) {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.code === code && error.status === 400, `expected ${code} (HTTP 400)`, { got: { code: error.code, status: error.status, message: error.apiMessage } });
    return { code: error.code, message: error.apiMessage };
  }
  throw new Mismatch(`expected ${code}, the call succeeded`);
}

class Reporter {
  constructor() {
    this.failed = [];
    this.count = 0;
  }

  async run(name, action) {
    const started = Date.now();
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
    console.log(JSON.stringify({ step: name, ok, client: "js-h2", ms: Date.now() - started, details }));
    return ok;
  }

  finish() {
    console.log(JSON.stringify({ step: "summary", ok: this.failed.length === 0, client: "js-h2", details: { steps: this.count, failed: this.failed } }));
    return this.failed.length === 0 ? 0 : 1;
  }
}

class ReshardScenario {
  constructor(args, reporter) {
    Object.assign(this, { stream: args.stream, reporter });
    this.arn = `arn:aws:kinesis:${args.region}:${args.account}:stream/${args.stream}`;
    this.client = new kinesis.KinesisClient({
      endpoint: args.endpoint,
      region: args.region,
      credentials: { accessKeyId: "AKIDINTEROPEXAMPLE", secretAccessKey: "interop-secret" },
      maxAttempts: 1,
    });
    this.acked = new Map(); // "key/n" -> { shard, seq }
    this.nextN = new Map();
    this.children = [];
  }

  async call(op, params) {
    try {
      const { $metadata, ...output } = await this.client.send(new kinesis[`${op}Command`](params));
      return output;
    } catch (error) {
      if (error.$metadata === undefined || error.$fault === undefined) throw error;
      throw new ApiError(error.name, error.message, error.$metadata.httpStatusCode);
    }
  }

  /** The SDK's own waiter: DescribeStream until ACTIVE (also after a reshard's UPDATING). */
  async waitActive() {
    const started = Date.now();
    const result = await kinesis.waitUntilStreamExists({ client: this.client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { StreamName: this.stream });
    expect(result.state === "SUCCESS", "the stream did not become ACTIVE", { state: result.state });
    return Date.now() - started;
  }

  async listShards() {
    const shards = [];
    let token;
    do {
      const result = await this.call("ListShards", token ? { NextToken: token } : { StreamName: this.stream });
      shards.push(...result.Shards);
      token = result.NextToken;
    } while (token);
    return shards;
  }

  async openShards() {
    return (await this.listShards()).filter((s) => s.SequenceNumberRange.EndingSequenceNumber === undefined);
  }

  async putRound(perKey) {
    const entries = [];
    for (let i = 0; i < perKey; i++) {
      for (const key of KEYS) {
        const n = this.nextN.get(key) ?? 0;
        this.nextN.set(key, n + 1);
        entries.push([key, n]);
      }
    }
    const result = await this.call("PutRecords", {
      StreamName: this.stream,
      Records: entries.map(([key, n]) => ({ PartitionKey: key, Data: Buffer.from(JSON.stringify({ k: key, n })) })),
    });
    expect((result.FailedRecordCount ?? 0) === 0, "PutRecords reported failures", { failed: result.FailedRecordCount });
    entries.forEach(([key, n], i) => {
      const outcome = result.Records[i];
      expect(!this.acked.has(`${key}/${n}`), "a record was acknowledged twice", { key, n });
      this.acked.set(`${key}/${n}`, { shard: outcome.ShardId, seq: outcome.SequenceNumber });
    });
    return { records: entries.length };
  }

  async run() {
    const r = this.reporter;
    if (!(await r.run("create_stream", () => this.create()))) return;
    await r.run("put_before", () => this.putRound(2));
    await r.run("split_shard", () => this.split());
    await r.run("put_after_split", () => this.putRound(2));
    await r.run("merge_shards", () => this.merge());
    await r.run("put_after_merge", () => this.putRound(2));
    await r.run("update_shard_count", () => this.updateShardCount());
    await r.run("put_after_update", () => this.putRound(2));
    await r.run("reshard_errors", () => this.errors());
    await r.run("read_lineage", () => this.readAll());
    await r.run("update_stream_mode", () => this.updateStreamMode());
    await r.run("delete_stream", async () => {
      await this.call("DeleteStream", { StreamName: this.stream });
      return {};
    });
    this.client.destroy();
  }

  async create() {
    await this.call("CreateStream", { StreamName: this.stream, ShardCount: 2 });
    await this.waitActive();
    return { open_shards: (await this.openShards()).length };
  }

  async split() {
    const parent = (await this.openShards()).find((s) => s.ShardId === "shardId-000000000000");
    const start = BigInt(parent.HashKeyRange.StartingHashKey);
    const end = BigInt(parent.HashKeyRange.EndingHashKey);
    const middle = start + (end - start) / 2n + 1n;
    await this.call("SplitShard", { StreamName: this.stream, ShardToSplit: parent.ShardId, NewStartingHashKey: middle.toString() });
    const ms = await this.waitActive();
    const shards = await this.listShards();
    const closed = shards.find((s) => s.ShardId === parent.ShardId);
    expect(closed.SequenceNumberRange.EndingSequenceNumber !== undefined, "the split parent must be closed");
    const children = shards.filter((s) => s.ParentShardId === parent.ShardId).sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    expect(children.length === 2, "SplitShard makes two children", { got: children.map((c) => c.ShardId) });
    expect(
      BigInt(children[0].HashKeyRange.EndingHashKey) === middle - 1n && BigInt(children[1].HashKeyRange.StartingHashKey) === middle,
      "the children split the range at NewStartingHashKey",
      { got: children.map((c) => c.HashKeyRange) },
    );
    this.children = children.map((c) => c.ShardId);
    return { children: this.children, ms_to_active: ms };
  }

  async merge() {
    const [lower, upper] = this.children;
    await this.call("MergeShards", { StreamName: this.stream, ShardToMerge: lower, AdjacentShardToMerge: upper });
    const ms = await this.waitActive();
    const merged = (await this.listShards()).filter((s) => s.ParentShardId === lower);
    expect(merged.length === 1 && merged[0].AdjacentParentShardId === upper, "MergeShards makes one child naming both parents", { got: merged });
    return { child: merged[0].ShardId, ms_to_active: ms };
  }

  async updateShardCount() {
    const before = (await this.openShards()).length;
    const result = await this.call("UpdateShardCount", { StreamName: this.stream, TargetShardCount: before * 2, ScalingType: "UNIFORM_SCALING" });
    expect(result.CurrentShardCount === before && result.TargetShardCount === before * 2, "UpdateShardCount output", { got: result });
    const ms = await this.waitActive();
    const open = (await this.openShards()).sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    expect(open.length === before * 2, "open shards after UpdateShardCount", { got: open.length });
    let position = 0n;
    for (const shard of open) {
      expect(BigInt(shard.HashKeyRange.StartingHashKey) === position, "the open shards do not tile the hash-key space", { shard: shard.ShardId });
      position = BigInt(shard.HashKeyRange.EndingHashKey) + 1n;
    }
    expect(position === MAX_HASH_KEY + 1n, "the open shards do not reach the last hash key");
    return { from: before, to: before * 2, ms_to_active: ms };
  }

  async errors() {
    const closed = await expectError(() => this.call("SplitShard", { StreamName: this.stream, ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1" }), "InvalidArgumentException");
    const ordered = (await this.openShards()).sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    const apart = await expectError(() => this.call("MergeShards", { StreamName: this.stream, ShardToMerge: ordered[0].ShardId, AdjacentShardToMerge: ordered[2].ShardId }), "InvalidArgumentException");
    const double = await expectError(() => this.call("UpdateShardCount", { StreamName: this.stream, TargetShardCount: ordered.length * 2 + 1, ScalingType: "UNIFORM_SCALING" }), "LimitExceededException");
    return { split_closed: closed, merge_not_adjacent: apart, update_beyond_double: double };
  }

  async readShard(shardId, closed) {
    let iterator = (await this.call("GetShardIterator", { StreamName: this.stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
    const records = [];
    for (let i = 0; i < 1000; i++) {
      const result = await this.call("GetRecords", { ShardIterator: iterator, Limit: 1000 });
      records.push(...result.Records);
      iterator = result.NextShardIterator;
      if (iterator === undefined || iterator === null) {
        expect(closed, "an open shard ended", { shard: shardId });
        expect((result.ChildShards ?? []).length > 0, "the end of a closed shard must name its ChildShards", { shard: shardId });
        return { records, children: result.ChildShards.map((c) => c.ShardId).sort() };
      }
      // An open shard is read once a response reaches its tip (every write was acknowledged before the read began).
      if (!closed && result.MillisBehindLatest === 0) return { records, children: [] };
    }
    throw new Mismatch(`reading ${shardId} did not finish`);
  }

  async readAll() {
    const shards = await this.listShards();
    const ids = new Set(shards.map((s) => s.ShardId));
    const done = new Set();
    const order = [];
    let pending = [...shards];
    while (pending.length > 0) {
      const ready = pending.filter((s) => [s.ParentShardId, s.AdjacentParentShardId].every((p) => !p || !ids.has(p) || done.has(p)));
      expect(ready.length > 0, "the shard lineage has a cycle");
      for (const s of ready) {
        order.push(s.ShardId);
        done.add(s.ShardId);
      }
      pending = pending.filter((s) => !done.has(s.ShardId));
    }
    const seen = [];
    const childShards = {};
    for (const shardId of order) {
      const shard = shards.find((s) => s.ShardId === shardId);
      const closed = shard.SequenceNumberRange.EndingSequenceNumber !== undefined;
      const { records, children } = await this.readShard(shardId, closed);
      for (const record of records) seen.push({ ...JSON.parse(Buffer.from(record.Data).toString()), seq: record.SequenceNumber, shard: shardId });
      if (closed) childShards[shardId] = children;
    }
    const readKeys = new Set();
    const last = new Map();
    for (const { k, n, seq, shard } of seen) {
      const id = `${k}/${n}`;
      expect(!readKeys.has(id), "a record was read twice", { id });
      readKeys.add(id);
      const ack = this.acked.get(id);
      expect(ack !== undefined, "a record read that was never acknowledged", { id });
      expect(ack.shard === shard && ack.seq === seq, "a record came back from another shard or with another sequence number", { id, ack, read: { shard, seq } });
      expect((last.get(k) ?? -1) === n - 1, "per-key order broken", { key: k, expected: (last.get(k) ?? -1) + 1, got: n });
      last.set(k, n);
    }
    const missing = [...this.acked.keys()].filter((id) => !readKeys.has(id));
    expect(missing.length === 0, "acknowledged records were not read", { count: missing.length, first: missing.slice(0, 5) });
    return { shards_read: order, records: seen.length, keys: last.size, child_shards: childShards };
  }

  async updateStreamMode() {
    await this.call("UpdateStreamMode", { StreamARN: this.arn, StreamModeDetails: { StreamMode: "ON_DEMAND" } });
    const summary = (await this.call("DescribeStreamSummary", { StreamName: this.stream })).StreamDescriptionSummary;
    expect(summary.StreamModeDetails.StreamMode === "ON_DEMAND", "StreamMode after UpdateStreamMode", { got: summary.StreamModeDetails });
    await this.call("UpdateStreamMode", { StreamARN: this.arn, StreamModeDetails: { StreamMode: "PROVISIONED" } });
    const described = (await this.call("DescribeStream", { StreamName: this.stream })).StreamDescription;
    expect(described.StreamModeDetails.StreamMode === "PROVISIONED", "StreamMode after switching back", { got: described.StreamModeDetails });
    const third = await expectError(() => this.call("UpdateStreamMode", { StreamARN: this.arn, StreamModeDetails: { StreamMode: "ON_DEMAND" } }), "LimitExceededException");
    return { third_switch: third };
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const reporter = new Reporter();
  await new ReshardScenario(args, reporter).run();
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
