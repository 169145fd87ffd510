#!/usr/bin/env bash
# Generates the message classes from ../../protos into ./generated (protoc --python_out; gitignored)
# (or $GENERATED_DIR) and runs the example with the given arguments: ./run.sh [ENDPOINT] [STREAM].
#
# Needs protoc 3.15 or later (proto3 `optional`; Debian 12: protobuf-compiler 3.21) with the
# well-known types it imports (google/protobuf/timestamp.proto; Debian: libprotobuf-dev, the release
# zip's include/ folder, or $PROTOC_INCLUDE), grpcio and the protobuf runtime matching that protoc
# (Debian 12: python3-grpcio 1.51, python3-protobuf 4.21, which reads code from protoc 3.21). PYTHON picks the interpreter; by default /usr/bin/python3, where
# Debian's packages are, when it exists.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
protos="$here/../../protos"
out="${GENERATED_DIR:-$here/generated}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
    if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=python3; fi
fi

command -v protoc >/dev/null || { echo "protoc is not installed (Debian: apt-get install protobuf-compiler)" >&2; exit 2; }
version="$(protoc --version | awk '{print $2}')"
major="${version%%.*}"; rest="${version#*.}"; minor="${rest%%.*}"
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 15 ]; }; then
    echo "protoc $version is too old: proto3 optional fields need protoc 3.15 or later" >&2
    exit 2
fi

# The well-known types: next to protoc (release zip: bin/protoc and include/), or the system's.
include="${PROTOC_INCLUDE:-}"
if [ -z "$include" ]; then
    for candidate in "$(dirname "$(command -v protoc)")/../include" /usr/local/include /usr/include; do
        if [ -f "$candidate/google/protobuf/timestamp.proto" ]; then include="$candidate"; break; fi
    done
fi
if [ -z "$include" ] || [ ! -f "$include/google/protobuf/timestamp.proto" ]; then
    echo "google/protobuf/timestamp.proto not found: install libprotobuf-dev (Debian) or set PROTOC_INCLUDE" >&2
    exit 2
fi

mkdir -p "$out"
protoc -I "$protos" -I "$include" --python_out="$out" \
    kafkakinesisbridge/streams/v1/streams.proto google/rpc/status.proto google/rpc/error_details.proto

PYTHONPATH="$out${PYTHONPATH:+:$PYTHONPATH}" exec "$python" "$here/kinesis_example.py" "$@"
