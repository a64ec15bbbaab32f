import { transformSource } from "../transformer/core/index.ts";
import { moduleSource } from "./zz-h7-gen.mts";
const files = Array.from({ length: 500 }, (_, i) => moduleSource(i, true));
const deps = process.argv.includes("deps");
const t = performance.now();
for (let r = 0; r < 20; r++) for (let i = 0; i < 500; i++) transformSource(files[i], { filename: `/p/src/mod${i}.ts`, root: "/p", dependencies: deps ? undefined : false });
console.log(((performance.now() - t) / 10000 * 1000).toFixed(1), "us/file");
