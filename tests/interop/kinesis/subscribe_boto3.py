#!/usr/bin/env python3
"""Enhanced fan-out with boto3: subscribe_to_shard and its EventStream (botocore reads the event
stream from a chunked HTTP/1.1 response), receiving records another client (the AWS SDK for
JavaScript v3, through js_call.cjs over h2c) puts; resubscription with ContinuationSequenceNumber,
also on a shard that has delivered nothing yet; TRIM_HORIZON, AT_SEQUENCE_NUMBER, AT_TIMESTAMP; the
errors; a split followed into the child shards when the gateway supports SplitShard. The same steps
as subscribe_js.cjs.

Usage: subscribe_boto3.py --endpoint URL --stream NAME [--node PATH] [--consumers-with-cli AWS]
  --consumers-with-cli: register, describe and list the consumers with the AWS CLI (`aws kinesis
  register-stream-consumer` ...; the CLI has no subscribe-to-shard), then subscribe with boto3.
Prints one JSON line per step (see scenario_common.py); exit 1 when a step failed.
Run with /usr/bin/python3 (Debian python3-boto3).
"""
import argparse
import base64
import datetime
import json
import os
import re
import subprocess
import time

import boto3
import botocore.config
from botocore.exceptions import ClientError

from scenario_common import Mismatch, Reporter, expect, main_guard

MAX_HASH_KEY = (1 << 128) - 1
HERE = os.path.dirname(os.path.abspath(__file__))


def error_details(error):
    metadata = error.response.get("ResponseMetadata", {})
    return {"code": error.response.get("Error", {}).get("Code"), "message": error.response.get("Error", {}).get("Message"),
            "status": metadata.get("HTTPStatusCode")}


class Subscription:
    """One subscribe_to_shard call and its EventStream, read event by event."""

    def __init__(self, client, **params):
        self.response = client.subscribe_to_shard(**params)
        self.stream = self.response["EventStream"]
        self.events = iter(self.stream)
        self.records = []
        self.count = 0
        self.continuation = None
        self.child_shards = None

    def next(self):
        """The next SubscribeToShardEvent, or None at the end; an exception event raises EventStreamError."""
        try:
            event = next(self.events)
        except StopIteration:
            return None
        expect("SubscribeToShardEvent" in event, "an event that is not a SubscribeToShardEvent", got=event)
        event = event["SubscribeToShardEvent"]
        self.count += 1
        expect(isinstance(event.get("Records"), list), "Records missing", got=event)
        expect(event.get("MillisBehindLatest", -1) >= 0, "MillisBehindLatest missing or negative", got=event)
        self.records.extend(event["Records"])
        if event.get("ContinuationSequenceNumber") is not None:
            self.continuation = event["ContinuationSequenceNumber"]
        if event.get("ChildShards"):
            self.child_shards = event["ChildShards"]
        return event

    def collect(self, count):
        while len(self.records) < count:
            expect(self.next() is not None, f"the stream ended after {len(self.records)} of {count} records")
        return self.records

    def close(self):
        self.stream.close()


