#!/usr/bin/env python3
"""A first KinesisStreams gRPC client on grpcio.

Creates a stream with one shard, waits until it is ACTIVE, writes with PutRecord and PutRecords,
reads everything back from TRIM_HORIZON with GetShardIterator + GetRecords, and deletes the stream.
Errors are reported by their Kinesis name.

Usage: run.sh [ENDPOINT] [STREAM]   (run.sh generates the message classes with protoc first)
  ENDPOINT: http://host:port (h2c, prior knowledge) or https://host:port; default
            $KKB_GRPC_ENDPOINT, else http://127.0.0.1:4567 (what `make run` starts).
  STREAM:   the stream to create and delete; default example-<random>.

The message classes come from `protoc --python_out` (protoc 3.15 or later, for proto3 `optional`);
the stub below is a few lines of channel.unary_unary, so no grpcio-tools is needed.
"""

import json
import os
import sys
import time
import urllib.parse
import uuid

import grpc

from google.rpc import error_details_pb2, status_pb2
from kafkakinesisbridge.streams.v1 import streams_pb2 as pb

CALL_TIMEOUT_SECONDS = 10

# gRPC retries (the retryPolicy of the gRPC service config, gRFC A6) for throttling
# (ProvisionedThroughputExceededException, LimitExceededException: RESOURCE_EXHAUSTED) and an
# unavailable server (UNAVAILABLE), with exponential backoff and jitter. Beware: a PutRecord that is
# retried, or that timed out, may have been stored already. PutRecord is not idempotent, so a retry
# can store a record twice, exactly as with Kinesis: consumers must tolerate duplicates.
SERVICE_CONFIG = {
    "methodConfig": [{
        "name": [{"service": "kafkakinesisbridge.streams.v1.KinesisStreams"}],
        "retryPolicy": {
            "maxAttempts": 5,
            "initialBackoff": "0.2s",
            "maxBackoff": "5s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["RESOURCE_EXHAUSTED", "UNAVAILABLE"],
        },
    }],
}

CHANNEL_OPTIONS = [
    # GetRecords answers up to 10 MiB (the Kinesis limit). The default receive limit is 4 MiB: such a
    # read would fail with RESOURCE_EXHAUSTED "Received message larger than max", and only once
    # production-sized records arrive.
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    # HTTP/2 PINGs find a dead connection (a gateway restarted behind a load balancer) before the next
    # call waits for its deadline on it.
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.enable_retries", 1),
    # A retried call is replayed from a buffer; a full PutRecords request is up to 5 MiB.
    ("grpc.per_rpc_retry_buffer_size", 6 * 1024 * 1024),
    ("grpc.service_config", json.dumps(SERVICE_CONFIG)),
]


class KinesisStreamsStub:
    """The client stub: one callable per method, as grpcio-tools would generate it."""

    def __init__(self, channel):
        def method(name, request, response):
            return channel.unary_unary(
                f"/kafkakinesisbridge.streams.v1.KinesisStreams/{name}",
                request_serializer=request.SerializeToString,
                response_deserializer=response.FromString)

        self.CreateStream = method("CreateStream", pb.CreateStreamRequest, pb.CreateStreamResponse)
        self.DeleteStream = method("DeleteStream", pb.DeleteStreamRequest, pb.DeleteStreamResponse)
        self.DescribeStreamSummary = method(
            "DescribeStreamSummary", pb.DescribeStreamSummaryRequest, pb.DescribeStreamSummaryResponse)
        self.ListShards = method("ListShards", pb.ListShardsRequest, pb.ListShardsResponse)
        self.PutRecord = method("PutRecord", pb.PutRecordRequest, pb.PutRecordResponse)
        self.PutRecords = method("PutRecords", pb.PutRecordsRequest, pb.PutRecordsResponse)
        self.GetShardIterator = method("GetShardIterator", pb.GetShardIteratorRequest, pb.GetShardIteratorResponse)
        self.GetRecords = method("GetRecords", pb.GetRecordsRequest, pb.GetRecordsResponse)


def create_channel(endpoint):
    """The channel settings every client of the gateway needs. grpcio takes host:port, not a URL."""
    url = urllib.parse.urlsplit(endpoint)
    target = url.netloc or endpoint
    if url.scheme == "https":
        return grpc.secure_channel(target, grpc.ssl_channel_credentials(), options=CHANNEL_OPTIONS)
    return grpc.insecure_channel(target, options=CHANNEL_OPTIONS)


def kinesis_error_name(error):
    """The Kinesis error name of a failed call (ResourceNotFoundException, ...).

    From the trailer kinesis-error-type, else from the google.rpc.ErrorInfo in grpc-status-details-bin.
    Errors the client raises itself (deadline exceeded, connection refused, message too large) carry
    neither: then the gRPC status code is all there is.
    """
    trailers = dict(error.trailing_metadata() or ())
    if "kinesis-error-type" in trailers:
        return trailers["kinesis-error-type"]
    if "grpc-status-details-bin" in trailers:
        status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return info.reason
    return error.code().name


