#!/usr/bin/env node
// Interoperability client for the gRPC transport, on @grpc/grpc-js (a pure JavaScript HTTP/2
// gRPC implementation) with @grpc/proto-loader reading the test service's echo.proto.
// Runs every scenario and prints one JSON object with the outcome of each; the C# test asserts
// on it. google.rpc.Status details are decoded with protobufjs from protos/google/rpc.
//
// Usage: node echo_client.js HOST:PORT ECHO_PROTO_PATH PROTOS_ROOT

'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
// protobufjs is @grpc/proto-loader's own dependency: resolve it from there rather than rely on hoisting.
const protobuf = require(require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] }));

const [target, echoProto, protosRoot] = process.argv.slice(2);

const definition = protoLoader.loadSync(echoProto, { keepCase: true, longs: Number, defaults: true });
const { EchoService } = grpc.loadPackageDefinition(definition).kkb.test.echo.v1;

// google.rpc.Status and ErrorInfo, for grpc-status-details-bin.
const rpcRoot = new protobuf.Root();
rpcRoot.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? target : path.join(protosRoot, target);
rpcRoot.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto']);
const Status = rpcRoot.lookupType('google.rpc.Status');
const ErrorInfo = rpcRoot.lookupType('google.rpc.ErrorInfo');

function client(options) {
    return new EchoService(target, grpc.credentials.createInsecure(), options || {});
}

function unary(c, request, metadata, options) {
    return new Promise((resolve) => {
        const call = c.Echo(request, metadata || new grpc.Metadata(), options || { deadline: Date.now() + 10000 },
            (error, reply) => resolve({ error, reply, headers }));
        let headers = null;
        call.on('metadata', (m) => { headers = m.getMap(); });
    });
}

function describeError(error) {
    const trailers = {};
    for (const [key, values] of Object.entries(error.metadata.toJSON())) {
        trailers[key] = values.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : v))[0];
    }
    const result = { code: error.code, details: error.details, trailers };
    const raw = error.metadata.get('grpc-status-details-bin')[0];
    if (raw) {
        const status = Status.decode(raw);
        result.status = {
            code: status.code,
            message: status.message,
            details: status.details.map((any) => {
                const detail = { type_url: any.type_url || any.typeUrl };
                if (detail.type_url.endsWith('google.rpc.ErrorInfo')) {
                    const info = ErrorInfo.decode(any.value);
                    detail.reason = info.reason;
                    detail.domain = info.domain;
                }
                return detail;
            }),
        };
    }
    return result;
}

function replySummary(reply) {
    return {
        message: reply.message,
        payload_length: reply.payload.length,
        headers: reply.headers,
        index: reply.index,
        request_encoding: reply.request_encoding,
    };
}

async function main() {
    const results = {};
    const plain = client();

    const metadata = new grpc.Metadata();
    metadata.set('x-user', 'node');
    metadata.set('x-trace-bin', Buffer.from([0, 1, 254, 255]));
    const ok = await unary(plain, { message: 'hello from grpc-js', echo_headers: ['x-user', 'x-trace-bin'] }, metadata);
    if (ok.error) throw ok.error;
    results.unary = replySummary(ok.reply);
    results.unary.initial_metadata = Object.fromEntries(Object.entries(ok.headers || {})
        .map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('base64') : v]));

    const failed = await unary(plain, {
        failure: {
            code: 5,
            message: 'Stream ördérs not found ✓',
            error_reason: 'ResourceNotFoundException',
            trailers: { 'kinesis-error-type': 'ResourceNotFoundException' },
        },
    });
    results.error = failed.error ? describeError(failed.error) : { code: 0 };

    // grpc.default_compression_algorithm 2 = gzip: requests are sent compressed.
    const gzipClient = client({ 'grpc.default_compression_algorithm': 2 });
    const compressed = await unary(gzipClient, { message: 'compressed', payload: Buffer.alloc(20000, 7) });
    if (compressed.error) throw compressed.error;
    results.gzip = replySummary(compressed.reply);
    gzipClient.close();

    const late = await unary(plain, { delay_ms: -1, probe: 'node-deadline' }, null, { deadline: Date.now() + 300 });
    results.deadline = late.error ? { code: late.error.code, details: late.error.details } : { code: 0 };

    results.streaming = await new Promise((resolve, reject) => {
        const indexes = [];
        const call = plain.Stream({ count: 50, payload_size: 100 }, { deadline: Date.now() + 10000 });
        call.on('data', (reply) => indexes.push(reply.index));
        call.on('error', reject);
        call.on('end', () => resolve(indexes));
    });

    const missing = new grpc.Client(target, grpc.credentials.createInsecure());
    results.unimplemented = await new Promise((resolve) => {
        missing.makeUnaryRequest('/kkb.test.echo.v1.EchoService/Missing', (x) => x, (x) => x, Buffer.alloc(0),
            (error) => resolve(error ? { code: error.code, details: error.details } : { code: 0 }));
    });
    missing.close();
    plain.close();

    process.stdout.write(JSON.stringify(results) + '\n');
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack || error) + '\n');
    process.exit(1);
});
