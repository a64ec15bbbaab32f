import { memoize as microMemoize } from "micro-memoize";
import { hashPlainKey } from "../runtime/hash/plain.ts";
import { hashPlainKey as trav } from "./zz-trav.ts";
import { compare, show } from "./zz-h3-harness.ts";
const shape = process.argv[2];
const make = () => (shape === "arr" ? [1, 2, 3] : shape === "obj" ? { a: 1, c: "x" } : shape === "empty" ? {} : { a: 1, b: [1, 2, 3], c: "x" });
const inputs = Array.from({ length: 1024 }, () => [make()]);
let i = 0;
const out = new Uint32Array(4);
const mm = microMemoize((x: unknown) => typeof x, { maxSize: 1, isKeyItemEqual: "deep" as const }) as (x: unknown) => unknown;
show(compare({
  mm: () => mm(inputs[i++ & 1023][0]),
  noop: () => inputs[i++ & 1023][0],
  trav: () => trav(inputs[i++ & 1023], out),
  plain: () => hashPlainKey(inputs[i++ & 1023], out),
}), "mm");
