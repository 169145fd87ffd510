#!/usr/bin/env python3
"""Decodes AWS event stream messages (hex on argv[1]) with botocore's decoder and prints JSON."""
import base64
import json
import sys

from botocore.eventstream import EventStreamBuffer


def value(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(v).decode("ascii")}
    return v


def main():
    buffer = EventStreamBuffer()
    buffer.add_data(bytes.fromhex(sys.argv[1]))
    messages = []
    for message in buffer:
        messages.append({
            "headers": {k: value(v) for k, v in message.headers.items()},
            "payload": base64.b64encode(message.payload).decode("ascii"),
        })
    print(json.dumps(messages))


if __name__ == "__main__":
    main()
