"""Firehose scenario with boto3: a DirectPut delivery stream delivering ZIP objects to s3rver.

Creates the stream, puts a batch, reads the objects back with boto3's S3 client, opens them with
python's zipfile (independent of the gateway's ZIP writer), and checks the bytes equal what was put.
Prints one JSON line: {"ok": true, ...}; raises (exit code 1) on any mismatch.
Usage: scenario_boto3.py --endpoint URL --s3-endpoint URL --stream NAME --bucket NAME
"""
import argparse
import io
import json
import os
import time
import zipfile

import boto3
from botocore.config import Config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--s3-endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--bucket", required=True)
    args = parser.parse_args()

    # Debian's botocore carries an older Firehose model where IntervalInSeconds has a minimum of 60;
    # the current one (and Firehose) accept 0 to 900. Client-side validation is off so 1 s can be sent.
    firehose = boto3.client(
        "firehose",
        endpoint_url=args.endpoint,
        region_name="us-east-1",
        config=Config(parameter_validation=False),
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=args.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="S3RVER",
        aws_secret_access_key="S3RVER",
        config=Config(s3={"addressing_style": "path"}),
    )

    arn = firehose.create_delivery_stream(
        DeliveryStreamName=args.stream,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::000000000000:role/firehose",
            "BucketARN": "arn:aws:s3:::" + args.bucket,
            "Prefix": "boto3/!{timestamp:yyyy}/",
            "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
            "CompressionFormat": "ZIP",
        },
        Tags=[{"Key": "client", "Value": "boto3"}],
    )["DeliveryStreamARN"]
    assert arn.endswith(":deliverystream/" + args.stream), arn

    description = firehose.describe_delivery_stream(DeliveryStreamName=args.stream)["DeliveryStreamDescription"]
    assert description["DeliveryStreamStatus"] == "ACTIVE", description
    assert description["VersionId"] == "1", description
    extended = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert extended["CompressionFormat"] == "ZIP", extended

    records = [os.urandom(7) + bytes([i]) * (i % 50) for i in range(200)]
    response = firehose.put_record_batch(DeliveryStreamName=args.stream, Records=[{"Data": r} for r in records])
    assert response["FailedPutCount"] == 0, response
    ids = [entry["RecordId"] for entry in response["RequestResponses"]]
    assert len(set(ids)) == len(records), ids
    expected = b"".join(records)

    # Objects appear once the 1 s buffer interval has passed; read them all back.
    deadline = time.monotonic() + 60
    content = b""
    keys = []
    while time.monotonic() < deadline:
        listed = s3.list_objects_v2(Bucket=args.bucket, Prefix="boto3/")
        keys = sorted(o["Key"] for o in listed.get("Contents", []))
        content = b""
        for key in keys:
            body = s3.get_object(Bucket=args.bucket, Key=key)["Body"].read()
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for name in archive.namelist():
                    content += archive.read(name)
        if len(content) >= len(expected):
            break
        time.sleep(0.2)
    assert content == expected, "delivered %d bytes in %d objects, expected %d" % (len(content), len(keys), len(expected))
    assert all(k.endswith(".zip") for k in keys), keys

    names = firehose.list_delivery_streams(Limit=100)["DeliveryStreamNames"]
    assert args.stream in names, names
    tags = firehose.list_tags_for_delivery_stream(DeliveryStreamName=args.stream)["Tags"]
    assert tags == [{"Key": "client", "Value": "boto3"}], tags

    firehose.delete_delivery_stream(DeliveryStreamName=args.stream)
    try:
        firehose.describe_delivery_stream(DeliveryStreamName=args.stream)
        raise AssertionError("the deleted delivery stream is still described")
    except firehose.exceptions.ResourceNotFoundException:
        pass

    print(json.dumps({"ok": True, "objects": keys, "bytes": len(content), "records": len(records)}))


if __name__ == "__main__":
    main()
