// Starts s3rver (an S3-compatible server on local files) on 127.0.0.1, port 0, with the buckets named
// on the command line; prints {"port": N} once listening and stops when its standard input closes.
// Usage: node s3rver.cjs <directory> <bucket>...
'use strict';
const path = require('node:path');
const S3rver = require(path.join(__dirname, '..', 'node_modules', 's3rver'));

async function main() {
    const [directory, ...buckets] = process.argv.slice(2);
    const server = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory,
        configureBuckets: buckets.map((name) => ({ name })),
    });
    const { port } = await server.run();
    process.stdout.write(JSON.stringify({ port }) + '\n');
    process.stdin.resume();
    process.stdin.on('end', async () => {
        await server.close();
        process.exit(0);
    });
}

main().catch((error) => {
    process.stderr.write(String(error && error.stack || error) + '\n');
    process.exit(1);
});
