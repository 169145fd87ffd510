#!/usr/bin/env python3
"""The Kinesis client scenario (scenario_common.py) run with boto3 (botocore: AWS JSON 1.1 over HTTP/1.1).

Usage: scenario_boto3.py --endpoint URL --stream NAME [--scenario full|auth|permissions] [--account ID]
       [--region R] [--access-key K --secret-key S] [--restricted-key K --restricted-secret S --other-stream NAME]
  full: the whole scenario, with boto3's own waiters (stream_exists / stream_not_exists, 1 s delay).
  auth: against a gateway verifying SigV4 with (--access-key, --secret-key): the right key works end
        to end; the same key id with a wrong secret gets InvalidSignatureException, an unknown key id
        UnrecognizedClientException, as from Kinesis.
  permissions: (--access-key, --secret-key) is a full-access key, (--restricted-key,
        --restricted-secret) one allowed only read and write on streams named like --stream: it writes
        and reads --stream, and gets AccessDeniedException (HTTP 400) for a write to --other-stream and
        for deleting --stream; ListStreams shows it only the streams it may read.
Prints one JSON line per step (see scenario_common.py); exit 1 when a step failed.
Run with /usr/bin/python3 (Debian python3-boto3).
"""
import argparse
import hashlib

import boto3
import botocore.config
from botocore import xform_name
from botocore.exceptions import ClientError

from scenario_common import ApiError, Reporter, Scenario, expect, expect_error, main_guard


class Boto3Backend:
    """Calls through a boto3 client; outputs already carry bytes and aware datetimes."""

    name = "boto3"

    def __init__(self, endpoint, region, access_key, secret_key, ca_bundle=None):
        self.client = boto3.client(
            "kinesis",
            endpoint_url=endpoint,
            # https:// endpoints: the certificate is checked against this CA (a test CA), never skipped.
            verify=ca_bundle if ca_bundle else None,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=botocore.config.Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=10,
            ),
        )

    def call(self, op, params, expect_error=False):
        try:
            result = getattr(self.client, xform_name(op))(**params)
        except ClientError as error:
            metadata = error.response.get("ResponseMetadata", {})
            raise ApiError(
                error.response.get("Error", {}).get("Code"),
                error.response.get("Error", {}).get("Message", ""),
                metadata.get("HTTPStatusCode"),
                metadata.get("RequestId") or metadata.get("HTTPHeaders", {}).get("x-amzn-requestid")) from None
        result.pop("ResponseMetadata", None)
        return result

    def create_stream(self, stream, shards):
        return self.call("CreateStream", {"StreamName": stream, "ShardCount": shards})

    def wait_exists(self, stream):
        self.client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return {"waiter": "stream_exists"}

    def wait_not_exists(self, stream):
        self.client.get_waiter("stream_not_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return {"waiter": "stream_not_exists"}


def run_auth(args, reporter):
    right = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key)
    wrong_secret = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key + "-wrong")
    unknown_key = Boto3Backend(args.endpoint, args.region, "AKIAUNKNOWNINTEROP00", args.secret_key)
    stream = args.stream

    def create():
        right.create_stream(stream, 1)
        right.wait_exists(stream)
        return {"stream": stream}

    def put_get():
        data = bytes(range(256)) * 4
        put = right.call("PutRecord", {"StreamName": stream, "PartitionKey": "signed", "Data": data})
        iterator = right.call("GetShardIterator", {"StreamName": stream, "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        records = right.call("GetRecords", {"ShardIterator": iterator})["Records"]
        expect([(r["SequenceNumber"], r["Data"]) for r in records] == [(put["SequenceNumber"], data)], "the signed record did not come back",
               got=[r["SequenceNumber"] for r in records])
        return {"sequence_number": put["SequenceNumber"], "md5": hashlib.md5(data).hexdigest()}

    def rejected(backend, code, message_contains):
        listed = expect_error(lambda: backend.call("ListStreams", {}, expect_error=True), code, message_contains=message_contains)
        put = expect_error(lambda: backend.call("PutRecord", {"StreamName": stream, "PartitionKey": "k", "Data": b"unsigned"}, expect_error=True),
                           code, message_contains=message_contains)
        return {"list_streams": {**listed, "message": listed["message"][:160]}, "put_record": {**put, "message": put["message"][:160]}}

    reporter.run("auth_valid_key_create_stream", create)
    reporter.run("auth_valid_key_put_get", put_get)
    reporter.run("auth_wrong_secret_rejected", lambda: rejected(
        wrong_secret, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."))
    reporter.run("auth_unknown_key_rejected", lambda: rejected(
        unknown_key, "UnrecognizedClientException", "The security token included in the request is invalid."))

    def delete():
        right.call("DeleteStream", {"StreamName": stream})
        right.wait_not_exists(stream)
        return {}

    reporter.run("auth_valid_key_delete_stream", delete)


def run_permissions(args, reporter):
    admin = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key)
    restricted = Boto3Backend(args.endpoint, args.region, args.restricted_key, args.restricted_secret)
    stream, other = args.stream, args.other_stream

    def create():
        for name in (stream, other):
            admin.create_stream(name, 1)
            admin.wait_exists(name)
        return {"streams": [stream, other]}

    def allowed_put_get():
        put = restricted.call("PutRecord", {"StreamName": stream, "PartitionKey": "k", "Data": b"allowed"})
        iterator = restricted.call("GetShardIterator", {"StreamName": stream, "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        records = restricted.call("GetRecords", {"ShardIterator": iterator})["Records"]
        expect([r["Data"] for r in records] == [b"allowed"], "the record did not come back", got=len(records))
        return {"sequence_number": put["SequenceNumber"]}

    def denied(action):
        seen = expect_error(action, "AccessDeniedException", status=400, message_contains="is not authorized to perform")
        return {**seen, "message": seen["message"][:240]}

    def list_filtered():
        names = restricted.call("ListStreams", {})["StreamNames"]
        expect(stream in names and other not in names, "ListStreams should show only the streams the key may read", got=names)
        return {"stream_names": names}

    reporter.run("permissions_create_streams", create)
    reporter.run("permissions_allowed_put_get", allowed_put_get)
    reporter.run("permissions_put_other_stream_denied", lambda: denied(
        lambda: restricted.call("PutRecord", {"StreamName": other, "PartitionKey": "k", "Data": b"x"}, expect_error=True)))
    reporter.run("permissions_delete_denied", lambda: denied(
        lambda: restricted.call("DeleteStream", {"StreamName": stream}, expect_error=True)))
    reporter.run("permissions_list_streams_filtered", list_filtered)

    def delete():
        for name in (stream, other):
            admin.call("DeleteStream", {"StreamName": name})
        return {}

    reporter.run("permissions_admin_delete_streams", delete)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--scenario", choices=["full", "auth", "permissions"], default="full")
    parser.add_argument("--account", default="000000000000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key", default="AKIDINTEROPEXAMPLE")
    parser.add_argument("--secret-key", default="interop-secret")
    parser.add_argument("--restricted-key", default=None)
    parser.add_argument("--restricted-secret", default=None)
    parser.add_argument("--other-stream", default=None)
    parser.add_argument("--ca-bundle", default=None, help="PEM file of the CA that signed an https:// endpoint's certificate")
    args = parser.parse_args()
    reporter = Reporter("boto3")
    if args.scenario == "auth":
        run_auth(args, reporter)
    elif args.scenario == "permissions":
        run_permissions(args, reporter)
    else:
        backend = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key, args.ca_bundle)
        Scenario(backend, args.stream, reporter, account=args.account, region=args.region).run()
    return reporter.finish()


if __name__ == "__main__":
    main_guard(main)