def subscribe(client, **params):
    """Subscribes, retrying ResourceInUseException (a new subscription within 5 s of the last) for up to 12 s."""
    deadline = time.monotonic() + 12
    while True:
        try:
            return Subscription(client, **params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ResourceInUseException" or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def check_records(received, expected):
    expect(len(received) == len(expected), "record count", received=len(received), expected=len(expected))
    for i, (got, want) in enumerate(zip(received, expected)):
        expect(got["SequenceNumber"] == want["SequenceNumber"], f"record {i}: sequence number", got=got["SequenceNumber"], want=want["SequenceNumber"])
        expect(got["Data"] == want["Data"], f"record {i}: data", got=got["Data"], want=want["Data"])
        expect(got["PartitionKey"] == want["PartitionKey"], f"record {i}: partition key", got=got["PartitionKey"], want=want["PartitionKey"])
        expect(isinstance(got["ApproximateArrivalTimestamp"], datetime.datetime), f"record {i}: ApproximateArrivalTimestamp", got=got)
    numbers = [int(r["SequenceNumber"]) for r in received]
    expect(numbers == sorted(numbers) and len(set(numbers)) == len(numbers), "sequence numbers do not increase", got=numbers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--node", default="node")
    parser.add_argument("--consumers-with-cli")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key", default="AKIDINTEROPEXAMPLE")
    parser.add_argument("--secret-key", default="interop-secret")
    args = parser.parse_args()

    client = boto3.client(
        "kinesis", endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id=args.access_key, aws_secret_access_key=args.secret_key,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=20))
    reporter = Reporter("boto3")
    stream = args.stream
    shards = ["shardId-000000000000", "shardId-000000000001"]
    state = {"puts": 0, "consumers": {}, "put0": [], "put1": []}

    def js_call(op, params):
        call = {"endpoint": args.endpoint, "region": args.region, "accessKeyId": args.access_key, "secretAccessKey": args.secret_key, "op": op, "params": params}
        run = subprocess.run([args.node, os.path.join(HERE, "js_call.cjs"), json.dumps(call)], capture_output=True, text=True, timeout=60, cwd=HERE, check=False)
        expect(run.returncode == 0, "js_call.cjs failed", status=run.returncode, stderr=run.stderr[-2000:])
        answer = json.loads(run.stdout)
        expect("result" in answer, f"the JS SDK's {op} failed", got=answer)
        return answer["result"]

    def put_with_js(shard_index, count, label):
        """Another client puts: the AWS SDK for JavaScript v3 (h2c) in its own process."""
        hash_key = str(MAX_HASH_KEY // 2 * shard_index + 7)
        records = []
        for i in range(count):
            state["puts"] += 1
            records.append({"Data": f"{label}-{i}-\u00e9-{state['puts']}".encode(), "PartitionKey": f"key-{label}-{i}", "ExplicitHashKey": hash_key})
        result = js_call("PutRecords", {"StreamName": stream, "Records": [
            {"Data": {"$bytes": base64.b64encode(r["Data"]).decode()}, "PartitionKey": r["PartitionKey"], "ExplicitHashKey": r["ExplicitHashKey"]} for r in records]})
        expect(result["FailedRecordCount"] == 0, "PutRecords failed", got=result)
        return [dict(r, SequenceNumber=e["SequenceNumber"]) for r, e in zip(records, result["Records"])]

    def aws(*command):
        run = subprocess.run([args.consumers_with_cli, "--endpoint-url", args.endpoint, "--output", "json", "kinesis", *command],
                             capture_output=True, text=True, timeout=120, check=False)
        expect(run.returncode == 0, "aws " + " ".join(command[:1]) + " failed", stderr=run.stderr[-2000:])
        return json.loads(run.stdout) if run.stdout.strip() else {}

    def create_stream():
        client.create_stream(StreamName=stream, ShardCount=2)
        client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        state["arn"] = client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
        return {"stream_arn": state["arn"]}

    def register_consumers():
        for name in ("reader-a", "reader-b"):
            if args.consumers_with_cli:
                consumer = aws("register-stream-consumer", "--stream-arn", state["arn"], "--consumer-name", name)["Consumer"]
            else:
                consumer = client.register_stream_consumer(StreamARN=state["arn"], ConsumerName=name)["Consumer"]
            arn = consumer["ConsumerARN"]
            expect(re.fullmatch(re.escape(state["arn"]) + f"/consumer/{name}:\\d+", arn), "consumer ARN shape", got=consumer)
            deadline = time.monotonic() + 30
            while True:
                if args.consumers_with_cli:
                    status = aws("describe-stream-consumer", "--consumer-arn", arn)["ConsumerDescription"]["ConsumerStatus"]
                else:
                    status = client.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"]
                if status == "ACTIVE":
                    break
                expect(time.monotonic() < deadline, "consumer not ACTIVE within 30 s", status=status)
                time.sleep(0.2)
            state["consumers"][name] = arn
        if args.consumers_with_cli:
            listed = aws("list-stream-consumers", "--stream-arn", state["arn"])["Consumers"]
            expect(sorted(c["ConsumerName"] for c in listed) == ["reader-a", "reader-b"], "list-stream-consumers", got=listed)
        return {"consumers": state["consumers"], "with_cli": bool(args.consumers_with_cli)}

    def subscribe_receives_put():
        sub = subscribe(client, ConsumerARN=state["consumers"]["reader-a"], ShardId=shards[0], StartingPosition={"Type": "LATEST"})
        try:
            state["put0"].extend(put_with_js(0, 5, "first"))
            check_records(sub.collect(5), state["put0"])
            expect(sub.continuation is not None and int(sub.continuation) >= int(state["put0"][-1]["SequenceNumber"]), "ContinuationSequenceNumber", got=sub.continuation)
            state["cont0"] = sub.continuation
            return {"events": sub.count, "continuation": sub.continuation}
        finally:
            sub.close()

    def resubscribe_with_continuation():
        more = put_with_js(0, 3, "second")
        state["put0"].extend(more)
        sub = subscribe(client, ConsumerARN=state["consumers"]["reader-a"], ShardId=shards[0],
                        StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": state["cont0"]})
        try:
            check_records(sub.collect(3), more)
            state["cont0"] = sub.continuation
            return {"events": sub.count, "continuation": sub.continuation}
        finally:
            sub.close()

    def continuation_on_empty_shard():
        first = subscribe(client, ConsumerARN=state["consumers"]["reader-a"], ShardId=shards[1], StartingPosition={"Type": "LATEST"})
        try:
            event = first.next()
            expect(event is not None and event["Records"] == [], "expected an empty first event on an empty shard", got=event)
            empty = first.continuation
            expect(empty is not None, "no ContinuationSequenceNumber on the empty shard")
        finally:
            first.close()
        state["put1"].extend(put_with_js(1, 2, "empty"))
        second = subscribe(client, ConsumerARN=state["consumers"]["reader-a"], ShardId=shards[1],
                           StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": empty})
        try:
            check_records(second.collect(2), state["put1"])
            return {"empty_continuation": empty, "first_record": state["put1"][0]["SequenceNumber"]}
        finally:
            second.close()

    def read_with(consumer, shard, position, expected):
        sub = subscribe(client, ConsumerARN=state["consumers"][consumer], ShardId=shard, StartingPosition=position)
        try:
            check_records(sub.collect(len(expected)), expected)
            return {"records": len(sub.records), "events": sub.count}
        finally:
            sub.close()

    def error_unknown_consumer():
        arn = state["consumers"]["reader-a"].replace("/consumer/reader-a:", "/consumer/no-such-reader:")
        try:
            sub = Subscription(client, ConsumerARN=arn, ShardId=shards[0], StartingPosition={"Type": "LATEST"})
            event = sub.next()
            sub.close()
        except ClientError as error:
            expect(error.response["Error"]["Code"] == "ResourceNotFoundException", "expected ResourceNotFoundException", got=error_details(error))
            return error_details(error)
        raise Mismatch(f"expected ResourceNotFoundException, got an event {event!r}")

    def error_second_subscription():
        first = subscribe(client, ConsumerARN=state["consumers"]["reader-b"], ShardId=shards[1], StartingPosition={"Type": "LATEST"})
        try:
            try:
                Subscription(client, ConsumerARN=state["consumers"]["reader-b"], ShardId=shards[1], StartingPosition={"Type": "LATEST"}).close()
            except ClientError as error:
                expect(error.response["Error"]["Code"] == "ResourceInUseException", "expected ResourceInUseException", got=error_details(error))
                return {"refused": error_details(error)}
            try:
                while first.next() is not None:
                    pass
            except ClientError as error:
                expect(error.response["Error"]["Code"] == "ResourceInUseException", "the taken-over subscription ended with another error", got=error_details(error))
                return {"taken_over": error_details(error)}
            raise Mismatch("the second subscription was accepted and the first one did not end with ResourceInUseException")
        finally:
            first.close()

    def follow_split():
        try:
            client.split_shard(StreamName=stream, ShardToSplit=shards[0], NewStartingHashKey=str(MAX_HASH_KEY // 4))
        except ClientError as error:
            if error.response["Error"]["Code"] == "UnknownOperationException":
                return {"skipped": "the gateway does not support SplitShard yet"}
            raise
        client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        parent = subscribe(client, ConsumerARN=state["consumers"]["reader-a"], ShardId=shards[0],
                           StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": state["cont0"]})
        try:
            while parent.child_shards is None:
                expect(parent.next() is not None, "the parent's stream ended without ChildShards")
        finally:
            parent.close()
        children = parent.child_shards
        expect(len(children) == 2 and all(shards[0] in c["ParentShards"] for c in children), "ChildShards of a split", got=children)
        received = []
        for child in children:
            state["puts"] += 1
            data = f"child-{state['puts']}".encode()
            stored = js_call("PutRecord", {"StreamName": stream, "Data": {"$bytes": base64.b64encode(data).decode()}, "PartitionKey": f"child-{child['ShardId']}",
                                           "ExplicitHashKey": child["HashKeyRange"]["StartingHashKey"]})
            expect(stored["ShardId"] == child["ShardId"], "the record did not go to the child shard", got=stored)
            read_with("reader-a", child["ShardId"], {"Type": "TRIM_HORIZON"},
                      [{"SequenceNumber": stored["SequenceNumber"], "Data": data, "PartitionKey": f"child-{child['ShardId']}"}])
            received.append({"shard": child["ShardId"], "sequence_number": stored["SequenceNumber"]})
        return {"children": [c["ShardId"] for c in children], "received": received}

    def deregister_consumers():
        for arn in state["consumers"].values():
            if args.consumers_with_cli:
                aws("deregister-stream-consumer", "--consumer-arn", arn)
            else:
                client.deregister_stream_consumer(ConsumerARN=arn)
        return {}

    reporter.run("create_stream", create_stream)
    reporter.run("register_consumers", register_consumers)
    reporter.run("subscribe_receives_put", subscribe_receives_put)
    reporter.run("resubscribe_with_continuation", resubscribe_with_continuation)
    reporter.run("continuation_on_empty_shard", continuation_on_empty_shard)
    reporter.run("subscribe_trim_horizon", lambda: read_with("reader-b", shards[0], {"Type": "TRIM_HORIZON"}, state["put0"]))
    reporter.run("subscribe_at_sequence_number", lambda: read_with(
        "reader-b", shards[1], {"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": state["put1"][1]["SequenceNumber"]}, state["put1"][1:]))
    reporter.run("subscribe_at_timestamp", lambda: read_with(
        "reader-b", shards[0], {"Type": "AT_TIMESTAMP", "Timestamp": datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)}, state["put0"]))
    reporter.run("error_unknown_consumer", error_unknown_consumer)
    reporter.run("error_second_subscription", error_second_subscription)
    reporter.run("follow_split", follow_split)
    reporter.run("deregister_consumers", deregister_consumers)
    reporter.run("delete_stream", lambda: client.delete_stream(StreamName=stream, EnforceConsumerDeletion=True) and {})
    return reporter.finish()


if __name__ == "__main__":
    main_guard(main)
