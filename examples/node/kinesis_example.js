#!/usr/bin/env node
// A first KinesisStreams gRPC client on @grpc/grpc-js, with @grpc/proto-loader reading the proto at
// run time (no code generation): create a stream with one shard, wait until it is ACTIVE, write with
// PutRecord and PutRecords, read everything back from TRIM_HORIZON with GetShardIterator +
// GetRecords, and delete the stream. Errors are reported by their Kinesis name.
//
// Usage: node kinesis_example.js [ENDPOINT] [STREAM]   (after `npm ci` in this folder)
//   ENDPOINT: http://host:port (h2c, prior knowledge) or https://host:port; default
//             $KKB_GRPC_ENDPOINT, else http://127.0.0.1:4567 (what `make run` starts).
//   STREAM:   the stream to create and delete; default example-<random>.
//   PROTOS:   $KKB_PROTOS, else ../../protos (the repository's protos/ folder).

'use strict';

const crypto = require('crypto');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTOS = process.env.KKB_PROTOS || path.join(__dirname, '..', '..', 'protos');
const CALL_TIMEOUT_MS = 10000;

// gRPC retries (the retryPolicy of the gRPC service config, gRFC A6) for throttling
// (ProvisionedThroughputExceededException, LimitExceededException: RESOURCE_EXHAUSTED) and an
// unavailable server (UNAVAILABLE), with exponential backoff and jitter. Beware: a PutRecord that is
// retried, or that timed out, may have been stored already. PutRecord is not idempotent, so a retry
// can store a record twice, exactly as with Kinesis: consumers must tolerate duplicates.
const SERVICE_CONFIG = {
    methodConfig: [{
        name: [{ service: 'kafkakinesisbridge.streams.v1.KinesisStreams' }],
        retryPolicy: {
            maxAttempts: 5,
            initialBackoff: '0.2s',
            maxBackoff: '5s',
            backoffMultiplier: 2,
            retryableStatusCodes: ['RESOURCE_EXHAUSTED', 'UNAVAILABLE'],
        },
    }],
};

const CHANNEL_OPTIONS = {
    // GetRecords answers up to 10 MiB (the Kinesis limit). The default receive limit is 4 MiB: such a
    // read would fail with RESOURCE_EXHAUSTED "Received message larger than max", and only once
    // production-sized records arrive.
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    // HTTP/2 PINGs find a dead connection (a gateway restarted behind a load balancer) before the
    // next call waits for its deadline on it.
    'grpc.keepalive_time_ms': 30000,
    'grpc.keepalive_timeout_ms': 10000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.enable_retries': 1,
    // A retried call is replayed from a buffer; a full PutRecords request is up to 5 MiB.
    'grpc.per_rpc_retry_buffer_size': 6 * 1024 * 1024,
    'grpc.service_config': JSON.stringify(SERVICE_CONFIG),
};

function load() {
    const definition = protoLoader.loadSync('kafkakinesisbridge/streams/v1/streams.proto', {
        includeDirs: [PROTOS],
        keepCase: true, // field names as in the proto: stream_name, shard_iterator, ...
        longs: String,
        enums: String, // enum values by name: 'STREAM_STATUS_ACTIVE'
        bytes: Buffer,
        defaults: true,
        oneofs: true,
    });
    const { KinesisStreams } = grpc.loadPackageDefinition(definition).kafkakinesisbridge.streams.v1;

    // google.rpc.Status and ErrorInfo, to decode grpc-status-details-bin.
    const rpc = new protobuf.Root();
    rpc.resolvePath = (origin, target) => (target.startsWith('google/protobuf/') ? target : path.join(PROTOS, target));
    rpc.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
    return { KinesisStreams, Status: rpc.lookupType('google.rpc.Status'), ErrorInfo: rpc.lookupType('google.rpc.ErrorInfo') };
}

const api = load();

/** The channel settings every client of the gateway needs. grpc-js takes host:port, not a URL. */
function createClient(endpoint) {
    const url = new URL(endpoint);
    const credentials = url.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    return new api.KinesisStreams(url.host, credentials, CHANNEL_OPTIONS);
}

/**
 * The Kinesis error name of a failed call (ResourceNotFoundException, ...): from the trailer
 * kinesis-error-type, else from the google.rpc.ErrorInfo in grpc-status-details-bin. Errors the
 * client raises itself (deadline exceeded, connection refused, message too large) carry neither:
 * then the gRPC status code is all there is.
 */
function kinesisErrorName(error) {
    const [name] = error.metadata ? error.metadata.get('kinesis-error-type') : [];
    if (name) {
        return name;
    }
    const [details] = error.metadata ? error.metadata.get('grpc-status-details-bin') : [];
    if (details) {
        for (const any of api.Status.decode(details).details) {
            if ((any.type_url || any.typeUrl).endsWith('/google.rpc.ErrorInfo')) {
                return api.ErrorInfo.decode(any.value).reason;
            }
        }
    }
    return grpc.status[error.code];
}

