#!/usr/bin/env python3
"""gRPC authentication against a gateway started with --auth Verify, on grpcio (the gRPC C core).

Per-call credentials travel in the `authorization` metadata as `Bearer <AccessKeyId>:<SecretAccessKey>`
(on this loopback cleartext channel as call metadata; over TLS a client would use
grpc.metadata_call_credentials, see the README). Checks: no credentials and a wrong secret are
UNAUTHENTICATED with the Kinesis error name in the kinesis-error-type trailer; the full-access key
lists streams; the restricted key (read and write on RESTRICTED_PREFIX* only) is PERMISSION_DENIED /
AccessDeniedException on another stream. Prints one JSON object; exits 1 at the first mismatch.

Usage: kinesis_grpc_auth.py HOST:PORT ADMIN_KEY ADMIN_SECRET RESTRICTED_KEY RESTRICTED_SECRET OTHER_STREAM [DESCRIPTOR_SET]
"""

import json
import sys

import grpc

from kinesis_grpc_client import KinesisStreams, Mismatch, TIMEOUT, check, load_descriptor_set


def bearer(key, secret):
    return (("authorization", "Bearer %s:%s" % (key, secret)),)


def refused(call, request, metadata, code, error_type):
    try:
        call(request, timeout=TIMEOUT, metadata=metadata)
    except grpc.RpcError as error:
        trailers = dict(error.trailing_metadata() or ())
        seen = {"code": error.code().name, "details": error.details(), "kinesis_error_type": trailers.get("kinesis-error-type")}
        check(seen["code"] == code, "expected %s, got %s: %s" % (code, seen["code"], seen["details"]))
        check(seen["kinesis_error_type"] == error_type, "kinesis-error-type %r, expected %s" % (seen["kinesis_error_type"], error_type))
        return seen
    raise Mismatch("expected %s (%s), the call succeeded" % (code, error_type))


def run(target, admin_key, admin_secret, restricted_key, restricted_secret, other_stream, descriptor_set):
    pool = load_descriptor_set(descriptor_set)
    with grpc.insecure_channel(target) as channel:
        streams = KinesisStreams(channel, pool)
        list_request = streams.message("ListStreamsRequest")
        results = {
            "no_credentials": refused(streams.ListStreams, list_request, None, "UNAUTHENTICATED", "MissingAuthenticationTokenException"),
            "wrong_secret": refused(streams.ListStreams, list_request, bearer(admin_key, admin_secret + "x"), "UNAUTHENTICATED", "UnrecognizedClientException"),
        }
        listed = streams.ListStreams(list_request, timeout=TIMEOUT, metadata=bearer(admin_key, admin_secret))
        results["admin_list_streams"] = {"count": len(listed.stream_names)}
        results["restricted_other_stream"] = refused(
            streams.DescribeStreamSummary, streams.message("DescribeStreamSummaryRequest", stream_name=other_stream),
            bearer(restricted_key, restricted_secret), "PERMISSION_DENIED", "AccessDeniedException")
    return results


def main():
    if len(sys.argv) not in (7, 8):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        results = run(*sys.argv[1:7], sys.argv[7] if len(sys.argv) == 8 else None)
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
