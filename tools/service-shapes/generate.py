#!/usr/bin/env python3
"""Generates the request-shape tables the AWS JSON front doors validate against.

Reads the AWS SDK service models (botocore's service-2.json for kinesis 2013-12-02 and
firehose 2015-08-04: the same Smithy models the AWS SDKs, @aws-sdk/client-kinesis and
@aws-sdk/client-firehose included, are generated from) and writes, per service, one small JSON
document holding only what validation needs: each operation's input shape, and for every shape
reachable from an input its type, required members, min/max (length or value), pattern and enum.

Member order matters: the service reports constraint violations in the order its framework
visits members, which is not the model's order. Where that order has been recorded against the
service (the validation tables of kinesalite, whose tests ran against Kinesis), RECORDED_ORDER
puts those members first; other members follow in model order.

Usage: python3 tools/service-shapes/generate.py [output-dir]
(default: src/KafkaKinesisBridge.Api.Aws/Validation/Models). Needs botocore (python3-boto3).
"""
import json
import os
import sys

import botocore
import botocore.loaders

# Kinesis' validation order as recorded against the service (kinesalite validations/*.js).
RECORDED_ORDER = {
    "kinesis": {
        "AddTagsToStreamInput": ["Tags", "StreamName"],
        "CreateStreamInput": ["ShardCount", "StreamName"],
        "DecreaseStreamRetentionPeriodInput": ["RetentionPeriodHours", "StreamName"],
        "IncreaseStreamRetentionPeriodInput": ["RetentionPeriodHours", "StreamName"],
        "DescribeStreamInput": ["Limit", "ExclusiveStartShardId", "StreamName"],
        "GetRecordsInput": ["Limit", "ShardIterator"],
        "GetShardIteratorInput": ["ShardId", "ShardIteratorType", "StartingSequenceNumber", "StreamName"],
        "ListShardsInput": ["ExclusiveStartShardId", "MaxResults", "NextToken", "StreamCreationTimestamp", "StreamName"],
        "ListStreamsInput": ["Limit", "ExclusiveStartStreamName"],
        "ListTagsForStreamInput": ["Limit", "ExclusiveStartTagKey", "StreamName"],
        "MergeShardsInput": ["ShardToMerge", "AdjacentShardToMerge", "StreamName"],
        "PutRecordInput": ["SequenceNumberForOrdering", "PartitionKey", "ExplicitHashKey", "Data", "StreamName"],
        "PutRecordsInput": ["Records", "StreamName"],
        "PutRecordsRequestEntry": ["PartitionKey", "Data", "ExplicitHashKey"],
        "RemoveTagsFromStreamInput": ["TagKeys", "StreamName"],
        "SplitShardInput": ["NewStartingHashKey", "StreamName", "ShardToSplit"],
        "UpdateShardCountInput": ["ScalingType", "StreamName", "TargetShardCount"],
    },
    "firehose": {},
}

# Enum value sets in the order the service quotes them (Kinesis' Java enum order, as recorded in
# its ValidationException texts), where that differs from the model's order.
RECORDED_ENUM_ORDER = {
    "kinesis": {
        "ShardIteratorType": ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"],
    },
    "firehose": {},
}

SERVICES = [("kinesis", "2013-12-02"), ("firehose", "2015-08-04")]
KEPT = ("min", "max", "pattern", "enum")


def reachable(shapes, roots):
    seen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for member in shape.get("members", {}).values():
            stack.append(member["shape"])
        for part in ("member", "key", "value"):
            if part in shape:
                stack.append(shape[part]["shape"])
    return seen


def compact(service, name, shape):
    out = {"type": shape["type"]}
    for key in KEPT:
        if key in shape:
            out[key] = shape[key]
    if name in RECORDED_ENUM_ORDER[service]:
        assert sorted(RECORDED_ENUM_ORDER[service][name]) == sorted(shape["enum"]), name
        out["enum"] = RECORDED_ENUM_ORDER[service][name]
    if shape["type"] == "structure":
        members = list(shape.get("members", {}).items())
        order = RECORDED_ORDER[service].get(name, [])
        members.sort(key=lambda m: order.index(m[0]) if m[0] in order else len(order))
        out["members"] = [[m, spec["shape"]] for m, spec in members]
        if shape.get("required"):
            out["required"] = shape["required"]
    for part in ("member", "key", "value"):
        if part in shape:
            out[part] = shape[part]["shape"]
    return out


def render(document):
    """One operation or shape per line, so a model update reads as a small diff."""
    dense = lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    lines = ["{", f'"source":{dense(document["source"])},', f'"targetPrefix":{dense(document["targetPrefix"])},', '"operations":{']
    lines.append(",\n".join(f"{dense(k)}:{dense(v)}" for k, v in document["operations"].items()))
    lines.append("},")
    lines.append('"shapes":{')
    lines.append(",\n".join(f"{dense(k)}:{dense(v)}" for k, v in document["shapes"].items()))
    lines.append("}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "KafkaKinesisBridge.Api.Aws", "Validation", "Models")
    os.makedirs(out_dir, exist_ok=True)
    loader = botocore.loaders.Loader()
    for service, version in SERVICES:
        model = loader.load_service_model(service, "service-2", api_version=version)
        shapes = model["shapes"]
        operations = {op: spec["input"]["shape"] for op, spec in sorted(model["operations"].items()) if "input" in spec}
        names = sorted(reachable(shapes, operations.values()))
        document = {
            "source": f"botocore {botocore.__version__} {service} {version} (tools/service-shapes/generate.py)",
            "targetPrefix": model["metadata"]["targetPrefix"],
            "operations": operations,
            "shapes": {name: compact(service, name, shapes[name]) for name in names},
        }
        path = os.path.join(out_dir, f"{service}.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(document))
        print(f"{path}: {len(operations)} operations, {len(names)} shapes, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
