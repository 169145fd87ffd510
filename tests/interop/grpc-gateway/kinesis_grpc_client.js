#!/usr/bin/env node
// Interoperability client for the gateway's KinesisStreams gRPC service, on @grpc/grpc-js (a pure
// JavaScript HTTP/2 gRPC implementation) with @grpc/proto-loader reading protos/ directly.
//
// Scenario: create a stream, put records (PutRecord and PutRecords, binary data, unicode keys), read
// them back with GetShardIterator + GetRecords, and receive two Kinesis errors (status code, message,
// kinesis-error-type trailer, google.rpc.Status with ErrorInfo decoded from grpc-status-details-bin
// with protobufjs). Prints one JSON object with what it saw; exits 1 with a message on stderr at the
// first mismatch.
//
// Usage: node kinesis_grpc_client.js HOST:PORT STREAM_NAME PROTOS_ROOT

'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
// protobufjs is @grpc/proto-loader's own dependency: resolve it from there rather than rely on hoisting.
const protobuf = require(require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] }));

const ACCOUNT = '000000000000';
const TIMEOUT_MS = 30000;

class Mismatch extends Error {}

function check(condition, message) {
    if (!condition) {
        throw new Mismatch(message);
    }
}

function load(protosRoot) {
    const definition = protoLoader.loadSync('kafkakinesisbridge/streams/v1/streams.proto', {
        includeDirs: [protosRoot],
        keepCase: true,
        longs: String,
        enums: String,
        bytes: Buffer,
        defaults: true,
        oneofs: true,
    });
    const { KinesisStreams } = grpc.loadPackageDefinition(definition).kafkakinesisbridge.streams.v1;

    // google.rpc.Status and ErrorInfo, for grpc-status-details-bin.
    const rpcRoot = new protobuf.Root();
    rpcRoot.resolvePath = (origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(protosRoot, target));
    rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
    return {
        KinesisStreams,
        methods: Object.keys(KinesisStreams.service),
        Status: rpcRoot.lookupType('google.rpc.Status'),
        ErrorInfo: rpcRoot.lookupType('google.rpc.ErrorInfo'),
    };
}

function call(client, method, request) {
    return new Promise((resolve, reject) => {
        client[method](request, new grpc.Metadata(), { deadline: Date.now() + TIMEOUT_MS }, (error, reply) => (error ? reject(error) : resolve(reply)));
    });
}

function describeError(api, error) {
    const result = {
        code: error.code,
        code_name: grpc.status[error.code],
        details: error.details,
        kinesis_error_type: error.metadata.get('kinesis-error-type')[0],
    };
    const raw = error.metadata.get('grpc-status-details-bin')[0];
    if (raw) {
        const status = api.Status.decode(raw);
        result.status_code = status.code;
        result.status_message = status.message;
        for (const any of status.details) {
            const typeUrl = any.type_url || any.typeUrl;
            if (typeUrl.endsWith('/google.rpc.ErrorInfo')) {
                const info = api.ErrorInfo.decode(any.value);
                result.reason = info.reason;
                result.domain = info.domain;
            }
        }
    }
    return result;
}

async function expectError(api, client, method, request, code, errorType) {
    let error = null;
    try {
        await call(client, method, request);
    } catch (e) {
        error = e;
    }
    check(error !== null, `expected ${grpc.status[code]} (${errorType}), the call succeeded`);
    const seen = describeError(api, error);
    check(seen.code === code, `expected ${grpc.status[code]}, got ${seen.code_name}: ${seen.details}`);
    check(seen.kinesis_error_type === errorType, `kinesis-error-type ${seen.kinesis_error_type}, expected ${errorType}`);
    check(seen.status_code === code, `grpc-status-details-bin code ${seen.status_code} differs from the status ${code}`);
    check(seen.status_message === seen.details, 'grpc-status-details-bin message differs from grpc-message');
    check(seen.reason === errorType, `ErrorInfo.reason ${seen.reason}, expected ${errorType}`);
    check(seen.domain === 'kinesis.amazonaws.com', `ErrorInfo.domain ${seen.domain}`);
    return seen;
}

