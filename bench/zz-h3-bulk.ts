import { hashKeyComponents as after } from "../runtime/hash/index.ts";
import { hashKeyComponents as before } from "../zz-h3-before/runtime/hash/index.ts";
import { jsonLikeObject } from "./hashing.ts";
import { compare } from "./zz-h3-harness.ts";
const floats = new Float64Array(1 << 20).map((_, i) => Math.sin(i));
const json = jsonLikeObject();
const N = ["v"];
const r = compare({
  floatBefore: () => before([floats], N, "f"), floatAfter: () => after([floats], N, "f"),
  jsonBefore: () => before([json.value], N, "j"), jsonAfter: () => after([json.value], N, "j"),
  stringify: () => JSON.stringify(json.value),
}, 300, 5);
const mb = (ns: number, bytes: number) => (bytes / 2 ** 20 / (ns / 1e9)).toFixed(0);
console.log(`Float64Array 8MB: before ${mb(r.floatBefore, 8 << 20)} MB/s, after ${mb(r.floatAfter, 8 << 20)} MB/s`);
console.log(`JSON-like ${(json.bytes / 2 ** 20).toFixed(2)}MB: before ${mb(r.jsonBefore, json.bytes)} MB/s (${(r.stringify / r.jsonBefore).toFixed(2)}x stringify), after ${mb(r.jsonAfter, json.bytes)} MB/s (${(r.stringify / r.jsonAfter).toFixed(2)}x stringify)`);