def put_records(kinesis, stream, entries):
    """PutRecords succeeds as a call even when some of its records failed (throttled, for example):
    failed_record_count says how many, and those entries carry error_code. Send them again."""
    for attempt in range(1, 6):
        response = kinesis.PutRecords(pb.PutRecordsRequest(stream_name=stream, records=entries),
                                      timeout=CALL_TIMEOUT_SECONDS)
        failed = []
        for entry, result in zip(entries, response.records):
            if result.error_code:
                failed.append(entry)
            else:
                print(f"put {entry.partition_key} -> {result.shard_id} {result.sequence_number}")
        if response.failed_record_count == 0:
            return
        entries = failed
        time.sleep(0.1 * 2 ** attempt)
    raise RuntimeError(f"{len(entries)} records still failed after 5 attempts")


def wait_until_active(kinesis, stream):
    for _ in range(60):
        summary = kinesis.DescribeStreamSummary(
            pb.DescribeStreamSummaryRequest(stream_name=stream), timeout=CALL_TIMEOUT_SECONDS)
        if summary.stream_description_summary.stream_status == pb.STREAM_STATUS_ACTIVE:
            return
        time.sleep(0.5)
    raise RuntimeError(f"stream {stream} did not become ACTIVE")


def wait_until_deleted(kinesis, stream):
    """A deleted stream goes DELETING, then describing it fails with ResourceNotFoundException."""
    for _ in range(60):
        try:
            kinesis.DescribeStreamSummary(pb.DescribeStreamSummaryRequest(stream_name=stream),
                                          timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            if kinesis_error_name(error) == "ResourceNotFoundException":
                return
            raise
        time.sleep(0.5)
    raise RuntimeError(f"stream {stream} was not deleted")


def put_and_read(kinesis, stream):
    put = kinesis.PutRecord(pb.PutRecordRequest(stream_name=stream, partition_key="key-1", data=b"record 1"),
                            timeout=CALL_TIMEOUT_SECONDS)
    print(f"put key-1 -> {put.shard_id} {put.sequence_number}")
    put_records(kinesis, stream, [
        pb.PutRecordsRequestEntry(partition_key="key-2", data=b"record 2"),
        pb.PutRecordsRequestEntry(partition_key="key-3", data=b"record 3"),
    ])

    # The stream has one shard; ListShards names it.
    shard_id = kinesis.ListShards(pb.ListShardsRequest(stream_name=stream), timeout=CALL_TIMEOUT_SECONDS).shards[0].shard_id
    iterator = kinesis.GetShardIterator(
        pb.GetShardIteratorRequest(stream_name=stream, shard_id=shard_id,
                                   shard_iterator_type=pb.SHARD_ITERATOR_TYPE_TRIM_HORIZON),
        timeout=CALL_TIMEOUT_SECONDS).shard_iterator

    # GetRecords may answer fewer records than are there (or none): follow next_shard_iterator.
    # Kinesis allows 5 GetRecords per second per shard, hence the pause between empty reads.
    read = 0
    for _ in range(50):
        if read >= 3:
            break
        response = kinesis.GetRecords(pb.GetRecordsRequest(shard_iterator=iterator, limit=1000),
                                      timeout=CALL_TIMEOUT_SECONDS)
        for record in response.records:
            print(f"read {record.sequence_number} {record.partition_key} {record.data.decode('utf-8')}")
            read += 1
        if not response.HasField("next_shard_iterator"):
            break  # the shard was closed and read to its end
        iterator = response.next_shard_iterator
        if not response.records:
            time.sleep(0.2)
    print(f"read {read} records")


def run(kinesis, stream):
    try:
        kinesis.CreateStream(pb.CreateStreamRequest(stream_name=stream, shard_count=1), timeout=CALL_TIMEOUT_SECONDS)
        print(f"created stream {stream}")
    except grpc.RpcError as error:
        if kinesis_error_name(error) != "ResourceInUseException":
            raise
        print(f"stream {stream} exists already")
    try:
        wait_until_active(kinesis, stream)
        print(f"stream {stream} is ACTIVE")
        put_and_read(kinesis, stream)
    finally:
        kinesis.DeleteStream(pb.DeleteStreamRequest(stream_name=stream), timeout=CALL_TIMEOUT_SECONDS)
        wait_until_deleted(kinesis, stream)
        print(f"deleted stream {stream}")


def main(argv):
    endpoint = argv[1] if len(argv) > 1 else os.environ.get("KKB_GRPC_ENDPOINT", "http://127.0.0.1:4567")
    stream = argv[2] if len(argv) > 2 else f"example-{uuid.uuid4().hex[:12]}"
    with create_channel(endpoint) as channel:
        try:
            run(KinesisStreamsStub(channel), stream)
        except grpc.RpcError as error:
            print(f"failed: {kinesis_error_name(error)} ({error.code().name}): {error.details()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
