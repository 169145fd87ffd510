"""The resharding and on-demand scenarios shared by scenario_reshard.py (boto3 and the AWS CLI).

Written from the Kinesis Data Streams API reference (SplitShard, MergeShards, UpdateShardCount,
UpdateStreamMode, ListShards, GetRecords "ChildShards") and the developer guide ("Resharding a
stream": parents are read to their end before their children, so per-key order holds). Same report
format as scenario_common.py: one JSON line per step, then a summary.

reshard: create a 2-shard stream; put records with many partition keys (each key numbering its
records 0, 1, 2, ...); SplitShard shardId-000000000000 at the middle of its range; put; MergeShards of
the two children; put; UpdateShardCount to twice the open shards; put; the refusals Kinesis gives
(split of a closed shard, merge of shards that are not adjacent, UpdateShardCount beyond double);
then read every shard from TRIM_HORIZON in lineage order (parents before children) until a closed
shard answers without NextShardIterator (with ChildShards) or an open shard is at its tip, and check
that every acknowledged record came back exactly once with each key's records in order; then
UpdateStreamMode to ON_DEMAND and back; delete.

ondemand: against a gateway configured with small per-shard limits and a short split window, create
an ON_DEMAND stream (4 shards, no ShardCount), write to one hash key above the split share of the
limit until the gateway splits that shard by itself (no reshard call from the client), then read
across the lineage as above.
"""
import json
import time

from scenario_common import Mismatch, expect, expect_error

MAX_HASH_KEY = (1 << 128) - 1


