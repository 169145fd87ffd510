"""Firehose calls under the gateway's access policy (--auth Verify), with boto3's own SigV4 signing.

A restricted key (read and write on streams named <prefix>*) may put to a delivery stream of its
prefix but not create one (admin) nor put to another one; the admin key may. Prints a JSON report
with "ok"; exits 1 on the first failed expectation.
"""
import argparse
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def client(endpoint, key, secret):
    return boto3.client("firehose", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}, parameter_validation=False))


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


def main():
    p = argparse.ArgumentParser()
    for name in ("endpoint", "admin-key", "admin-secret", "restricted-key", "restricted-secret", "prefix"):
        p.add_argument("--" + name, required=True)
    a = p.parse_args()
    admin = client(a.endpoint, a.admin_key, a.admin_secret)
    restricted = client(a.endpoint, a.restricted_key, a.restricted_secret)
    destination = {"RoleARN": "arn:aws:iam::000000000000:role/firehose", "BucketARN": "arn:aws:s3:::access-bucket",
                   "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}
    mine, other = a.prefix + "fh", "other-fh"
    report = {}

    report["restricted_create"] = error_code(lambda: restricted.create_delivery_stream(
        DeliveryStreamName=mine, ExtendedS3DestinationConfiguration=destination))
    for name in (mine, other):
        admin.create_delivery_stream(DeliveryStreamName=name, ExtendedS3DestinationConfiguration=destination)
    report["restricted_put_own"] = error_code(lambda: restricted.put_record(DeliveryStreamName=mine, Record={"Data": b"x"}))
    report["restricted_put_other"] = error_code(lambda: restricted.put_record(DeliveryStreamName=other, Record={"Data": b"x"}))
    report["restricted_delete_own"] = error_code(lambda: restricted.delete_delivery_stream(DeliveryStreamName=mine))
    for name in (mine, other):
        admin.delete_delivery_stream(DeliveryStreamName=name)

    ok = (report["restricted_create"][0] == "AccessDeniedException"
          and report["restricted_put_own"][0] is None
          and report["restricted_put_other"][0] == "AccessDeniedException"
          and report["restricted_delete_own"][0] == "AccessDeniedException")
    print(json.dumps({"ok": ok, "report": report}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
