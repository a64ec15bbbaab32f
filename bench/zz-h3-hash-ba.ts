import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents as after } from "../runtime/hash/index.ts";
import { hashKeyComponents as before } from "../zz-h3-before/runtime/hash/index.ts";
import { compare, show } from "./zz-h3-harness.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const NAMES = ["value"];
let i = 0;
const mm = microMemoize((x: unknown) => typeof x, { maxSize: 1, isKeyItemEqual: "deep" as const }) as (x: unknown) => unknown;
show(compare({
  mm: () => mm(inputs[i++ & 1023][0]),
  json: () => JSON.stringify(inputs[i++ & 1023][0]),
  before: () => before(inputs[i++ & 1023], NAMES, "b#s"),
  after: () => after(inputs[i++ & 1023], NAMES, "b#s"),
}), "mm");