class Lineage:
    """Acknowledged records and the read across the lineage."""

    def __init__(self, scenario):
        self.s = scenario
        self.acked = {}  # (key, n) -> {"shard", "seq"}
        self.next_n = {}

    def put_round(self, keys, per_key, explicit_hash_key=None, tolerate_throttling=False):
        """PutRecords of `per_key` records for every key (in batches of at most 500); acks each."""
        entries = []
        for _ in range(per_key):
            for key in keys:
                n = self.next_n.get(key, 0)
                self.next_n[key] = n + 1
                entries.append((key, n))
        throttled = 0
        for start in range(0, len(entries), 250):
            batch = entries[start:start + 250]
            while batch:
                request = []
                for key, n in batch:
                    entry = {"PartitionKey": key, "Data": json.dumps({"k": key, "n": n}).encode()}
                    if explicit_hash_key is not None:
                        entry["ExplicitHashKey"] = explicit_hash_key
                    request.append(entry)
                result = self.s.call("PutRecords", StreamName=self.s.stream, Records=request)
                expect(len(result["Records"]) == len(batch), "one result per request record", sent=len(batch), got=len(result["Records"]))
                retry = []
                for (key, n), outcome in zip(batch, result["Records"]):
                    if "ErrorCode" in outcome:
                        expect(tolerate_throttling and outcome["ErrorCode"] == "ProvisionedThroughputExceededException", "a record failed", outcome=outcome)
                        throttled += 1
                        retry.append((key, n))
                        continue
                    expect((key, n) not in self.acked, "a record was acknowledged twice", key=key, n=n)
                    self.acked[(key, n)] = {"shard": outcome["ShardId"], "seq": outcome["SequenceNumber"]}
                if retry and not tolerate_throttling:
                    raise Mismatch("records failed")
                # A throttled record keeps its number but must come after its key's acknowledged
                # predecessors: retry it in order, in the next call.
                batch = retry
                if retry:
                    time.sleep(0.05)
        return {"records": len(entries), "throttled_retries": throttled}

    def list_all_shards(self):
        shards, token = [], None
        while True:
            params = {"NextToken": token} if token else {"StreamName": self.s.stream}
            result = self.s.call("ListShards", **params)
            shards.extend(result["Shards"])
            token = result.get("NextToken")
            if not token:
                return shards

    def read_all(self):
        """Reads every shard, parents first; checks exactly-once and per-key order."""
        shards = self.list_all_shards()
        by_id = {s["ShardId"]: s for s in shards}
        done = set()
        order = []
        pending = list(shards)
        # Lineage order: a shard is read once its parents (those still listed) have been read.
        while pending:
            ready = [s for s in pending if all(p not in by_id or p in done for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p)]
            expect(ready, "the shard lineage has a cycle", shards=[s["ShardId"] for s in pending])
            for shard in ready:
                order.append(shard["ShardId"])
                done.add(shard["ShardId"])
                pending.remove(shard)
        seen = []
        child_shards = {}
        for shard_id in order:
            closed = "EndingSequenceNumber" in by_id[shard_id]["SequenceNumberRange"]
            records, children = self.read_shard(shard_id, closed)
            seen.extend((json.loads(r["Data"]), r["SequenceNumber"], shard_id) for r in records)
            if closed:
                child_shards[shard_id] = sorted(c["ShardId"] for c in children)
        # Exactly once.
        read_keys = [(d["k"], d["n"]) for d, _, _ in seen]
        expect(len(read_keys) == len(set(read_keys)), "a record was read twice",
               duplicates=[k for k in set(read_keys) if read_keys.count(k) > 1][:5])
        missing = set(self.acked) - set(read_keys)
        expect(not missing, "acknowledged records were not read", count=len(missing), first=sorted(missing)[:5])
        extra = set(read_keys) - set(self.acked)
        expect(not extra, "records read that were never acknowledged", first=sorted(extra)[:5])
        for (d, seq, shard_id) in seen:
            ack = self.acked[(d["k"], d["n"])]
            expect(ack == {"shard": shard_id, "seq": seq}, "a record came back from another shard or with another sequence number",
                   key=d["k"], n=d["n"], acked=ack, read={"shard": shard_id, "seq": seq})
        # Per-key order, in the order read across the lineage.
        last = {}
        for d, _, _ in seen:
            expect(last.get(d["k"], -1) == d["n"] - 1, "per-key order broken", key=d["k"], expected=last.get(d["k"], -1) + 1, got=d["n"])
            last[d["k"]] = d["n"]
        return {"shards_read": order, "records": len(seen), "keys": len(last), "child_shards": child_shards}

    def read_shard(self, shard_id, closed):
        iterator = self.s.call("GetShardIterator", StreamName=self.s.stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(1000):
            result = self.s.call("GetRecords", ShardIterator=iterator, Limit=1000)
            records.extend(result["Records"])
            iterator = result.get("NextShardIterator")
            if iterator is None:
                # The end of a closed shard: no NextShardIterator, and its children (API reference, GetRecords).
                expect(closed, "an open shard ended", shard=shard_id)
                children = result.get("ChildShards") or []
                expect(children, "the end of a closed shard must name its ChildShards", shard=shard_id)
                return records, children
            # An open shard is read once a response reaches its tip (every write was acknowledged
            # before the read began).
            if not closed and result.get("MillisBehindLatest") == 0:
                return records, []
        raise Mismatch(f"reading {shard_id} did not finish")


class ReshardScenario:
    """SplitShard, MergeShards, UpdateShardCount and UpdateStreamMode, then the lineage read."""

    KEYS = [f"key-{i:03d}" for i in range(64)]

    def __init__(self, backend, stream, reporter, account="000000000000", region="us-east-1"):
        self.backend = backend
        self.stream = stream
        self.reporter = reporter
        self.account = account
        self.region = region
        self.arn = f"arn:aws:kinesis:{region}:{account}:stream/{stream}"
        self.lineage = Lineage(self)
        self.children = []

    def call(self, op, **params):
        return self.backend.call(op, params)

    def fail_call(self, op, **params):
        return lambda: self.backend.call(op, params, expect_error=True)

    def wait_active(self, timeout=60):
        deadline = time.monotonic() + timeout
        polls = 0
        while True:
            polls += 1
            summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE":
                return summary, polls
            expect(summary["StreamStatus"] == "UPDATING", "unexpected status while resharding", got=summary["StreamStatus"])
            expect(time.monotonic() < deadline, "the stream did not return to ACTIVE")
            time.sleep(0.1)

    def open_shards(self):
        return [s for s in self.lineage.list_all_shards() if "EndingSequenceNumber" not in s["SequenceNumberRange"]]

    def run(self):
        r = self.reporter
        if not r.run("create_stream", self.create_stream):
            return
        r.run("put_before", lambda: self.lineage.put_round(self.KEYS, 2))
        r.run("split_shard", self.split_shard)
        r.run("put_after_split", lambda: self.lineage.put_round(self.KEYS, 2))
        r.run("merge_shards", self.merge_shards)
        r.run("put_after_merge", lambda: self.lineage.put_round(self.KEYS, 2))
        r.run("update_shard_count", self.update_shard_count)
        r.run("put_after_update", lambda: self.lineage.put_round(self.KEYS, 2))
        r.run("reshard_errors", self.reshard_errors)
        r.run("read_lineage", self.lineage.read_all)
        r.run("update_stream_mode", self.update_stream_mode)
        r.run("delete_stream", lambda: self.call("DeleteStream", StreamName=self.stream) or {})

    def create_stream(self):
        self.backend.create_stream(self.stream, 2)
        summary, polls = self.wait_active()
        expect(summary["OpenShardCount"] == 2, "OpenShardCount", got=summary["OpenShardCount"])
        return {"polls": polls}

    def split_shard(self):
        parent = next(s for s in self.open_shards() if s["ShardId"] == "shardId-000000000000")
        start, end = int(parent["HashKeyRange"]["StartingHashKey"]), int(parent["HashKeyRange"]["EndingHashKey"])
        middle = start + (end - start) // 2 + 1
        started = time.monotonic()
        self.call("SplitShard", StreamName=self.stream, ShardToSplit=parent["ShardId"], NewStartingHashKey=str(middle))
        _, polls = self.wait_active()
        elapsed = round((time.monotonic() - started) * 1000)
        shards = {s["ShardId"]: s for s in self.lineage.list_all_shards()}
        expect("EndingSequenceNumber" in shards[parent["ShardId"]]["SequenceNumberRange"], "the split parent must be closed (EndingSequenceNumber)")
        children = sorted((s for s in shards.values() if s.get("ParentShardId") == parent["ShardId"]), key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
        expect(len(children) == 2, "SplitShard makes two children", got=[c["ShardId"] for c in children])
        expect([(int(c["HashKeyRange"]["StartingHashKey"]), int(c["HashKeyRange"]["EndingHashKey"])) for c in children] == [(start, middle - 1), (middle, end)],
               "the children split the parent's range at NewStartingHashKey", got=[c["HashKeyRange"] for c in children])
        expect(all("AdjacentParentShardId" not in c for c in children), "a split child has no AdjacentParentShardId")
        self.children = [c["ShardId"] for c in children]
        expect(len(self.open_shards()) == 3, "three open shards after the split")
        return {"parent": parent["ShardId"], "children": self.children, "ms_to_active": elapsed, "polls": polls}

    def merge_shards(self):
        lower, upper = self.children
        started = time.monotonic()
        self.call("MergeShards", StreamName=self.stream, ShardToMerge=lower, AdjacentShardToMerge=upper)
        _, polls = self.wait_active()
        elapsed = round((time.monotonic() - started) * 1000)
        shards = self.lineage.list_all_shards()
        merged = [s for s in shards if s.get("ParentShardId") == lower]
        expect(len(merged) == 1, "MergeShards makes one child", got=[s["ShardId"] for s in merged])
        child = merged[0]
        expect(child.get("AdjacentParentShardId") == upper, "the merged child names AdjacentParentShardId", got=child.get("AdjacentParentShardId"))
        by_id = {s["ShardId"]: s for s in shards}
        expect(child["HashKeyRange"]["StartingHashKey"] == by_id[lower]["HashKeyRange"]["StartingHashKey"]
               and child["HashKeyRange"]["EndingHashKey"] == by_id[upper]["HashKeyRange"]["EndingHashKey"], "the merged range is the union", got=child["HashKeyRange"])
        for parent in (lower, upper):
            expect("EndingSequenceNumber" in by_id[parent]["SequenceNumberRange"], "a merged parent must be closed", shard=parent)
        return {"child": child["ShardId"], "ms_to_active": elapsed, "polls": polls}

    def update_shard_count(self):
        before = len(self.open_shards())
        target = before * 2
        started = time.monotonic()
        result = self.call("UpdateShardCount", StreamName=self.stream, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
        expect(result.get("CurrentShardCount") == before and result.get("TargetShardCount") == target, "UpdateShardCount output", got=result)
        _, polls = self.wait_active()
        elapsed = round((time.monotonic() - started) * 1000)
        open_shards = sorted(self.open_shards(), key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
        expect(len(open_shards) == target, "open shards after UpdateShardCount", got=len(open_shards))
        # The open shards tile the hash-key space.
        position = 0
        for shard in open_shards:
            expect(int(shard["HashKeyRange"]["StartingHashKey"]) == position, "the open shards do not tile the hash-key space", shard=shard["ShardId"])
            position = int(shard["HashKeyRange"]["EndingHashKey"]) + 1
        expect(position == MAX_HASH_KEY + 1, "the open shards do not reach the last hash key")
        return {"from": before, "to": target, "ms_to_active": elapsed, "polls": polls}

    def reshard_errors(self):
        closed = expect_error(self.fail_call("SplitShard", StreamName=self.stream, ShardToSplit="shardId-000000000000", NewStartingHashKey="1"),
                              "InvalidArgumentException")
        ordered = sorted(self.open_shards(), key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
        apart = expect_error(self.fail_call("MergeShards", StreamName=self.stream, ShardToMerge=ordered[0]["ShardId"], AdjacentShardToMerge=ordered[2]["ShardId"]),
                             "InvalidArgumentException")
        double = expect_error(self.fail_call("UpdateShardCount", StreamName=self.stream, TargetShardCount=len(ordered) * 2 + 1, ScalingType="UNIFORM_SCALING"),
                              "LimitExceededException")
        return {"split_closed": closed, "merge_not_adjacent": apart, "update_beyond_double": double}

    def update_stream_mode(self):
        self.call("UpdateStreamMode", StreamARN=self.arn, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
        expect(summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND", "StreamMode after UpdateStreamMode", got=summary["StreamModeDetails"])
        # The service manages an ON_DEMAND stream's shards: a SplitShard from the client is refused.
        refused = expect_error(self.fail_call("SplitShard", StreamName=self.stream, ShardToSplit=self.open_shards()[0]["ShardId"], NewStartingHashKey="1"),
                               "InvalidArgumentException")
        self.call("UpdateStreamMode", StreamARN=self.arn, StreamModeDetails={"StreamMode": "PROVISIONED"})
        summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
        expect(summary["StreamModeDetails"]["StreamMode"] == "PROVISIONED", "StreamMode after switching back", got=summary["StreamModeDetails"])
        if not getattr(self.backend, "auto_paginates", False):
            # The AWS CLI pages describe-stream itself and keeps only the members its paginator lists,
            # which leave StreamModeDetails out; boto3 shows the gateway's answer as it is.
            described = self.call("DescribeStream", StreamName=self.stream)["StreamDescription"]
            expect(described["StreamModeDetails"]["StreamMode"] == "PROVISIONED", "DescribeStream StreamMode", got=described.get("StreamModeDetails"))
        # Kinesis allows two switches per 24 hours.
        third = expect_error(self.fail_call("UpdateStreamMode", StreamARN=self.arn, StreamModeDetails={"StreamMode": "ON_DEMAND"}), "LimitExceededException")
        return {"split_on_demand": refused, "third_switch": third}


class OnDemandScenario:
    """An ON_DEMAND stream the gateway splits by itself under sustained writes."""

    KEYS = [f"hot-{i:02d}" for i in range(8)]

    def __init__(self, backend, stream, reporter, records_per_second, timeout=60):
        self.backend = backend
        self.stream = stream
        self.reporter = reporter
        self.records_per_second = records_per_second
        self.timeout = timeout
        self.lineage = Lineage(self)

    def call(self, op, **params):
        return self.backend.call(op, params)

    def run(self):
        r = self.reporter
        if not r.run("create_on_demand_stream", self.create):
            return
        if not r.run("sustained_writes_split", self.sustained_writes):
            return
        r.run("read_lineage", self.lineage.read_all)
        r.run("delete_stream", lambda: self.call("DeleteStream", StreamName=self.stream) or {})

    def create(self):
        self.call("CreateStream", StreamName=self.stream, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        deadline = time.monotonic() + 30
        while True:
            summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE":
                break
            expect(time.monotonic() < deadline, "the stream did not become ACTIVE")
            time.sleep(0.1)
        expect(summary["StreamModeDetails"]["StreamMode"] == "ON_DEMAND", "StreamMode", got=summary["StreamModeDetails"])
        expect(summary["OpenShardCount"] == 4, "an ON_DEMAND stream starts with 4 shards", got=summary["OpenShardCount"])
        with_count = expect_error(lambda: self.backend.call("CreateStream", {"StreamName": self.stream + "-x", "ShardCount": 2,
                                                                             "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}, expect_error=True),
                                  "InvalidArgumentException")
        return {"open_shards": 4, "shard_count_refused": with_count}

    def sustained_writes(self):
        """Writes to hash key 1 (shard 0) at the configured rate until shard 0 is closed by the gateway."""
        started = time.monotonic()
        rounds = 0
        per_round = max(1, self.records_per_second // 10 // len(self.KEYS))
        while True:
            round_started = time.monotonic()
            self.lineage.put_round(self.KEYS, per_round, explicit_hash_key="1", tolerate_throttling=True)
            rounds += 1
            shards = self.lineage.list_all_shards()
            parent = next(s for s in shards if s["ShardId"] == "shardId-000000000000")
            if "EndingSequenceNumber" in parent["SequenceNumberRange"]:
                children = [s for s in shards if s.get("ParentShardId") == "shardId-000000000000"]
                break
            expect(time.monotonic() - started < self.timeout, "the gateway did not split the hot shard", rounds=rounds)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - round_started)))
        expect(len(children) == 2, "the split made two children", got=[c["ShardId"] for c in children])
        # Wait until ACTIVE again, then check the summary counts the split.
        deadline = time.monotonic() + 30
        while True:
            summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
            if summary["StreamStatus"] == "ACTIVE":
                break
            expect(time.monotonic() < deadline, "the stream did not return to ACTIVE")
            time.sleep(0.1)
        expect(summary["OpenShardCount"] >= 5, "open shards after the gateway's split", got=summary["OpenShardCount"])
        return {"seconds_to_split": round(time.monotonic() - started, 1), "rounds": rounds, "children": [c["ShardId"] for c in children],
                "open_shards": summary["OpenShardCount"], "records": len(self.lineage.acked)}
