# KafkaKinesisBridge: build, run and test entry points. Targets install what they need
# (Debian packages, npm clients, NuGet packages) on a fresh machine.

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

# Debian packages: the independent clients the interoperability tests drive (AWS CLI, boto3, grpcio),
# and protoc with the well-known .proto files (libprotobuf-dev) for the Python example in examples/.
# The native librdkafka comes prebuilt with the librdkafka.redist NuGet package. Node.js 20 and npm
# come with the machine (NodeSource); Debian's own nodejs/npm packages conflict with them and are not
# installed.
APT_TEST := python3 awscli python3-boto3 python3-grpcio python3-protobuf protobuf-compiler libprotobuf-dev

NPM_STAMP := tests/interop/node_modules/.package-lock.json
# The Node.js gRPC example has its own package.json (a user copies the folder); make test runs it.
NPM_EXAMPLE_STAMP := examples/node/node_modules/.package-lock.json
GATEWAY := src/KafkaKinesisBridge.Gateway
BENCH := src/KafkaKinesisBridge.Bench

.PHONY: help run test bench build deps apt-test npm format format-check clean

help:
	@echo "make run    - start the gateway (embedded log in ./data, port 4567); pass options with ARGS=\"...\""
	@echo "make test   - install dependencies, build, run the whole test suite"
	@echo "make bench  - run the benchmark against a gateway it starts; options with BENCH_ARGS=\"...\""
	@echo "make deps   - only install dependencies (apt, npm, NuGet)"

# The embedded log goes to ./data of the checkout (dotnet run would resolve "data" against the
# project directory); ARGS come after, so --data-dir in ARGS wins.
run:
	$(DOTNET) run --project $(GATEWAY) -c $(CONFIGURATION) -- --data-dir "$(CURDIR)/data" $(ARGS)

# Every independent client is installed by deps, so a missing one fails the suite instead of
# skipping it (KKB_REQUIRE_PREREQUISITES, tests/KafkaKinesisBridge.TestSupport/Prerequisite.cs).
# The style check runs first, so the suite's summary line stays the last line of the output.
test: deps build format-check
	KKB_REQUIRE_PREREQUISITES=1 tests/run-tests.sh -c $(CONFIGURATION)

bench:
	$(DOTNET) build $(BENCH) -c $(CONFIGURATION)
	$(DOTNET) build $(GATEWAY) -c $(CONFIGURATION)
	$(DOTNET) run --no-build --project $(BENCH) -c $(CONFIGURATION) -- $(BENCH_ARGS)

build:
	$(DOTNET) build KafkaKinesisBridge.sln -c $(CONFIGURATION)

deps: apt-test npm
	$(DOTNET) restore KafkaKinesisBridge.sln

# Installs the Debian packages that are missing (nothing to do when all are present).
apt-test:
	@tests/ensure-apt.sh $(APT_TEST)

npm: $(NPM_STAMP) $(NPM_EXAMPLE_STAMP)

$(NPM_STAMP): tests/interop/package.json tests/interop/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 20+ and npm are required for the interoperability tests" >&2; exit 1; }
	cd tests/interop && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

$(NPM_EXAMPLE_STAMP): examples/node/package.json examples/node/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 18+ and npm are required for the Node.js example" >&2; exit 1; }
	cd examples/node && npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_EXAMPLE_STAMP)

format:
	$(DOTNET) format KafkaKinesisBridge.sln

format-check:
	$(DOTNET) format KafkaKinesisBridge.sln --verify-no-changes

clean:
	rm -rf artifacts TestResults
