#!/usr/bin/env node
// Independent check of the gateway's standard gRPC services with @grpc/grpc-js: the health service
// (grpc.health.v1.Health, Check and Watch; grpc/grpc doc/health-checking.md) and server reflection
// (grpc.reflection.v1 and v1alpha; grpc/grpc doc/server-reflection.md), as grpcurl-style tools use
// them. The messages are declared here from those documents, not taken from the gateway.
//
// Prints one JSON object with what it saw. Usage: node health_reflection_client.js HOST:PORT SERVICE

'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protobufPath = require.resolve('protobufjs', { paths: [path.dirname(require.resolve('@grpc/proto-loader'))] });
const protobuf = require(protobufPath);
const descriptor = require(path.join(path.dirname(protobufPath), 'ext', 'descriptor'));

const HEALTH = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}`;

const REFLECTION = `
syntax = "proto3";
package reflection;
message ServerReflectionRequest {
  string host = 1;
  oneof message_request { string file_by_filename = 3; string file_containing_symbol = 4; string list_services = 7; }
}
message ServerReflectionResponse {
  string valid_host = 1;
  ServerReflectionRequest original_request = 2;
  oneof message_response {
    FileDescriptorResponse file_descriptor_response = 4;
    ListServiceResponse list_services_response = 6;
    ErrorResponse error_response = 7;
  }
}
message FileDescriptorResponse { repeated bytes file_descriptor_proto = 1; }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
message ErrorResponse { int32 error_code = 1; string error_message = 2; }`;

const health = protobuf.parse(HEALTH, { keepCase: true }).root;
const reflection = protobuf.parse(REFLECTION, { keepCase: true }).root;

function codec(type) {
    return {
        serialize: (value) => Buffer.from(type.encode(type.fromObject(value)).finish()),
        deserialize: (bytes) => type.toObject(type.decode(bytes), { enums: String, defaults: true, oneofs: true }),
    };
}

function client(target, definitions) {
    const Client = grpc.makeGenericClientConstructor(definitions);
    return new Client(target, grpc.credentials.createInsecure());
}

function healthClient(target) {
    const request = codec(health.lookupType('grpc.health.v1.HealthCheckRequest'));
    const response = codec(health.lookupType('grpc.health.v1.HealthCheckResponse'));
    const method = (name, streaming) => ({
        path: `/grpc.health.v1.Health/${name}`,
        requestStream: false,
        responseStream: streaming,
        requestSerialize: request.serialize,
        requestDeserialize: request.deserialize,
        responseSerialize: response.serialize,
        responseDeserialize: response.deserialize,
    });
    return client(target, { Check: method('Check', false), Watch: method('Watch', true) });
}

function check(healthService, service) {
    return new Promise((resolve) => {
        healthService.Check({ service }, { deadline: Date.now() + 30000 }, (error, reply) =>
            resolve(error ? { code: error.code, details: error.details } : { status: reply.status }));
    });
}

function watchFirst(healthService, service) {
    return new Promise((resolve, reject) => {
        const call = healthService.Watch({ service });
        call.on('data', (reply) => { resolve(reply.status); call.cancel(); });
        call.on('error', (error) => { if (error.code !== grpc.status.CANCELLED) { reject(error); } });
    });
}

function reflect(target, version, requests) {
    const request = codec(reflection.lookupType('reflection.ServerReflectionRequest'));
    const response = codec(reflection.lookupType('reflection.ServerReflectionResponse'));
    const service = `grpc.reflection.${version}.ServerReflection`;
    const reflectionClient = client(target, {
        ServerReflectionInfo: {
            path: `/${service}/ServerReflectionInfo`,
            requestStream: true,
            responseStream: true,
            requestSerialize: request.serialize,
            requestDeserialize: request.deserialize,
            responseSerialize: response.serialize,
            responseDeserialize: response.deserialize,
        },
    });
    return new Promise((resolve, reject) => {
        const replies = [];
        const call = reflectionClient.ServerReflectionInfo({ deadline: Date.now() + 30000 });
        call.on('data', (reply) => replies.push(reply));
        call.on('error', reject);
        call.on('end', () => resolve(replies));
        for (const r of requests) {
            call.write(r);
        }
        call.end();
    });
}

async function reflectionReport(target, version, serviceName) {
    const [list, file] = await reflect(target, version, [{ list_services: "" }, { file_containing_symbol: serviceName }]);
    if (!file.file_descriptor_response) {
        throw new Error(`${version}: no file descriptor for ${serviceName}: ${JSON.stringify(file)}`);
    }
    const FileDescriptorProto = descriptor.FileDescriptorProto;
    const files = file.file_descriptor_response.file_descriptor_proto.map((bytes) => FileDescriptorProto.decode(bytes));
    const methods = files.flatMap((f) => (f.service || []).filter((s) => `${f.package}.${s.name}` === serviceName).flatMap((s) => s.method.map((m) => m.name)));
    return {
        services: list.list_services_response.service.map((s) => s.name),
        files: files.map((f) => f.name),
        methods,
    };
}

async function main() {
    const [target, serviceName] = process.argv.slice(2);
    const healthService = healthClient(target);
    const report = {
        health: {
            overall: await check(healthService, ''),
            service: await check(healthService, serviceName),
            unknown: await check(healthService, 'no.such.Service'),
            watch: await watchFirst(healthService, serviceName),
        },
        reflection: {
            v1: await reflectionReport(target, 'v1', serviceName),
            v1alpha: await reflectionReport(target, 'v1alpha', serviceName),
        },
    };
    process.stdout.write(JSON.stringify(report));
    healthService.close();
}

main().catch((error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
});