async function run(target, streamName, protosRoot) {
    const api = load(protosRoot);
    const client = new api.KinesisStreams(target, grpc.credentials.createInsecure());
    const results = { client: `grpc-js ${require('@grpc/grpc-js/package.json').version}`, stream: streamName, methods: api.methods };
    try {
        await call(client, 'CreateStream', { stream_name: streamName, shard_count: 2 });
        const description = (await call(client, 'DescribeStream', { stream_name: streamName })).stream_description;
        check(description.stream_status === 'STREAM_STATUS_ACTIVE', `stream status ${description.stream_status}`);
        check(description.shards.length === 2, `${description.shards.length} shards`);
        results.describe = { status: description.stream_status, shards: description.shards.map((s) => s.shard_id) };

        const puts = [];
        const single = [['鍵-🔑-js', Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))], ['js-single', Buffer.from([0, 0xff, 0, 0x80])]];
        for (const [key, data] of single) {
            const reply = await call(client, 'PutRecord', { stream_name: streamName, partition_key: key, data });
            puts.push({ partition_key: key, data: data.toString('base64'), shard_id: reply.shard_id, sequence_number: reply.sequence_number });
        }
        const entries = Array.from({ length: 5 }, (_, i) => [`js-batch-${i}`, Buffer.concat([Buffer.from(`batch record ${i}`), Buffer.from([i, 0, 255])])]);
        const reply = await call(client, 'PutRecords', { stream_name: streamName, records: entries.map(([key, data]) => ({ partition_key: key, data })) });
        check(reply.failed_record_count === 0, `PutRecords failed ${reply.failed_record_count} records`);
        check(reply.records.length === entries.length, `PutRecords answered ${reply.records.length} results for ${entries.length} records`);
        entries.forEach(([key, data], i) => {
            const result = reply.records[i];
            check(result.sequence_number && result.shard_id && !result.error_code, `PutRecords result ${JSON.stringify(result)}`);
            puts.push({ partition_key: key, data: data.toString('base64'), shard_id: result.shard_id, sequence_number: result.sequence_number });
        });
        results.puts = puts;

        const reads = [];
        for (const shard of description.shards) {
            const expected = puts.filter((p) => p.shard_id === shard.shard_id).length;
            let iterator = (await call(client, 'GetShardIterator', {
                stream_name: streamName,
                shard_id: shard.shard_id,
                shard_iterator_type: 'SHARD_ITERATOR_TYPE_TRIM_HORIZON',
            })).shard_iterator;
            let got = 0;
            for (let i = 0; i < 100 && got < expected; i++) {
                const response = await call(client, 'GetRecords', { shard_iterator: iterator, limit: 3 });
                for (const record of response.records) {
                    reads.push({
                        shard_id: shard.shard_id,
                        partition_key: record.partition_key,
                        data: record.data.toString('base64'),
                        sequence_number: record.sequence_number,
                        arrival_seconds: record.approximate_arrival_timestamp ? record.approximate_arrival_timestamp.seconds : null,
                    });
                    got++;
                }
                check(response._next_shard_iterator === 'next_shard_iterator', "an open shard's GetRecords has no NextShardIterator");
                iterator = response.next_shard_iterator;
            }
            check(got === expected, `read ${got} records from ${shard.shard_id}, expected ${expected}`);
        }
        results.reads = reads;
        const bySequence = new Map(reads.map((r) => [r.sequence_number, r]));
        for (const put of puts) {
            const read = bySequence.get(put.sequence_number);
            check(read !== undefined, `record ${put.sequence_number} not read back`);
            check(read.partition_key === put.partition_key && read.data === put.data && read.shard_id === put.shard_id,
                `record ${put.sequence_number} read back as ${JSON.stringify(read)}, put as ${JSON.stringify(put)}`);
        }

        const missing = `${streamName}-missing`;
        results.not_found = await expectError(api, client, 'DescribeStream', { stream_name: missing }, grpc.status.NOT_FOUND, 'ResourceNotFoundException');
        const expectedMessage = `Stream ${missing} under account ${ACCOUNT} not found.`;
        check(results.not_found.details === expectedMessage, `message ${JSON.stringify(results.not_found.details)}, expected ${JSON.stringify(expectedMessage)}`);

        const tooMany = { stream_name: streamName, records: Array.from({ length: 501 }, () => ({ partition_key: 'k', data: Buffer.from('x') })) };
        results.validation = await expectError(api, client, 'PutRecords', tooMany, grpc.status.INVALID_ARGUMENT, 'ValidationException');
        check(results.validation.details.includes('less than or equal to 500'), `message ${JSON.stringify(results.validation.details)}`);
    } finally {
        client.close();
    }
    return results;
}

async function main() {
    const args = process.argv.slice(2);
    if (args.length !== 3) {
        process.stderr.write('Usage: node kinesis_grpc_client.js HOST:PORT STREAM_NAME PROTOS_ROOT\n');
        return 2;
    }
    try {
        const results = await run(...args);
        process.stdout.write(JSON.stringify(results) + '\n');
        return 0;
    } catch (error) {
        if (error instanceof Mismatch) {
            process.stderr.write(`MISMATCH: ${error.message}\n`);
        } else {
            process.stderr.write(`UNEXPECTED ERROR: ${error.code !== undefined ? `${grpc.status[error.code]} ${error.details}` : error.stack}\n`);
        }
        return 1;
    }
}

main().then((code) => { process.exitCode = code; });
