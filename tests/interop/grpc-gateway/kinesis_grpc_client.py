#!/usr/bin/env python3
"""Interoperability client for the gateway's KinesisStreams gRPC service, on grpcio (the gRPC C core).

Messages and the service come from streams.proto at run time: a FileDescriptorSet (streams.proto,
google/rpc/status.proto, google/rpc/error_details.proto and their imports) is loaded into a
python3-protobuf descriptor pool, message classes are built from it, and each method of the
KinesisStreams service is called through grpcio's generic unary_unary API. No generated code, so
neither grpc_tools nor a matching protoc is needed.

Scenario: create a stream, put records (PutRecord and PutRecords, binary data, unicode keys), read
them back with GetShardIterator + GetRecords, and receive two Kinesis errors (status code, message,
kinesis-error-type trailer, google.rpc.Status with ErrorInfo in grpc-status-details-bin). Prints one
JSON object with what it saw; exits 1 with a message on stderr at the first mismatch.

Usage: kinesis_grpc_client.py HOST:PORT STREAM_NAME [DESCRIPTOR_SET]
Without DESCRIPTOR_SET, protoc (Debian protobuf-compiler) builds one from the repository's protos/.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "kafkakinesisbridge.streams.v1.KinesisStreams"
PACKAGE = "kafkakinesisbridge.streams.v1."
ACCOUNT = "000000000000"
TIMEOUT = 30


class Mismatch(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Mismatch(message)


def load_descriptor_set(path):
    if path is None:
        protos = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "protos")
        path = os.path.join(tempfile.mkdtemp(prefix="kkb-py-"), "streams.pb")
        subprocess.run(
            ["protoc", "-I", protos, "--include_imports", "--descriptor_set_out=" + path,
             "kafkakinesisbridge/streams/v1/streams.proto", "google/rpc/status.proto", "google/rpc/error_details.proto"],
            check=True)
    with open(path, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return pool


def message_class(pool, full_name):
    descriptor = pool.FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


class KinesisStreams:
    """A stub built from the service descriptor: one callable per method, plus the message classes."""

    def __init__(self, channel, pool):
        self.pool = pool
        service = pool.FindServiceByName(SERVICE)
        self.method_names = [m.name for m in service.methods]
        for method in service.methods:
            response = message_class(pool, method.output_type.full_name)
            call = channel.unary_unary(
                "/%s/%s" % (service.full_name, method.name),
                request_serializer=lambda message: message.SerializeToString(),
                response_deserializer=response.FromString)
            setattr(self, method.name, call)

    def message(self, name, **fields):
        full = name if "." in name else PACKAGE + name
        return message_class(self.pool, full)(**fields)


def describe_error(streams, error):
    trailers = {}
    for key, value in error.trailing_metadata() or ():
        trailers[key] = value
    result = {
        "code": error.code().name,
        "code_value": error.code().value[0],
        "details": error.details(),
        "kinesis_error_type": trailers.get("kinesis-error-type"),
    }
    raw = trailers.get("grpc-status-details-bin")
    if raw is not None:
        status = streams.message("google.rpc.Status")
        status.ParseFromString(raw)
        result["status_code"] = status.code
        result["status_message"] = status.message
        for detail in status.details:
            if detail.type_url.endswith("/google.rpc.ErrorInfo"):
                info = streams.message("google.rpc.ErrorInfo")
                info.ParseFromString(detail.value)
                result["reason"] = info.reason
                result["domain"] = info.domain
    return result


def expect_error(streams, call, request, code, error_type):
    try:
        call(request, timeout=TIMEOUT)
    except grpc.RpcError as error:
        seen = describe_error(streams, error)
        check(seen["code"] == code, "expected %s, got %s: %s" % (code, seen["code"], seen["details"]))
        check(seen["kinesis_error_type"] == error_type, "kinesis-error-type %r, expected %s" % (seen["kinesis_error_type"], error_type))
        check(seen.get("status_code") == seen["code_value"], "grpc-status-details-bin code %r differs from the status %r" % (seen.get("status_code"), seen["code_value"]))
        check(seen.get("status_message") == seen["details"], "grpc-status-details-bin message differs from grpc-message")
        check(seen.get("reason") == error_type, "ErrorInfo.reason %r, expected %s" % (seen.get("reason"), error_type))
        check(seen.get("domain") == "kinesis.amazonaws.com", "ErrorInfo.domain %r" % seen.get("domain"))
        return seen
    raise Mismatch("expected %s (%s), the call succeeded" % (code, error_type))


def b64(data):
    return base64.b64encode(data).decode("ascii")


def run(target, stream_name, descriptor_set):
    pool = load_descriptor_set(descriptor_set)
    results = {"client": "grpcio " + grpc.__version__, "stream": stream_name}
    with grpc.insecure_channel(target) as channel:
        streams = KinesisStreams(channel, pool)
        results["methods"] = streams.method_names

        streams.CreateStream(streams.message("CreateStreamRequest", stream_name=stream_name, shard_count=2), timeout=TIMEOUT)
        description = streams.DescribeStream(streams.message("DescribeStreamRequest", stream_name=stream_name), timeout=TIMEOUT).stream_description
        status = pool.FindEnumTypeByName(PACKAGE + "StreamStatus").values_by_number[description.stream_status].name
        check(status == "STREAM_STATUS_ACTIVE", "stream status %s" % status)
        check(len(description.shards) == 2, "%d shards" % len(description.shards))
        results["describe"] = {"status": status, "shards": [s.shard_id for s in description.shards]}

        puts = []
        single = [("ключ-🔑", bytes(range(256))), ("py-single", b"\x00\xff\x00binary")]
        for key, data in single:
            reply = streams.PutRecord(streams.message("PutRecordRequest", stream_name=stream_name, partition_key=key, data=data), timeout=TIMEOUT)
            puts.append({"partition_key": key, "data": b64(data), "shard_id": reply.shard_id, "sequence_number": reply.sequence_number})
        entries = [("py-batch-%d" % i, ("batch record %d" % i).encode("utf-8") + bytes([i, 0, 255])) for i in range(5)]
        request = streams.message("PutRecordsRequest", stream_name=stream_name)
        for key, data in entries:
            request.records.add(partition_key=key, data=data)
        reply = streams.PutRecords(request, timeout=TIMEOUT)
        check(reply.failed_record_count == 0, "PutRecords failed %d records" % reply.failed_record_count)
        check(len(reply.records) == len(entries), "PutRecords answered %d results for %d records" % (len(reply.records), len(entries)))
        for (key, data), result in zip(entries, reply.records):
            check(result.sequence_number and result.shard_id and not result.error_code, "PutRecords result %s" % result)
            puts.append({"partition_key": key, "data": b64(data), "shard_id": result.shard_id, "sequence_number": result.sequence_number})
        results["puts"] = puts

        reads = []
        trim_horizon = pool.FindEnumTypeByName(PACKAGE + "ShardIteratorType").values_by_name["SHARD_ITERATOR_TYPE_TRIM_HORIZON"].number
        for shard in description.shards:
            expected = sum(1 for p in puts if p["shard_id"] == shard.shard_id)
            iterator = streams.GetShardIterator(streams.message(
                "GetShardIteratorRequest", stream_name=stream_name, shard_id=shard.shard_id, shard_iterator_type=trim_horizon), timeout=TIMEOUT).shard_iterator
            got = 0
            for _ in range(100):
                response = streams.GetRecords(streams.message("GetRecordsRequest", shard_iterator=iterator, limit=3), timeout=TIMEOUT)
                for record in response.records:
                    reads.append({"shard_id": shard.shard_id, "partition_key": record.partition_key, "data": b64(record.data),
                                  "sequence_number": record.sequence_number,
                                  "arrival_seconds": record.approximate_arrival_timestamp.seconds})
                    got += 1
                check(response.HasField("next_shard_iterator"), "an open shard's GetRecords has no NextShardIterator")
                iterator = response.next_shard_iterator
                if got >= expected:
                    break
            check(got == expected, "read %d records from %s, expected %d" % (got, shard.shard_id, expected))
        results["reads"] = reads
        by_sequence = {r["sequence_number"]: r for r in reads}
        for put in puts:
            read = by_sequence.get(put["sequence_number"])
            check(read is not None, "record %s not read back" % put["sequence_number"])
            check(read["partition_key"] == put["partition_key"] and read["data"] == put["data"] and read["shard_id"] == put["shard_id"],
                  "record %s read back as %s, put as %s" % (put["sequence_number"], read, put))

        missing = stream_name + "-missing"
        results["not_found"] = expect_error(
            streams, streams.DescribeStream, streams.message("DescribeStreamRequest", stream_name=missing), "NOT_FOUND", "ResourceNotFoundException")
        expected_message = "Stream %s under account %s not found." % (missing, ACCOUNT)
        check(results["not_found"]["details"] == expected_message, "message %r, expected %r" % (results["not_found"]["details"], expected_message))

        too_many = streams.message("PutRecordsRequest", stream_name=stream_name)
        for i in range(501):
            too_many.records.add(partition_key="k", data=b"x")
        results["validation"] = expect_error(streams, streams.PutRecords, too_many, "INVALID_ARGUMENT", "ValidationException")
        check("less than or equal to 500" in results["validation"]["details"], "message %r" % results["validation"]["details"])
    return results


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        results = run(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else None)
    except Mismatch as mismatch:
        print("MISMATCH: %s" % mismatch, file=sys.stderr)
        return 1
    except grpc.RpcError as error:
        print("UNEXPECTED RPC ERROR: %s %s" % (error.code(), error.details()), file=sys.stderr)
        return 1
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
