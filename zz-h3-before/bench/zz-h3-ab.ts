import { memoize as microMemoize } from "micro-memoize";
import { hashKeyComponents } from "../runtime/hash/index.ts";
import { compare, show } from "./zz-h3-harness.ts";
const inputs = Array.from({ length: 1024 }, () => [{ a: 1, b: [1, 2, 3], c: "x" }]);
const NAMES = ["value"];
let i = 0;
const mm = microMemoize((x: unknown) => typeof x, { maxSize: 1, isKeyItemEqual: "deep" as const }) as (x: unknown) => unknown;
const mods = await Promise.all(process.argv.slice(2).map((p) => import(p)));
const fns: Record<string, () => unknown> = {
  mm: () => mm(inputs[i++ & 1023][0]),
  json: () => JSON.stringify(inputs[i++ & 1023][0]),
  cur: () => hashKeyComponents(inputs[i++ & 1023], NAMES, "b#s"),
};
mods.forEach((m, j) => (fns[`p${j}`] = () => m.hk(inputs[i++ & 1023])));
show(compare(fns), "mm");
