// Calls one Kinesis operation with the AWS SDK for JavaScript v3 (default handler: HTTP/2 with
// prior knowledge on an http:// endpoint) and prints JSON.
// Usage: node js_call.cjs '<json>' with {"endpoint", "region", "accessKeyId", "secretAccessKey",
// "op" (e.g. "ListStreams"), "params"}. Bytes are {"$bytes": base64}, dates {"$ms": epoch ms}.
// Prints {"result": ...} or {"error": {"name", "message", "status"}}.
const kinesis = require("@aws-sdk/client-kinesis");

function encode(value) {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (value instanceof Date) return { $ms: value.getTime() };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (k !== "$metadata") out[k] = encode(v);
    return out;
  }
  return value;
}

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if ("$bytes" in value) return new Uint8Array(Buffer.from(value.$bytes, "base64"));
    if ("$ms" in value) return new Date(value.$ms);
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v);
    return out;
  }
  return value;
}

async function main() {
  const args = JSON.parse(process.argv[2]);
  const client = new kinesis.KinesisClient({
    endpoint: args.endpoint,
    region: args.region ?? "us-east-1",
    credentials: { accessKeyId: args.accessKeyId ?? "AKIDEXAMPLE", secretAccessKey: args.secretAccessKey ?? "secret" },
    maxAttempts: 1,
  });
  try {
    const command = new kinesis[`${args.op}Command`](decode(args.params ?? {}));
    const result = await client.send(command);
    console.log(JSON.stringify({ result: encode(result) }));
  } catch (error) {
    console.log(JSON.stringify({ error: { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode } }));
  } finally {
    client.destroy();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