/** One unary call with a deadline, as a promise. Retries (service config) happen within the deadline. */
function call(client, method, request) {
    return new Promise((resolve, reject) => {
        client[method](request, { deadline: Date.now() + CALL_TIMEOUT_MS }, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * PutRecords succeeds as a call even when some of its records failed (throttled, for example):
 * failed_record_count says how many, and those entries carry error_code. Send them again.
 */
async function putRecords(kinesis, stream, entries) {
    for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await call(kinesis, 'PutRecords', { stream_name: stream, records: entries });
        const failed = [];
        response.records.forEach((result, i) => {
            if (result.error_code) {
                failed.push(entries[i]);
            } else {
                console.log(`put ${entries[i].partition_key} -> ${result.shard_id} ${result.sequence_number}`);
            }
        });
        if (response.failed_record_count === 0) {
            return;
        }
        entries = failed;
        await sleep(100 * 2 ** attempt);
    }
    throw new Error(`${entries.length} records still failed after 5 attempts`);
}

async function waitUntilActive(kinesis, stream) {
    for (let attempt = 0; attempt < 60; attempt++) {
        const summary = await call(kinesis, 'DescribeStreamSummary', { stream_name: stream });
        if (summary.stream_description_summary.stream_status === 'STREAM_STATUS_ACTIVE') {
            return;
        }
        await sleep(500);
    }
    throw new Error(`stream ${stream} did not become ACTIVE`);
}

/** A deleted stream goes DELETING, then describing it fails with ResourceNotFoundException. */
async function waitUntilDeleted(kinesis, stream) {
    for (let attempt = 0; attempt < 60; attempt++) {
        try {
            await call(kinesis, 'DescribeStreamSummary', { stream_name: stream });
        } catch (error) {
            if (kinesisErrorName(error) === 'ResourceNotFoundException') {
                return;
            }
            throw error;
        }
        await sleep(500);
    }
    throw new Error(`stream ${stream} was not deleted`);
}

async function putAndRead(kinesis, stream) {
    const put = await call(kinesis, 'PutRecord', { stream_name: stream, partition_key: 'key-1', data: Buffer.from('record 1') });
    console.log(`put key-1 -> ${put.shard_id} ${put.sequence_number}`);
    await putRecords(kinesis, stream, [
        { partition_key: 'key-2', data: Buffer.from('record 2') },
        { partition_key: 'key-3', data: Buffer.from('record 3') },
    ]);

    // The stream has one shard; ListShards names it.
    const { shards } = await call(kinesis, 'ListShards', { stream_name: stream });
    let { shard_iterator: iterator } = await call(kinesis, 'GetShardIterator', {
        stream_name: stream,
        shard_id: shards[0].shard_id,
        shard_iterator_type: 'SHARD_ITERATOR_TYPE_TRIM_HORIZON',
    });

    // GetRecords may answer fewer records than are there (or none): follow next_shard_iterator.
    // Kinesis allows 5 GetRecords per second per shard, hence the pause between empty reads.
    let read = 0;
    for (let attempt = 0; read < 3 && attempt < 50; attempt++) {
        const response = await call(kinesis, 'GetRecords', { shard_iterator: iterator, limit: 1000 });
        for (const record of response.records) {
            console.log(`read ${record.sequence_number} ${record.partition_key} ${record.data.toString('utf8')}`);
            read++;
        }
        // next_shard_iterator is proto3 `optional`: absent once a closed shard was read to its end.
        if (response.next_shard_iterator === undefined || response.next_shard_iterator === null) {
            break;
        }
        iterator = response.next_shard_iterator;
        if (response.records.length === 0) {
            await sleep(200);
        }
    }
    console.log(`read ${read} records`);
}

async function run(kinesis, stream) {
    try {
        await call(kinesis, 'CreateStream', { stream_name: stream, shard_count: 1 });
        console.log(`created stream ${stream}`);
    } catch (error) {
        if (kinesisErrorName(error) !== 'ResourceInUseException') {
            throw error;
        }
        console.log(`stream ${stream} exists already`);
    }
    try {
        await waitUntilActive(kinesis, stream);
        console.log(`stream ${stream} is ACTIVE`);
        await putAndRead(kinesis, stream);
    } finally {
        await call(kinesis, 'DeleteStream', { stream_name: stream });
        await waitUntilDeleted(kinesis, stream);
        console.log(`deleted stream ${stream}`);
    }
}

async function main() {
    const endpoint = process.argv[2] || process.env.KKB_GRPC_ENDPOINT || 'http://127.0.0.1:4567';
    const stream = process.argv[3] || `example-${crypto.randomBytes(6).toString('hex')}`;
    const kinesis = createClient(endpoint);
    try {
        await run(kinesis, stream);
    } catch (error) {
        if (error.code === undefined) {
            throw error;
        }
        console.error(`failed: ${kinesisErrorName(error)} (${grpc.status[error.code]}): ${error.details}`);
        process.exitCode = 1;
    } finally {
        kinesis.close();
    }
}

main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
