// scratch (H3), removed before report
import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents, digestHex } from "../runtime/hash/index.ts";
import { measureNsPerOp } from "./table.ts";
import { jsonLikeObject } from "./hashing.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const NAMES = ["value"];
let i = 0;
const mm = microMemoize((x: unknown) => typeof x, { maxSize: 1, isKeyItemEqual: "deep" as const }) as (x: unknown) => unknown;
const opts = { minMs: 100, rounds: 7 };
const res: Record<string, number> = {};
for (let rep = 0; rep < 2; rep++) {
res.hash = measureNsPerOp(() => hashKeyComponents(inputs[i++ & 1023], NAMES, "b#s"), opts);
res.json = measureNsPerOp(() => JSON.stringify(inputs[i++ & 1023][0]), opts);
res.mm = measureNsPerOp(() => mm(inputs[i++ & 1023][0]), opts);
}
console.log(`hash ${res.hash.toFixed(0)} json ${res.json.toFixed(0)} mmDeep ${res.mm.toFixed(0)}  hash/mm=${(res.hash / res.mm).toFixed(2)} hash/json=${(res.hash / res.json).toFixed(2)}`);
if (process.argv.includes("--bulk")) {
  const floats = new Float64Array(1 << 20).map((_, i) => Math.sin(i));
  const f = measureNsPerOp(() => hashKeyComponents([floats], NAMES, "f"), { minMs: 200, rounds: 5 });
  const json = jsonLikeObject();
  const j = measureNsPerOp(() => hashKeyComponents([json.value], NAMES, "j"), { minMs: 200, rounds: 5 });
  const js = measureNsPerOp(() => JSON.stringify(json.value), { minMs: 200, rounds: 5 });
  console.log(`floats ${(8 / (f / 1e9)).toFixed(0)} MB/s; json ${((json.bytes / 2 ** 20) / (j / 1e9)).toFixed(0)} MB/s = ${(js / j).toFixed(2)}x stringify`);
}
