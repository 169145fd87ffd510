#!/usr/bin/env python3
"""The Kinesis client scenario (scenario_common.py) run with the AWS CLI v2 (`/usr/bin/aws`, Debian awscli).

Every call is a real `aws kinesis <command>` process, with arguments as users write them: scalar
parameters as flags (`--stream-name=...`, blobs base64 as the CLI v2 takes them, large blobs as
`fileb://`), structured ones through `--cli-input-json file://`. Waits use `aws kinesis wait
stream-exists|stream-not-exists` once a describe-stream-summary poll saw the state (the CLI waiter
sleeps 10 s between attempts). With boto3 importable, boto3 then reads the stream the CLI wrote
(step cross_read_boto3).

Usage: scenario_cli.py --endpoint URL --stream NAME [--aws /usr/bin/aws] [--account ID] [--region R]
Prints one JSON line per step (see scenario_common.py); exit 1 when a step failed.
"""
import argparse
import base64
import datetime
import json
import os
import re
import subprocess
import tempfile
import time

from scenario_common import ApiError, Reporter, Scenario, main_guard

BLOB_KEYS = {"Data"}
TIMESTAMP_KEYS = {"ApproximateArrivalTimestamp", "StreamCreationTimestamp"}

# Blobs above this go in a file (fileb://): one argument may not exceed 128 KiB on Linux (MAX_ARG_STRLEN).
INLINE_BLOB_LIMIT = 32 * 1024

# --debug logs the request body; skip it for multi-MiB requests (their error message is the proof).
DEBUG_BODY_LIMIT = 256 * 1024

# The CLI's last line for a service error (--debug logs the same text earlier, inside a traceback).
ERROR_LINE = re.compile(r"^An error occurred \((?P<code>[^)]+)\) when calling the (?P<op>\w+) operation(?: \([^)]*\))?: (?P<message>.*)$", re.M)
STATUS_LINE = re.compile(r'"POST / HTTP/1\.1" (?P<status>\d{3}) ')
REQUEST_ID = re.compile(r"'x-amzn-RequestId': '(?P<id>[^']+)'", re.I)


def xform_name(name, separator="-"):
    """PascalCase to the CLI's kebab-case (as botocore.xform_name): StreamARN -> stream-arn."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", separator, name).lower()


def to_cli(value):
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_cli(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cli(v) for v in value]
    return value


def from_cli(value, key=None):
    if isinstance(value, dict):
        return {k: from_cli(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [from_cli(v, key) for v in value]
    if key in BLOB_KEYS and isinstance(value, str):
        return base64.b64decode(value)
    if key in TIMESTAMP_KEYS and isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    if key in TIMESTAMP_KEYS and isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    return value


class CliBackend:
    name = "cli"
    # The CLI follows NextToken / ExclusiveStartShardId itself and removes the paging members
    # (HasMoreShards, NextToken) from what it prints.
    auto_paginates = True

    def __init__(self, aws, endpoint, region, access_key, secret_key, workdir):
        self.aws = aws
        self.endpoint = endpoint
        self.region = region
        self.workdir = workdir
        self.files = 0
        self.invocations = 0
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update({
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": region,
            # No user configuration, no pager, no retries (an error must show as it is), no IMDS.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
            "AWS_EC2_METADATA_DISABLED": "true",
        })

    def file(self, suffix, content, binary=False):
        self.files += 1
        path = os.path.join(self.workdir, f"p{self.files}{suffix}")
        with open(path, "wb" if binary else "w") as handle:
            handle.write(content)
        return path

    def run(self, arguments, debug=False):
        command = [self.aws, "kinesis", *arguments, "--endpoint-url", self.endpoint, "--region", self.region, "--output", "json"]
        if debug:
            command.append("--debug")
        self.invocations += 1
        return subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=120)

    def call(self, op, params, expect_error=False):
        arguments = [xform_name(op, "-")]
        size = 0
        if all(isinstance(v, (str, int, bytes, datetime.datetime)) for v in params.values()):
            for key, value in params.items():
                flag = "--" + xform_name(key, "-")
                if isinstance(value, bytes):
                    size += len(value)
                    if len(value) > INLINE_BLOB_LIMIT:
                        arguments.append(f"{flag}=fileb://{self.file('.bin', value, binary=True)}")
                        continue
                arguments.append(f"{flag}={to_cli(value)}")
        else:
            document = json.dumps(to_cli(params))
            size = len(document)
            arguments += ["--cli-input-json", f"file://{self.file('.json', document)}"]
        completed = self.run(arguments, debug=expect_error and size <= DEBUG_BODY_LIMIT)
        if completed.returncode != 0:
            matches = list(ERROR_LINE.finditer(completed.stderr))
            match = matches[-1] if matches else None
            if not match:
                raise RuntimeError(f"aws {arguments[0]} failed with exit {completed.returncode}: {completed.stderr[-2000:]}")
            status = STATUS_LINE.findall(completed.stderr)
            request_id = REQUEST_ID.search(completed.stderr)
            raise ApiError(match["code"], match["message"].strip(), int(status[-1]) if status else None, request_id["id"] if request_id else None)
        return from_cli(json.loads(completed.stdout)) if completed.stdout.strip() else {}

    def create_stream(self, stream, shards):
        return self.call("CreateStream", {"StreamName": stream, "ShardCount": shards})

    def poll_summary(self, stream, done):
        polls = 0
        deadline = time.monotonic() + 60
        while True:
            polls += 1
            try:
                state = self.call("DescribeStreamSummary", {"StreamName": stream})["StreamDescriptionSummary"]["StreamStatus"]
            except ApiError as error:
                if error.code != "ResourceNotFoundException":
                    raise
                state = None
            if done(state) or time.monotonic() > deadline:
                return polls, state

    def waiter(self, name, stream):
        completed = self.run(["wait", name, "--stream-name", stream])
        if completed.returncode != 0:
            raise RuntimeError(f"aws kinesis wait {name} failed with exit {completed.returncode}: {completed.stderr[-2000:]}")

    def wait_exists(self, stream):
        polls, state = self.poll_summary(stream, lambda s: s == "ACTIVE")
        started = time.monotonic()
        self.waiter("stream-exists", stream)
        return {"summary_polls": polls, "state": state, "waiter_ms": round((time.monotonic() - started) * 1000)}

    def wait_not_exists(self, stream):
        polls, state = self.poll_summary(stream, lambda s: s is None)
        started = time.monotonic()
        self.waiter("stream-not-exists", stream)
        return {"summary_polls": polls, "state": state, "waiter_ms": round((time.monotonic() - started) * 1000)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--aws", default="/usr/bin/aws")
    parser.add_argument("--account", default="000000000000")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--access-key", default="AKIDINTEROPEXAMPLE")
    parser.add_argument("--secret-key", default="interop-secret")
    args = parser.parse_args()
    reporter = Reporter("cli")
    with tempfile.TemporaryDirectory(prefix="kkb-cli-") as workdir:
        backend = CliBackend(args.aws, args.endpoint, args.region, args.access_key, args.secret_key, workdir)
        try:
            from scenario_boto3 import Boto3Backend
            cross = Boto3Backend(args.endpoint, args.region, args.access_key, args.secret_key)
        except ImportError:
            cross = None
        Scenario(backend, args.stream, reporter, account=args.account, region=args.region, cross_reader=cross).run()
        reporter.run("cli_invocations", lambda: {"aws_processes": backend.invocations})
    return reporter.finish()


if __name__ == "__main__":
    main_guard(main)
