"""The Kinesis client scenario shared by scenario_boto3.py and scenario_cli.py.

One scenario, written from the Kinesis Data Streams API reference, run through a "backend" (boto3
or the AWS CLI) that makes the calls. Each step prints one JSON line
{"step": name, "ok": bool, "ms": elapsed, "details": {...}} and the run ends with a "summary" line;
the process exits 1 when a step failed. The xunit tests in
tests/KafkaKinesisBridge.Gateway.Tests/Interop assert on these lines, so a failure names its step.

Backend contract: call(op, params, expect_error=False) takes the operation name (PascalCase) and
parameters in the API's shapes with bytes for blobs and aware datetimes for timestamps, returns the
output the same way, and raises ApiError(code, message, status, request_id) for a service error.
wait_exists(stream) / wait_not_exists(stream) use the client's own waiter.
"""
import base64
import concurrent.futures
import datetime
import hashlib
import json
import sys
import time
import traceback

MAX_HASH_KEY = (1 << 128) - 1

# The KPL aggregation format (amazon-kinesis-producer aggregation-format.md): 4 magic bytes, the
# protobuf AggregatedRecord, then the MD5 of the protobuf bytes.
KPL_MAGIC = bytes.fromhex("f3899ac2")

# Kinesis PutRecord/PutRecords: the data blob of a record is at most 1 MiB on a default stream.
MAX_RECORD_DATA = 1024 * 1024

# Kinesis PutRecords: at most 500 records per request.
MAX_PUT_RECORDS = 500


class ApiError(Exception):
    """A service error as the client surfaced it."""

    def __init__(self, code, message, status=None, request_id=None):
        super().__init__(f"{code}: {message} (HTTP {status}, request id {request_id})")
        self.code = code
        self.message = message or ""
        self.status = status
        self.request_id = request_id

    def details(self):
        return {"code": self.code, "message": self.message, "status": self.status, "request_id": self.request_id}


class Mismatch(AssertionError):
    """A check failed: the gateway answered differently from what the API reference specifies."""


def expect(condition, message, **details):
    if not condition:
        text = message if not details else f"{message} {json.dumps(details, default=jsonable, sort_keys=True)}"
        raise Mismatch(text)


def jsonable(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")} if len(value) <= 512 else {"$bytes_len": len(value)}
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, ApiError):
        return value.details()
    return repr(value)


class Reporter:
    """Runs steps and prints one JSON line per step."""

    def __init__(self, client):
        self.client = client
        self.failed = []
        self.count = 0

    def run(self, name, action):
        started = time.monotonic()
        try:
            details = action() or {}
            ok = True
        except Exception as error:  # noqa: BLE001 - every failure is reported, the run goes on
            ok = False
            details = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=4)}
        self.count += 1
        if not ok:
            self.failed.append(name)
        line = {"step": name, "ok": ok, "client": self.client, "ms": round((time.monotonic() - started) * 1000), "details": details}
        print(json.dumps(line, default=jsonable), flush=True)
        return ok

    def finish(self):
        print(json.dumps({"step": "summary", "ok": not self.failed, "client": self.client, "details": {"steps": self.count, "failed": self.failed}}), flush=True)
        return 0 if not self.failed else 1


def parallel(*actions):
    """Runs independent calls at once (the AWS CLI costs about a second per process)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(action) for action in actions]
        return [future.result() for future in futures]


def expect_error(action, code, status=400, message_contains=None, message=None):
    """Runs a call that must fail with the Kinesis error `code`; returns what the client saw."""
    try:
        result = action()
    except ApiError as error:
        expect(error.code == code, f"expected {code}", got=error.details())
        if status is not None and error.status is not None:
            expect(error.status == status, f"expected HTTP {status}", got=error.details())
        if message is not None:
            expect(error.message == message, "unexpected message", expected=message, got=error.message)
        if message_contains is not None:
            expect(message_contains in error.message, f"message should contain {message_contains!r}", got=error.message)
        return error.details()
    raise Mismatch(f"expected {code}, the call succeeded: {json.dumps(result, default=jsonable)[:500]}")


def hash_key_of(partition_key):
    """Kinesis: the MD5 of the partition key's UTF-8 bytes as a big-endian unsigned 128-bit integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def expected_ranges(count):
    """The ranges Kinesis gives a new stream: floor(2^128 / count) keys each, the last taking the rest."""
    step = (1 << 128) // count
    return [(step * i, MAX_HASH_KEY if i == count - 1 else step * (i + 1) - 1) for i in range(count)]


