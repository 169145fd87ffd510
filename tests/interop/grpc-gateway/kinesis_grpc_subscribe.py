#!/usr/bin/env python3
"""Enhanced fan-out over gRPC with grpcio (the gRPC C core): SubscribeToShard as server streaming.

Scenario: create a one-shard stream, register a consumer and wait until DescribeStreamConsumer says
ACTIVE, subscribe at LATEST, put records while the subscription is open and receive them pushed,
cancel, resubscribe with AFTER_SEQUENCE_NUMBER and the last ContinuationSequenceNumber, and receive
exactly the records put since (no gap, no repeat); finally deregister the consumer. Prints one JSON
object with what it saw; exits 1 with a message on stderr at the first mismatch.

Usage: kinesis_grpc_subscribe.py HOST:PORT STREAM_NAME [DESCRIPTOR_SET]
"""

import json
import sys
import time

import grpc

from kinesis_grpc_client import PACKAGE, SERVICE, TIMEOUT, KinesisStreams, Mismatch, check, load_descriptor_set, message_class


def enum_value(pool, enum, name):
    return pool.FindEnumTypeByName(PACKAGE + enum).values_by_name[name].number


def receive(subscription, wanted, seen):
    """Reads events until `wanted` records arrived; returns (records, last continuation)."""
    records = []
    continuation = None
    for event in subscription:
        seen["events"] += 1
        check(event.continuation_sequence_number, "an event without ContinuationSequenceNumber")
        continuation = event.continuation_sequence_number
        records.extend(r.data.decode("utf-8") for r in event.records)
        if len(records) >= wanted:
            break
    check(len(records) == wanted, "received %r, wanted %d records" % (records, wanted))
    return records, continuation


def run(target, stream_name, descriptor_set):
    pool = load_descriptor_set(descriptor_set)
    results = {"client": "grpcio " + grpc.__version__, "stream": stream_name, "events": 0}
    with grpc.insecure_channel(target) as channel:
        streams = KinesisStreams(channel, pool)
        subscribe = channel.unary_stream(
            "/%s/SubscribeToShard" % SERVICE,
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=message_class(pool, PACKAGE + "SubscribeToShardEvent").FromString)

        streams.CreateStream(streams.message("CreateStreamRequest", stream_name=stream_name, shard_count=1), timeout=TIMEOUT)
        summary = streams.DescribeStreamSummary(streams.message("DescribeStreamSummaryRequest", stream_name=stream_name), timeout=TIMEOUT)
        stream_arn = summary.stream_description_summary.stream_arn
        consumer = streams.RegisterStreamConsumer(
            streams.message("RegisterStreamConsumerRequest", stream_arn=stream_arn, consumer_name="py-app"), timeout=TIMEOUT).consumer
        check(consumer.consumer_status == enum_value(pool, "ConsumerStatus", "CONSUMER_STATUS_CREATING"), "a new consumer is CREATING")
        active = enum_value(pool, "ConsumerStatus", "CONSUMER_STATUS_ACTIVE")
        deadline = time.monotonic() + 30
        while True:
            described = streams.DescribeStreamConsumer(
                streams.message("DescribeStreamConsumerRequest", consumer_arn=consumer.consumer_arn), timeout=TIMEOUT).consumer_description
            if described.consumer_status == active:
                break
            check(time.monotonic() < deadline, "the consumer did not become ACTIVE")
            time.sleep(0.2)
        results["consumer_arn"] = consumer.consumer_arn

        def start(kind, sequence_number=""):
            position = streams.message("StartingPosition", type=enum_value(pool, "ShardIteratorType", kind), sequence_number=sequence_number)
            request = streams.message("SubscribeToShardRequest", consumer_arn=consumer.consumer_arn,
                                      shard_id="shardId-000000000000", starting_position=position)
            return subscribe(request, timeout=120)

        def put(data):
            streams.PutRecord(streams.message("PutRecordRequest", stream_name=stream_name, partition_key="k", data=data.encode("utf-8")), timeout=TIMEOUT)

        first = start("SHARD_ITERATOR_TYPE_LATEST")
        opening = next(first)
        results["events"] += 1
        check(len(opening.records) == 0, "the first event at LATEST holds records")
        for i in range(3):
            put("pushed-%d" % i)
        received, continuation = receive(first, 3, results)
        results["first"] = received
        first.cancel()

        put("after-cancel")
        # A second subscription within 5 seconds of the first is refused (ResourceInUseException) and a
        # later one takes over, as in Kinesis: retry until it is accepted.
        deadline = time.monotonic() + 30
        while True:
            second = start("SHARD_ITERATOR_TYPE_AFTER_SEQUENCE_NUMBER", continuation)
            try:
                resumed, _ = receive(second, 1, results)
                break
            except grpc.RpcError as error:
                trailers = dict(error.trailing_metadata() or ())
                check(trailers.get("kinesis-error-type") == "ResourceInUseException", "resubscribe failed: %s %s" % (error.code(), error.details()))
                results["resource_in_use"] = True
                check(time.monotonic() < deadline, "could not resubscribe")
                time.sleep(0.5)
        second.cancel()
        results["resumed"] = resumed

        streams.DeregisterStreamConsumer(streams.message("DeregisterStreamConsumerRequest", consumer_arn=consumer.consumer_arn), timeout=TIMEOUT)
        streams.DeleteStream(streams.message("DeleteStreamRequest", stream_name=stream_name), timeout=TIMEOUT)
    return results


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        results = run(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    except (Mismatch, grpc.RpcError) as error:
        print("FAILED: %s" % error, file=sys.stderr)
        return 1
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
