import { transformSource } from "/work/main/transformer/core/index.ts";
import { planModule } from "/work/main/transformer/core/planner.ts";
import { parseSync } from "oxc-parser";
import { readFileSync } from "node:fs";
const src = readFileSync("/work/main/bench/transform-overhead.ts", "utf8");
// extract generator by eval: re-implement quickly via import of module internals not exported; copy
const m = await import("./zz-h7-gen.mts");
const files = Array.from({ length: 500 }, (_, i) => m.moduleSource(i, true));
const deps = process.argv.includes("deps");
function bench(name: string, f: (s: string, i: number) => unknown) {
  for (let r = 0; r < 3; r++) for (let i = 0; i < 500; i++) f(files[i], i);
  const t = performance.now();
  const R = 10;
  for (let r = 0; r < R; r++) for (let i = 0; i < 500; i++) f(files[i], i);
  console.log(name, ((performance.now() - t) / (R * 500) * 1000).toFixed(1), "us/file");
}
bench("parseSync ts preserveParens", (s) => parseSync("a.ts", s, { lang: "ts", sourceType: "unambiguous", preserveParens: true }));
bench("parseSync ts", (s) => parseSync("a.ts", s, { lang: "ts", sourceType: "module" }));
bench("planModule deps=false", (s, i) => planModule(s, { filename: `/p/src/mod${i}.ts`, root: "/p", dependencies: false }));
bench("transformSource deps=false", (s, i) => transformSource(s, { filename: `/p/src/mod${i}.ts`, root: "/p", dependencies: false }));
bench("transformSource deps=false map", (s, i) => transformSource(s, { filename: `/p/src/mod${i}.ts`, root: "/p", dependencies: false, sourceMap: true }));
if (deps) bench("transformSource deps=on", (s, i) => transformSource(s, { filename: `/p/src/mod${i}.ts`, root: "/p" }));