def varint(value):
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def pb_bytes(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def pb_varint(field, value):
    return varint(field << 3) + varint(value)


def kpl_aggregate(user_records):
    """Builds a KPL aggregated record from (partition_key, data) pairs.

    AggregatedRecord { repeated string partition_key_table = 1; repeated string
    explicit_hash_key_table = 2; repeated Record records = 3; } and Record { required uint64
    partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; }.
    """
    keys = []
    for key, _ in user_records:
        if key not in keys:
            keys.append(key)
    body = b"".join(pb_bytes(1, key.encode("utf-8")) for key in keys)
    for key, data in user_records:
        body += pb_bytes(3, pb_varint(1, keys.index(key)) + pb_bytes(3, data))
    return KPL_MAGIC + body + hashlib.md5(body).digest()


def kpl_deaggregate(blob):
    """Parses what kpl_aggregate builds (checks magic and MD5); returns [(partition_key, data)]."""
    expect(blob[:4] == KPL_MAGIC, "no KPL magic", head=blob[:4].hex())
    body, digest = blob[4:-16], blob[-16:]
    expect(hashlib.md5(body).digest() == digest, "KPL MD5 trailer does not match")

    def fields(buffer):
        position = 0
        while position < len(buffer):
            tag, position = read_varint(buffer, position)
            if tag & 7 == 2:
                length, position = read_varint(buffer, position)
                yield tag >> 3, buffer[position:position + length]
                position += length
            else:
                value, position = read_varint(buffer, position)
                yield tag >> 3, value

    keys, records = [], []
    for field, value in fields(body):
        if field == 1:
            keys.append(value.decode("utf-8"))
        elif field == 3:
            parts = dict(fields(value))
            records.append((keys[parts[1]] if parts[1] < len(keys) else None, parts[3]))
    return records


def read_varint(buffer, position):
    result, shift = 0, 0
    while True:
        byte = buffer[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


class Scenario:
    """Create, wait, describe, put, get (five iterator types), errors, tags, retention, delete."""

    SHARDS = 2

    def __init__(self, backend, stream, reporter, account="000000000000", region="us-east-1", cross_reader=None):
        self.backend = backend
        self.stream = stream
        self.reporter = reporter
        self.account = account
        self.region = region
        self.cross_reader = cross_reader
        self.shards = []  # [{"id", "start", "end"}] from DescribeStream
        self.acked = []  # [{"shard", "seq", "key", "data", "call"}] in acknowledgement order
        self.calls = 0  # sequential put calls, to check ordering across calls
        self.read = {}  # shard id -> records read from TRIM_HORIZON
        self.created_at = None
        self.kpl_blob = None
        self.kpl_key = None

    # -- helpers ---------------------------------------------------------------------------------

    def call(self, op, **params):
        return self.backend.call(op, params)

    def fail_call(self, op, **params):
        return lambda: self.backend.call(op, params, expect_error=True)

    def route(self, hash_key):
        matches = [s["id"] for s in self.shards if s["start"] <= hash_key <= s["end"]]
        expect(len(matches) == 1, "hash key not in exactly one shard", hash_key=str(hash_key), shards=self.shards)
        return matches[0]

    def key_routed_to(self, shard_index, prefix):
        """A partition key whose MD5 routes to the given shard (to show ExplicitHashKey overrides it)."""
        shard = self.shards[shard_index]
        for i in range(1000):
            key = f"{prefix}-{i}"
            if shard["start"] <= hash_key_of(key) <= shard["end"]:
                return key
        raise Mismatch("no key found")

    def ack(self, shard, seq, key, data, call):
        expect(isinstance(seq, str) and seq.isdigit() and (seq == "0" or not seq.startswith("0")), "sequence number is not a decimal string", seq=seq)
        self.acked.append({"shard": shard, "seq": seq, "key": key, "data": data, "call": call})

    def put_record(self, key, data, explicit_hash_key=None):
        params = {"StreamName": self.stream, "PartitionKey": key, "Data": data}
        if explicit_hash_key is not None:
            params["ExplicitHashKey"] = explicit_hash_key
        result = self.call("PutRecord", **params)
        expected_shard = self.route(int(explicit_hash_key) if explicit_hash_key is not None else hash_key_of(key))
        expect(result.get("ShardId") == expected_shard, "PutRecord routed to the wrong shard", key=key, expected=expected_shard, got=result.get("ShardId"))
        self.calls += 1
        self.ack(result["ShardId"], result["SequenceNumber"], key, data, self.calls)
        return result

    def put_records(self, entries):
        """entries: [(key, data, explicit_hash_key or None)]; checks every result and acks it."""
        request = []
        for key, data, explicit in entries:
            entry = {"PartitionKey": key, "Data": data}
            if explicit is not None:
                entry["ExplicitHashKey"] = explicit
            request.append(entry)
        result = self.call("PutRecords", StreamName=self.stream, Records=request)
        expect(result.get("FailedRecordCount", 0) == 0, "PutRecords reported failures", failed=result.get("FailedRecordCount"), records=result.get("Records", [])[:5])
        expect(len(result["Records"]) == len(entries), "one result per request record", sent=len(entries), got=len(result["Records"]))
        self.calls += 1
        for (key, data, explicit), outcome in zip(entries, result["Records"]):
            expect("ErrorCode" not in outcome, "a record failed", outcome=outcome)
            expected_shard = self.route(int(explicit) if explicit is not None else hash_key_of(key))
            expect(outcome.get("ShardId") == expected_shard, "PutRecords routed a record to the wrong shard", key=key, expected=expected_shard, got=outcome.get("ShardId"))
            self.ack(outcome["ShardId"], outcome["SequenceNumber"], key, data, self.calls)
        seqs = [(o["ShardId"], o["SequenceNumber"]) for o in result["Records"]]
        expect(len(set(seqs)) == len(seqs), "duplicate sequence numbers in one batch")
        return result

    def iterator(self, backend, shard_id, iterator_type, **extra):
        result = backend.call("GetShardIterator", {"StreamName": self.stream, "ShardId": shard_id, "ShardIteratorType": iterator_type, **extra})
        iterator = result.get("ShardIterator")
        expect(isinstance(iterator, str) and 1 <= len(iterator) <= 512, "ShardIterator must be a string of 1..512 characters", got=iterator)
        return iterator

    def read_from(self, backend, shard_id, iterator_type, expected, **extra):
        """Follows NextShardIterator until `expected` records arrived (or the tip); returns the records."""
        iterator = self.iterator(backend, shard_id, iterator_type, **extra)
        records = []
        for _ in range(10):
            result = backend.call("GetRecords", {"ShardIterator": iterator, "Limit": 10000})
            expect(isinstance(result.get("Records"), list), "GetRecords without Records", got=result)
            expect(isinstance(result.get("MillisBehindLatest"), int) and result["MillisBehindLatest"] >= 0, "MillisBehindLatest must be a non-negative integer", got=result.get("MillisBehindLatest"))
            records.extend(result["Records"])
            iterator = result.get("NextShardIterator")
            expect(iterator, "an open shard's GetRecords must return NextShardIterator")
            if len(records) >= expected or (not result["Records"] and result["MillisBehindLatest"] == 0 and expected == 0):
                break
        return records

    @staticmethod
    def view(records):
        return [(r["SequenceNumber"], r["PartitionKey"], r["Data"]) for r in records]

    def acked_view(self, shard_id):
        mine = sorted((a for a in self.acked if a["shard"] == shard_id), key=lambda a: int(a["seq"]))
        return [(a["seq"], a["key"], a["data"]) for a in mine]

    def check_same(self, got, expected, what):
        got_view, expected_view = self.view(got), expected
        if got_view != expected_view:
            first = next((i for i, (g, e) in enumerate(zip(got_view, expected_view)) if g != e), min(len(got_view), len(expected_view)))
            raise Mismatch(f"{what}: {len(got_view)} records read, {len(expected_view)} expected; first difference at {first}: "
                           f"read {json.dumps(got_view[first] if first < len(got_view) else None, default=jsonable)}, "
                           f"expected {json.dumps(expected_view[first] if first < len(expected_view) else None, default=jsonable)}")

    # -- the scenario ----------------------------------------------------------------------------

    def run(self):
        r = self.reporter
        r.run("create_stream", self.create_stream)
        r.run("wait_stream_exists", lambda: self.backend.wait_exists(self.stream))
        r.run("describe_stream", self.describe_stream)
        r.run("describe_stream_summary", self.describe_stream_summary)
        r.run("list_shards", self.list_shards)
        r.run("list_streams", self.list_streams)
        r.run("put_record", self.put_single)
        r.run("put_record_explicit_hash_key", self.put_explicit_hash_key)
        r.run("put_records", self.put_batch)
        r.run("get_trim_horizon", self.get_trim_horizon)
        r.run("kpl_aggregate_roundtrip", self.kpl_roundtrip)
        if self.cross_reader is not None:
            r.run(f"cross_read_{self.cross_reader.name}", self.cross_read)
        r.run("get_at_sequence_number", lambda: self.get_relative("AT_SEQUENCE_NUMBER", 0))
        r.run("get_after_sequence_number", lambda: self.get_relative("AFTER_SEQUENCE_NUMBER", 1))
        r.run("get_latest", self.get_latest)
        r.run("get_at_timestamp", self.get_at_timestamp)
        r.run("error_unknown_stream", self.error_unknown_stream)
        r.run("error_oversized_record", self.error_oversized_record)
        r.run("error_bad_iterator", self.error_bad_iterator)
        r.run("error_batch_too_large", self.error_batch_too_large)
        r.run("tags_round_trip", self.tags_round_trip)
        r.run("retention_increase", self.retention_increase)
        r.run("delete_stream", lambda: self.call("DeleteStream", StreamName=self.stream) and {})
        r.run("wait_stream_not_exists", self.wait_not_exists)

    def create_stream(self):
        result = self.backend.create_stream(self.stream, self.SHARDS)
        expect(result == {}, "CreateStream returns an empty body", got=result)
        return {"stream": self.stream, "shards": self.SHARDS}

    def describe_stream(self):
        description = self.call("DescribeStream", StreamName=self.stream)["StreamDescription"]
        # The shards first: later steps route with them even if another member is wrong here.
        shards = description["Shards"]
        expect(len(shards) == self.SHARDS, "shard count", got=len(shards))
        ranges = expected_ranges(self.SHARDS)
        for shard in shards:
            start, end = int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])
            self.shards.append({"id": shard["ShardId"], "start": start, "end": end})
        self.created_at = description.get("StreamCreationTimestamp")
        for index, shard in enumerate(shards):
            expect(shard["ShardId"] == f"shardId-{index:012d}", "ShardId", got=shard["ShardId"])
            start, end = self.shards[index]["start"], self.shards[index]["end"]
            expect((start, end) == ranges[index], "HashKeyRange", shard=shard["ShardId"], got=[str(start), str(end)], expected=[str(x) for x in ranges[index]])
            sequence_range = shard["SequenceNumberRange"]
            expect(sequence_range["StartingSequenceNumber"].isdigit(), "StartingSequenceNumber", got=sequence_range)
            expect("EndingSequenceNumber" not in sequence_range, "an open shard has no EndingSequenceNumber", got=sequence_range)
            expect("ParentShardId" not in shard, "a new stream's shards have no parent", got=shard)
        expect(description["StreamName"] == self.stream, "StreamName", got=description.get("StreamName"))
        expect(description["StreamARN"] == f"arn:aws:kinesis:{self.region}:{self.account}:stream/{self.stream}", "StreamARN", got=description.get("StreamARN"))
        expect(description["StreamStatus"] == "ACTIVE", "StreamStatus", got=description.get("StreamStatus"))
        # The AWS CLI pages through DescribeStream itself and drops HasMoreShards from its output.
        has_more = description.get("HasMoreShards", False) if getattr(self.backend, "auto_paginates", False) else description.get("HasMoreShards")
        expect(has_more is False, "HasMoreShards", got=description.get("HasMoreShards"))
        expect(description["RetentionPeriodHours"] == 24, "RetentionPeriodHours", got=description.get("RetentionPeriodHours"))
        expect(isinstance(description.get("EnhancedMonitoring"), list), "EnhancedMonitoring must be a list", got=description.get("EnhancedMonitoring"))
        created = self.created_at
        now = datetime.datetime.now(datetime.timezone.utc)
        expect(isinstance(created, datetime.datetime) and abs((now - created).total_seconds()) < 120, "StreamCreationTimestamp is not about now", got=created)
        return {"shards": [s["id"] for s in self.shards], "created": created}

    def describe_stream_summary(self):
        summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
        expect(summary["StreamName"] == self.stream, "StreamName", got=summary.get("StreamName"))
        expect(summary["StreamARN"] == f"arn:aws:kinesis:{self.region}:{self.account}:stream/{self.stream}", "StreamARN", got=summary.get("StreamARN"))
        expect(summary["StreamStatus"] == "ACTIVE", "StreamStatus", got=summary.get("StreamStatus"))
        expect(summary["OpenShardCount"] == self.SHARDS, "OpenShardCount", got=summary.get("OpenShardCount"))
        expect(summary["RetentionPeriodHours"] == 24, "RetentionPeriodHours", got=summary.get("RetentionPeriodHours"))
        if self.created_at is not None:
            expect(summary["StreamCreationTimestamp"] == self.created_at, "StreamCreationTimestamp differs from DescribeStream", got=summary.get("StreamCreationTimestamp"), expected=self.created_at)
        if "StreamModeDetails" in summary:
            expect(summary["StreamModeDetails"].get("StreamMode") == "PROVISIONED", "StreamMode", got=summary["StreamModeDetails"])
        return {"open_shards": summary["OpenShardCount"], "mode": summary.get("StreamModeDetails")}

    def list_shards(self):
        # One shard per page, following NextToken (a client that auto-paginates returns both at once).
        first = self.call("ListShards", StreamName=self.stream, MaxResults=1)
        shards = list(first["Shards"])
        pages = 1
        token = first.get("NextToken")
        while token and pages < 5:
            # NextToken alone: Kinesis rejects StreamName together with NextToken.
            page = self.call("ListShards", NextToken=token, MaxResults=1)
            shards.extend(page["Shards"])
            token = page.get("NextToken")
            pages += 1
        expect([s["ShardId"] for s in shards] == [s["id"] for s in self.shards], "ListShards shard ids", got=[s["ShardId"] for s in shards])
        for shard, described in zip(shards, self.shards):
            expect(int(shard["HashKeyRange"]["StartingHashKey"]) == described["start"] and int(shard["HashKeyRange"]["EndingHashKey"]) == described["end"], "ListShards hash key range", got=shard["HashKeyRange"])
        return {"pages": pages, "shards": [s["ShardId"] for s in shards]}

    def list_streams(self):
        result = self.call("ListStreams", Limit=100)
        names = result["StreamNames"]
        expect(self.stream in names, "ListStreams does not list the stream", names=names[:20])
        expect(isinstance(result.get("HasMoreStreams"), bool), "HasMoreStreams must be a boolean", got=result.get("HasMoreStreams"))
        return {"streams": len(names)}

    def put_single(self):
        first = self.put_record("alpha", b"first record \x00\xff")
        second = self.put_record("alpha", b"second record, same key")
        expect(first["ShardId"] == second["ShardId"], "the same partition key went to two shards")
        expect(int(first["SequenceNumber"]) < int(second["SequenceNumber"]), "sequence numbers of sequential puts to one shard must increase",
               first=first["SequenceNumber"], second=second["SequenceNumber"])
        return {"shard": first["ShardId"], "sequence_numbers": [first["SequenceNumber"], second["SequenceNumber"]]}

    def put_explicit_hash_key(self):
        # Keys whose MD5 routes to the other shard, so the answer shows ExplicitHashKey decided.
        low_key = self.key_routed_to(1, "ehk-low")
        high_key = self.key_routed_to(0, "ehk-high")
        low = self.put_record(low_key, b"explicit hash key: last of shard 0", explicit_hash_key=str(self.shards[0]["end"]))
        high = self.put_record(high_key, b"explicit hash key: first of shard 1", explicit_hash_key=str(self.shards[1]["start"]))
        return {"low": low["ShardId"], "high": high["ShardId"]}

    def put_batch(self):
        self.kpl_key = "kpl-user-0"
        self.kpl_blob = kpl_aggregate([(self.kpl_key, b"user record 0"), ("kpl-user-1", b"user record 1 \x00\x01"), (self.kpl_key, bytes(range(200)))])
        entries = [(f"key-{i % 5}", f"batch record {i}".encode(), None) for i in range(12)]
        entries += [
            ("binary", bytes(range(256)), None),
            ("ключ-ü-\U0001F511", "non-ASCII partition key".encode(), None),
            ("k" * 256, b"a 256-character partition key", None),
            ("batch-explicit", b"explicit hash key in a batch", str(MAX_HASH_KEY)),
            (self.kpl_key, self.kpl_blob, None),
        ]
        result = self.put_records(entries)
        return {"records": len(result["Records"]), "shards": sorted({o["ShardId"] for o in result["Records"]})}

    def get_trim_horizon(self):
        def read(shard):
            records = self.read_from(self.backend, shard["id"], "TRIM_HORIZON", expected=len(self.acked_view(shard["id"])))
            return shard["id"], records

        counts = {}
        for shard_id, records in parallel(*[lambda s=s: read(s) for s in self.shards]):
            self.check_same(records, self.acked_view(shard_id), f"TRIM_HORIZON on {shard_id}")
            for record in records:
                arrival = record.get("ApproximateArrivalTimestamp")
                expect(isinstance(arrival, datetime.datetime), "ApproximateArrivalTimestamp missing", record=record)
                expect(abs((arrival - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 120, "ApproximateArrivalTimestamp is not about now", got=arrival)
            self.read[shard_id] = records
            counts[shard_id] = len(records)
        # Sequential calls landing on one shard: a later call's records have larger sequence numbers.
        for shard in self.shards:
            mine = [a for a in self.acked if a["shard"] == shard["id"]]
            for a in mine:
                for b in mine:
                    if a["call"] < b["call"]:
                        expect(int(a["seq"]) < int(b["seq"]), "a later call got a smaller sequence number", earlier=a["seq"], later=b["seq"])
        return {"records": counts}

    def kpl_roundtrip(self):
        expect(self.kpl_blob is not None, "the batch step did not run")
        found = [r for records in self.read.values() for r in records if r["PartitionKey"] == self.kpl_key]
        expect(len(found) == 1, "the aggregated record was not read back once", found=len(found))
        data = found[0]["Data"]
        expect(data == self.kpl_blob, "the aggregated record changed", sent=len(self.kpl_blob), got=len(data))
        inner = kpl_deaggregate(data)
        expect(inner == [(self.kpl_key, b"user record 0"), ("kpl-user-1", b"user record 1 \x00\x01"), (self.kpl_key, bytes(range(200)))], "user records", got=inner)
        return {"bytes": len(data), "user_records": len(inner), "md5": hashlib.md5(data).hexdigest()}

    def cross_read(self):
        other = self.cross_reader
        expect(len(self.read) == len(self.shards) and self.shards, "the TRIM_HORIZON step did not read the stream")
        counts = {}
        for shard in self.shards:
            records = self.read_from(other, shard["id"], "TRIM_HORIZON", expected=len(self.read[shard["id"]]))
            self.check_same(records, self.view(self.read[shard["id"]]), f"{other.name} reading {shard['id']} written by {self.backend.name}")
            for theirs, ours in zip(records, self.read[shard["id"]]):
                expect(abs((theirs["ApproximateArrivalTimestamp"] - ours["ApproximateArrivalTimestamp"]).total_seconds()) < 0.001,
                       "the two clients read different ApproximateArrivalTimestamp", ours=ours["ApproximateArrivalTimestamp"], theirs=theirs["ApproximateArrivalTimestamp"])
            counts[shard["id"]] = len(records)
        return {"reader": other.name, "records": counts}

    def busiest_shard(self):
        shard_id = max(self.read, key=lambda s: len(self.read[s]))
        return shard_id, self.read[shard_id]

    def get_relative(self, iterator_type, offset):
        shard_id, records = self.busiest_shard()
        middle = len(records) // 2
        sequence = records[middle]["SequenceNumber"]
        expected = self.view(records[middle + offset:])
        got = self.read_from(self.backend, shard_id, iterator_type, expected=len(expected), StartingSequenceNumber=sequence)
        self.check_same(got, expected, f"{iterator_type} {sequence} on {shard_id}")
        return {"shard": shard_id, "sequence_number": sequence, "records": len(got)}

    def get_latest(self):
        shard_id = self.shards[0]["id"]
        iterator = self.iterator(self.backend, shard_id, "LATEST")
        empty = self.call("GetRecords", ShardIterator=iterator)
        expect(empty["Records"] == [], "LATEST must start after the last record", got=self.view(empty["Records"]))
        expect(empty.get("MillisBehindLatest") == 0, "MillisBehindLatest at the tip", got=empty.get("MillisBehindLatest"))
        put = self.put_record("after-latest", b"written after the LATEST iterator", explicit_hash_key="0")
        iterator = empty["NextShardIterator"]
        got = []
        for _ in range(5):
            result = self.call("GetRecords", ShardIterator=iterator)
            got.extend(result["Records"])
            iterator = result["NextShardIterator"]
            if got:
                break
        self.check_same(got, [(put["SequenceNumber"], "after-latest", b"written after the LATEST iterator")], f"LATEST on {shard_id}")
        self.read[shard_id] = self.read[shard_id] + got
        return {"shard": shard_id, "sequence_number": put["SequenceNumber"]}

    def get_at_timestamp(self):
        shard_id = self.shards[0]["id"]
        before = self.read[shard_id]
        expect(before, "shard 0 has no records yet")
        # botocore and the AWS CLI send timestamps as whole epoch seconds, so the boundary is a whole
        # second after every record so far: wait (real time) until the clock has passed it, then write.
        latest = max(r["ApproximateArrivalTimestamp"] for r in before).timestamp()
        boundary = float(int(latest) + 1)
        while time.time() < boundary + 0.05:
            time.sleep(min(0.05, max(0.0, boundary + 0.05 - time.time())))
        after = [(f"after-boundary-{i}", f"after the boundary {i}".encode(), "0") for i in range(3)]
        self.put_records(after)
        expected = self.acked_view(shard_id)[-3:]
        got = self.read_from(self.backend, shard_id, "AT_TIMESTAMP", expected=3, Timestamp=utc(boundary))
        self.check_same(got, expected, f"AT_TIMESTAMP {utc(boundary).isoformat()} on {shard_id}")
        for record in got:
            expect(record["ApproximateArrivalTimestamp"].timestamp() >= boundary, "a record before the timestamp", record=record)
        # A timestamp before the stream existed: the oldest record (as TRIM_HORIZON).
        everything = self.acked_view(shard_id)
        early = self.read_from(self.backend, shard_id, "AT_TIMESTAMP", expected=len(everything), Timestamp=utc(int(self.created_at.timestamp()) - 3600))
        self.check_same(early, everything, f"AT_TIMESTAMP before creation on {shard_id}")
        return {"shard": shard_id, "timestamp": utc(boundary), "records_after": len(got), "records_all": len(early)}

    def error_unknown_stream(self):
        missing = self.stream + "-missing"
        message = f"Stream {missing} under account {self.account} not found."
        describe, put = parallel(
            lambda: expect_error(self.fail_call("DescribeStreamSummary", StreamName=missing), "ResourceNotFoundException", message=message),
            lambda: expect_error(self.fail_call("PutRecord", StreamName=missing, PartitionKey="k", Data=b"x"), "ResourceNotFoundException", message=message))
        return {"describe_stream_summary": describe, "put_record": put}

    def error_oversized_record(self):
        single, batch = parallel(
            lambda: expect_error(self.fail_call("PutRecord", StreamName=self.stream, PartitionKey="big", Data=b"\x07" * (MAX_RECORD_DATA + 1)),
                                 "ValidationException", message_contains=f"Member must have length less than or equal to {MAX_RECORD_DATA}"),
            lambda: expect_error(self.fail_call("PutRecords", StreamName=self.stream, Records=[{"PartitionKey": "small", "Data": b"ok"}, {"PartitionKey": "big", "Data": b"\x07" * (MAX_RECORD_DATA + 1)}]),
                                 "ValidationException", message_contains=f"Member must have length less than or equal to {MAX_RECORD_DATA}"))
        expect("records.2.member.data" in batch["message"], "the batch error should name records.2.member.data", got=batch["message"])
        return {"put_record": single, "put_records": batch}

    def error_bad_iterator(self):
        error = expect_error(self.fail_call("GetRecords", ShardIterator="AAAAAAAAAAF+not+an+iterator+issued+by+this+gateway+/+interop+test=="), "InvalidArgumentException")
        return {"get_records": error}

    def error_batch_too_large(self):
        records = [{"PartitionKey": f"k{i}", "Data": b"x"} for i in range(MAX_PUT_RECORDS + 1)]
        error = expect_error(self.fail_call("PutRecords", StreamName=self.stream, Records=records), "ValidationException",
                             message_contains=f"Member must have length less than or equal to {MAX_PUT_RECORDS}")
        # botocore validates only minimum lengths, so the request did reach the gateway: its answer
        # carries the gateway's request id.
        expect(error["request_id"], "no request id: the answer did not come from the gateway", got=error)
        return {"put_records": error}

    def tags_round_trip(self):
        self.call("AddTagsToStream", StreamName=self.stream, Tags={"team": "interop", "env": "test"})
        listed = self.call("ListTagsForStream", StreamName=self.stream)
        expect({t["Key"]: t.get("Value") for t in listed["Tags"]} == {"team": "interop", "env": "test"}, "tags after AddTagsToStream", got=listed["Tags"])
        expect(listed["HasMoreTags"] is False, "HasMoreTags", got=listed.get("HasMoreTags"))
        self.call("RemoveTagsFromStream", StreamName=self.stream, TagKeys=["env"])
        listed = self.call("ListTagsForStream", StreamName=self.stream)
        expect([(t["Key"], t.get("Value")) for t in listed["Tags"]] == [("team", "interop")], "tags after RemoveTagsFromStream", got=listed["Tags"])
        return {"tags": listed["Tags"]}

    def retention_increase(self):
        self.call("IncreaseStreamRetentionPeriod", StreamName=self.stream, RetentionPeriodHours=48)
        summary = self.call("DescribeStreamSummary", StreamName=self.stream)["StreamDescriptionSummary"]
        expect(summary["RetentionPeriodHours"] == 48, "RetentionPeriodHours after IncreaseStreamRetentionPeriod", got=summary.get("RetentionPeriodHours"))
        return {"retention_hours": 48}

    def wait_not_exists(self):
        details = self.backend.wait_not_exists(self.stream)
        gone = expect_error(self.fail_call("DescribeStreamSummary", StreamName=self.stream), "ResourceNotFoundException")
        return {**(details or {}), "describe_after_delete": gone}


def main_guard(run):
    try:
        sys.exit(run())
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001
        print(json.dumps({"step": "setup", "ok": False, "details": {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc(limit=6)}}), flush=True)
        sys.exit(2)
