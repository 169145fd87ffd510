#!/usr/bin/env python3
"""Calls one Kinesis operation with boto3 (botocore: AWS JSON 1.1 over HTTP/1.1) and prints JSON.

Usage: boto_call.py '<json>' where json = {"endpoint", "region", "access_key", "secret_key",
"op" (boto3 method name, e.g. "list_streams"), "params" (dict)}. In params and in the output,
bytes are {"$bytes": base64} and datetimes {"$ms": epoch milliseconds}.
Prints {"result": ..., "headers": ...} or {"error": {"code", "message", "status"}}.
"""
import base64
import datetime
import json
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError


def encode(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return {"$ms": int(round(value.timestamp() * 1000))}
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(value):
    if isinstance(value, dict):
        if "$bytes" in value:
            return base64.b64decode(value["$bytes"])
        if "$ms" in value:
            return datetime.datetime.fromtimestamp(value["$ms"] / 1000, tz=datetime.timezone.utc)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def main():
    args = json.loads(sys.argv[1])
    client = boto3.client(
        "kinesis",
        endpoint_url=args["endpoint"],
        region_name=args.get("region", "us-east-1"),
        aws_access_key_id=args.get("access_key", "AKIDEXAMPLE"),
        aws_secret_access_key=args.get("secret_key", "secret"),
        config=botocore.config.Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )
    try:
        result = getattr(client, args["op"])(**decode(args.get("params", {})))
        print(json.dumps({"result": encode(result), "headers": result["ResponseMetadata"]["HTTPHeaders"]}))
    except ClientError as error:
        print(json.dumps({
            "error": {
                "code": error.response["Error"].get("Code"),
                "message": error.response["Error"].get("Message", ""),
                "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            }
        }))


if __name__ == "__main__":
    main()
