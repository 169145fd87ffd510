#!/usr/bin/env python3
"""Interoperability client for the gRPC transport, on grpcio (the gRPC C core).

Calls the test service of tests/KafkaKinesisBridge.Grpc.Tests/Protos/echo.proto through grpcio's
generic API (no generated code): messages are encoded and decoded by the small protobuf codec
below. Runs every scenario and prints one JSON object with the outcome of each; the C# test
asserts on it.

Usage: echo_client.py HOST:PORT
"""

import base64
import json
import sys

import grpc

SERVICE = "/kkb.test.echo.v1.EchoService/"


# --- A minimal protobuf wire codec (varint, length-delimited) -------------------------------

def _varint(value):
    value &= (1 << 64) - 1  # negative int32 values are sent as 10-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number, wire_type):
    return _varint((number << 3) | wire_type)


def enc_int(number, value):
    return _field(number, 0) + _varint(value) if value else b""


def enc_bytes(number, value):
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _field(number, 2) + _varint(len(value)) + value if value else b""


def enc_message(number, encoded):
    return _field(number, 2) + _varint(len(encoded)) + encoded


def decode(data):
    """Returns {field number: [values]} with varints as ints and length-delimited fields as bytes."""
    fields = {}
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _read_varint(data, pos)
        elif wire_type == 2:
            length, pos = _read_varint(data, pos)
            value = data[pos:pos + length]
            pos += length
        else:
            raise ValueError("unsupported wire type %d" % wire_type)
        fields.setdefault(number, []).append(value)
    return fields


def _read_varint(data, pos):
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def first(fields, number, default=b""):
    return fields.get(number, [default])[0]


# --- echo.proto messages -------------------------------------------------------------------

def failure(code, message, error_reason="", trailers=None):
    body = enc_int(1, code) + enc_bytes(2, message) + enc_bytes(3, error_reason)
    for key, value in (trailers or {}).items():
        body += enc_message(4, enc_bytes(1, key) + enc_bytes(2, value))
    return body


def echo_request(message="", payload=b"", fail=None, delay_ms=0, probe="", echo_headers=()):
    body = enc_bytes(1, message) + enc_bytes(2, payload)
    if fail is not None:
        body += enc_message(3, fail)
    body += enc_int(4, delay_ms) + enc_bytes(5, probe)
    for header in echo_headers:
        body += enc_bytes(6, header)
    return body


def stream_request(count, payload_size=0):
    return enc_int(1, count) + enc_int(2, payload_size)


def echo_reply(data):
    fields = decode(data)
    headers = {}
    for entry in fields.get(3, []):
        entry_fields = decode(entry)
        headers[first(entry_fields, 1).decode()] = first(entry_fields, 2).decode()
    return {
        "message": first(fields, 1).decode("utf-8"),
        "payload_length": len(first(fields, 2)),
        "headers": headers,
        "index": first(fields, 4, 0),
        "request_encoding": first(fields, 5).decode(),
    }


def status_details(raw):
    """Decodes google.rpc.Status and the google.rpc.ErrorInfo details inside it."""
    fields = decode(raw)
    details = []
    for any_bytes in fields.get(3, []):
        any_fields = decode(any_bytes)
        type_url = first(any_fields, 1).decode()
        detail = {"type_url": type_url}
        if type_url.endswith("google.rpc.ErrorInfo"):
            info = decode(first(any_fields, 2))
            detail["reason"] = first(info, 1).decode()
            detail["domain"] = first(info, 2).decode()
        details.append(detail)
    return {"code": first(fields, 1, 0), "message": first(fields, 2).decode("utf-8"), "details": details}


def error_result(error):
    trailers = {}
    for key, value in error.trailing_metadata() or ():
        trailers[key] = base64.b64encode(value).decode() if key.endswith("-bin") else value
    result = {"code": error.code().value[0], "details": error.details(), "trailers": trailers}
    raw = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    if raw is not None:
        result["status"] = status_details(raw)
    return result


# --- Scenarios -----------------------------------------------------------------------------

def run(target):
    results = {}
    identity = lambda data: data  # noqa: E731 - messages are already bytes
    with grpc.insecure_channel(target) as channel:
        echo = channel.unary_unary(SERVICE + "Echo", request_serializer=identity, response_deserializer=identity)
        stream = channel.unary_stream(SERVICE + "Stream", request_serializer=identity, response_deserializer=identity)

        reply, call = echo.with_call(
            echo_request("hello from grpcio", echo_headers=("x-user", "x-trace-bin")),
            metadata=(("x-user", "py"), ("x-trace-bin", b"\x00\x01\xfe\xff")),
            timeout=10)
        results["unary"] = echo_reply(reply)
        results["unary"]["initial_metadata"] = {
            k: (base64.b64encode(v).decode() if k.endswith("-bin") else v) for k, v in call.initial_metadata()}

        try:
            echo(echo_request(fail=failure(5, "Stream ördérs not found ✓", "ResourceNotFoundException",
                                           {"kinesis-error-type": "ResourceNotFoundException"})), timeout=10)
            results["error"] = {"code": 0}
        except grpc.RpcError as error:
            results["error"] = error_result(error)

        results["gzip"] = echo_reply(echo(
            echo_request("compressed", payload=b"\x07" * 20000), timeout=10, compression=grpc.Compression.Gzip))

        try:
            echo(echo_request(delay_ms=-1, probe="python-deadline"), timeout=0.3)
            results["deadline"] = {"code": 0}
        except grpc.RpcError as error:
            results["deadline"] = {"code": error.code().value[0], "details": error.details()}

        results["streaming"] = [echo_reply(m)["index"] for m in stream(stream_request(50, 100), timeout=10)]

        try:
            channel.unary_unary(SERVICE + "Missing", request_serializer=identity, response_deserializer=identity)(b"", timeout=10)
            results["unimplemented"] = {"code": 0}
        except grpc.RpcError as error:
            results["unimplemented"] = {"code": error.code().value[0], "details": error.details()}

    return results


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1])))
