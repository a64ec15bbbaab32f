import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents, hashKeyComponentsByWalk } from "../runtime/hash/index.ts";
import { hashPlainKey } from "../runtime/hash/plain.ts";
import { compare, show } from "./zz-h3-harness.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const NAMES = ["value"];
let i = 0;
const out = new Uint32Array(4);
console.log("fast taken:", hashPlainKey(inputs[0], out));
const mm = microMemoize((x: unknown) => typeof x, { maxSize: 1, isKeyItemEqual: "deep" as const }) as (x: unknown) => unknown;
show(compare({
  mm: () => mm(inputs[i++ & 1023][0]),
  json: () => JSON.stringify(inputs[i++ & 1023][0]),
  cur: () => hashKeyComponents(inputs[i++ & 1023], NAMES, "b#s"),
  plain: () => hashPlainKey(inputs[i++ & 1023], out),
  walk: () => hashKeyComponentsByWalk(inputs[i++ & 1023], NAMES, "b#s"),
}), "mm");
