// Independent CBOR and event stream codecs (@smithy/core, used by the AWS SDK for JavaScript v3),
// for cross-checking the gateway's own.
// Usage:
//   node js_codec.cjs cbor-decode <hex>      -> JSON ({"$bytes"}, {"$tag", "value"} for tags)
//   node js_codec.cjs cbor-encode '<json>'   -> hex (same conventions)
//   node js_codec.cjs eventstream-decode <hex> -> JSON list of {headers: {name: {type, value}}, payload: base64}
const { cbor, tag } = require("@smithy/core/cbor");
const { EventStreamCodec } = require("@smithy/core/event-streams");

function toJson(value) {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === "object") {
    if (value.tag !== undefined && "value" in value) return { $tag: value.tag, value: toJson(value.value) };
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  if (typeof value === "bigint") return { $bigint: value.toString() };
  return value;
}

function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === "object") {
    if ("$bytes" in value) return new Uint8Array(Buffer.from(value.$bytes, "base64"));
    if ("$tag" in value) return tag({ tag: value.$tag, value: fromJson(value.value) });
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromJson(v);
    return out;
  }
  return value;
}

const [mode, input] = process.argv.slice(2);
if (mode === "cbor-decode") {
  console.log(JSON.stringify(toJson(cbor.deserialize(new Uint8Array(Buffer.from(input, "hex"))))));
} else if (mode === "cbor-encode") {
  console.log(Buffer.from(cbor.serialize(fromJson(JSON.parse(input)))).toString("hex"));
} else if (mode === "eventstream-decode") {
  const codec = new EventStreamCodec((bytes) => Buffer.from(bytes).toString("utf8"), (text) => new Uint8Array(Buffer.from(text, "utf8")));
  const data = new Uint8Array(Buffer.from(input, "hex"));
  const messages = [];
  let offset = 0;
  while (offset < data.length) {
    const length = Buffer.from(data.subarray(offset, offset + 4)).readUInt32BE(0);
    const message = codec.decode(data.subarray(offset, offset + length));
    const headers = {};
    for (const [name, header] of Object.entries(message.headers)) {
      let v = header.value;
      if (v instanceof Uint8Array) v = { $bytes: Buffer.from(v).toString("base64") };
      else if (v instanceof Date) v = v.getTime();
      else if (v && typeof v === "object" && typeof v.valueOf === "function" && header.type === "long") v = v.valueOf();
      headers[name] = { type: header.type, value: v };
    }
    messages.push({ headers, payload: Buffer.from(message.body).toString("base64") });
    offset += length;
  }
  console.log(JSON.stringify(messages));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
