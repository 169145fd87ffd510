// Firehose scenario with the AWS SDK for JavaScript v3: a KinesisStreamAsSource delivery stream.
// Creates a Kinesis stream, a delivery stream reading it (UNCOMPRESSED, AppendDelimiterToRecord),
// puts records to the Kinesis stream, reads the objects back from s3rver with @aws-sdk/client-s3 and
// checks every record arrived, one per line. PutRecord to the delivery stream must be refused.
// Prints one JSON line {"ok": true, ...}; exits 1 on any mismatch.
// Usage: node scenario_js.cjs <endpoint> <s3 endpoint> <name> <bucket>
'use strict';
const path = require('node:path');
const modules = path.join(__dirname, '..', 'node_modules');
const firehoseSdk = require(path.join(modules, '@aws-sdk', 'client-firehose'));
const kinesisSdk = require(path.join(modules, '@aws-sdk', 'client-kinesis'));
const s3Sdk = require(path.join(modules, '@aws-sdk', 'client-s3'));

const [endpoint, s3Endpoint, name, bucket] = process.argv.slice(2);
const credentials = { accessKeyId: 'AKIDINTEROPEXAMPLE', secretAccessKey: 'interop-secret' };
const region = 'us-east-1';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

async function main() {
    const firehose = new firehoseSdk.FirehoseClient({ endpoint, region, credentials });
    const kinesis = new kinesisSdk.KinesisClient({ endpoint, region, credentials });
    const s3 = new s3Sdk.S3Client({ endpoint: s3Endpoint, region, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });

    await kinesis.send(new kinesisSdk.CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    for (let i = 0; i < 100; i++) {
        const summary = await kinesis.send(new kinesisSdk.DescribeStreamSummaryCommand({ StreamName: name }));
        if (summary.StreamDescriptionSummary.StreamStatus === 'ACTIVE') {
            break;
        }
        await sleep(100);
    }

    const streamArn = `arn:aws:kinesis:${region}:000000000000:stream/${name}`;
    await firehose.send(new firehoseSdk.CreateDeliveryStreamCommand({
        DeliveryStreamName: name,
        DeliveryStreamType: 'KinesisStreamAsSource',
        KinesisStreamSourceConfiguration: { KinesisStreamARN: streamArn, RoleARN: 'arn:aws:iam::000000000000:role/firehose' },
        ExtendedS3DestinationConfiguration: {
            RoleARN: 'arn:aws:iam::000000000000:role/firehose',
            BucketARN: `arn:aws:s3:::${bucket}`,
            Prefix: 'js/',
            BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 },
            CompressionFormat: 'UNCOMPRESSED',
            ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord', Parameters: [] }] },
        },
    }));
    const described = await firehose.send(new firehoseSdk.DescribeDeliveryStreamCommand({ DeliveryStreamName: name }));
    const description = described.DeliveryStreamDescription;
    check(description.DeliveryStreamType === 'KinesisStreamAsSource', JSON.stringify(description));
    check(description.Source.KinesisStreamSourceDescription.KinesisStreamARN === streamArn, JSON.stringify(description.Source));

    let refused = null;
    try {
        await firehose.send(new firehoseSdk.PutRecordCommand({ DeliveryStreamName: name, Record: { Data: Buffer.from('no') } }));
    } catch (error) {
        refused = error;
    }
    check(refused && refused.name === 'InvalidArgumentException', `PutRecord to a KinesisStreamAsSource stream: ${refused && refused.name}`);

    const expected = [];
    for (let i = 0; i < 60; i++) {
        expected.push(`record-${i}-${'x'.repeat(i)}`);
    }
    const put = await kinesis.send(new kinesisSdk.PutRecordsCommand({
        StreamName: name,
        Records: expected.map((line, i) => ({ Data: Buffer.from(line), PartitionKey: `key-${i}` })),
    }));
    check(put.FailedRecordCount === 0, JSON.stringify(put));

    let lines = [];
    let keys = [];
    for (let attempt = 0; attempt < 300; attempt++) {
        const listed = await s3.send(new s3Sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: 'js/' }));
        keys = (listed.Contents || []).map((o) => o.Key).sort();
        lines = [];
        for (const key of keys) {
            const object = await s3.send(new s3Sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
            const text = Buffer.from(await object.Body.transformToByteArray()).toString('utf8');
            check(text.endsWith('\n'), `object ${key} does not end with the delimiter`);
            lines.push(...text.slice(0, -1).split('\n'));
        }
        if (lines.length >= expected.length) {
            break;
        }
        await sleep(200);
    }
    check(JSON.stringify([...lines].sort()) === JSON.stringify([...expected].sort()),
        `delivered ${lines.length} records in ${keys.length} objects, expected ${expected.length}`);

    await firehose.send(new firehoseSdk.DeleteDeliveryStreamCommand({ DeliveryStreamName: name }));
    const list = await firehose.send(new firehoseSdk.ListDeliveryStreamsCommand({}));
    check(!list.DeliveryStreamNames.includes(name), JSON.stringify(list));
    process.stdout.write(JSON.stringify({ ok: true, objects: keys, records: lines.length }) + '\n');
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack || error) + '\n');
    process.exit(1);
});
