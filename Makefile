# KafkaKinesisBridge: build, run and test entry points. Targets install what they need
# (Debian packages, the native librdkafka, npm clients, NuGet packages) on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CONFIGURATION ?= Release
DOTNET ?= dotnet
ARGS ?=
BENCH_ARGS ?=
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

# Debian packages: the toolchain and libraries librdkafka builds with, and the independent clients
# the interoperability tests drive (AWS CLI, boto3, grpcio). Node.js 20 and npm come with the
# machine (NodeSource); Debian's own nodejs/npm packages conflict with them and are not installed.
APT_BUILD := build-essential pkg-config python3 libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev libcurl4-openssl-dev
APT_TEST := awscli python3-boto3 python3-grpcio python3-protobuf

NATIVE_PKG := src/native/librdkafka/feed/librdkafka.redist.2.15.1.nupkg
NPM_STAMP := tests/interop/node_modules/.package-lock.json
GATEWAY := src/KafkaKinesisBridge.Gateway
BENCH := src/KafkaKinesisBridge.Bench

.PHONY: help run test bench build deps apt-build apt-test native npm format format-check clean

help:
	@echo "make run    - start the gateway (embedded log in ./data, port 4567); pass options with ARGS=\"...\""
	@echo "make test   - install dependencies, build, run the whole test suite"
	@echo "make bench  - run the benchmark against a gateway it starts; options with BENCH_ARGS=\"...\""
	@echo "make deps   - only install dependencies (apt, native librdkafka, npm, NuGet)"

# The embedded log goes to ./data of the checkout (dotnet run would resolve "data" against the
# project directory); ARGS come after, so --data-dir in ARGS wins.
run: apt-build native
	$(DOTNET) run --project $(GATEWAY) -c $(CONFIGURATION) -- --data-dir "$(CURDIR)/data" $(ARGS)

# Every independent client is installed by deps, so a missing one fails the suite instead of
# skipping it (KKB_REQUIRE_PREREQUISITES, tests/KafkaKinesisBridge.TestSupport/Prerequisite.cs).
# The style check runs first, so the suite's summary line stays the last line of the output.
test: deps build format-check
	KKB_REQUIRE_PREREQUISITES=1 tests/run-tests.sh -c $(CONFIGURATION)

bench: apt-build native
	$(DOTNET) build $(BENCH) -c $(CONFIGURATION)
	$(DOTNET) build $(GATEWAY) -c $(CONFIGURATION)
	$(DOTNET) run --no-build --project $(BENCH) -c $(CONFIGURATION) -- $(BENCH_ARGS)

build: apt-build native
	$(DOTNET) build KafkaKinesisBridge.sln -c $(CONFIGURATION)

deps: apt-build apt-test native npm
	$(DOTNET) restore KafkaKinesisBridge.sln

# Installs the Debian packages that are missing (nothing to do when all are present).
apt-build:
	@tests/ensure-apt.sh $(APT_BUILD)

apt-test:
	@tests/ensure-apt.sh $(APT_TEST)

# librdkafka 2.15.1, built from source and packed as the librdkafka.redist NuGet package that
# Confluent.Kafka depends on (see src/native/librdkafka/README.md). Cached: built once.
native: $(NATIVE_PKG)

$(NATIVE_PKG):
	src/native/librdkafka/build.sh

npm: $(NPM_STAMP)

$(NPM_STAMP): tests/interop/package.json tests/interop/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 20+ and npm are required for the interoperability tests" >&2; exit 1; }
	cd tests/interop && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

format:
	$(DOTNET) format KafkaKinesisBridge.sln

format-check:
	$(DOTNET) format KafkaKinesisBridge.sln --verify-no-changes

clean:
	rm -rf artifacts TestResults
