import { planModule } from "../planner.ts";
import { CodeHasher } from "../hash.ts";
import { summaryFingerprint } from "./module-bindings.ts";
import type { DependencyResolver } from "./resolver.ts";

/** Set by the build (tsup `define`) to the package version; absent when running from source. */
declare const __AUTOMEMO_VERSION__: string | undefined;

/** A two-file project planned in memory: its digests cover the closure rules and the digest-graph hashing. */
const SAMPLE_ROOT = "/automemo-fingerprint-sample";
const SAMPLE_FILES: Readonly<Record<string, string>> = {
  [`${SAMPLE_ROOT}/a.ts`]: `import { helper, Shape } from "./b.js";
import * as ns from "./b.js";
import pad from "pad";
const LIMIT = 3;
class Box { open() { return LIMIT; } }
/** @memo */
export function f(x: number) { return helper(x) + new Box().open() + ns.other + pad(String(x)) + new Shape().area(); }
`,
  [`${SAMPLE_ROOT}/b.ts`]: `export * from "./c.js";
export const other = 2;
export function helper(x: number): number { return x <= 0 ? 0 : helper(x - 1) + other; }
export class Shape { area() { return helper(1); } }
`,
  [`${SAMPLE_ROOT}/c.ts`]: `module.exports = { c: require("./b.js") };\n`,
};

const sampleResolver: DependencyResolver = {
  resolve(specifier) {
    if (specifier === "pad") return { kind: "package", name: "pad", version: "1.0.0" };
    const path = `${SAMPLE_ROOT}/${specifier.slice(2).replace(/\.js$/, ".ts")}`;
    return path in SAMPLE_FILES ? { kind: "file", path } : null;
  },
  readFile: (path) => SAMPLE_FILES[path],
};

let fingerprint: string | null = null;

/**
 * What a saved store must have been written with to be trusted: the package version,
 * `SUMMARY_FORMAT` and a sample module's summary (`summaryFingerprint`), and the
 * digests of a sample planning, so a change to the closure rules or the digest hashing
 * in source (where there is no version to go by) also sets old records aside.
 */
export function storeFingerprint(): string {
  if (fingerprint === null) {
    const version = typeof __AUTOMEMO_VERSION__ === "string" ? __AUTOMEMO_VERSION__ : "source";
    const file = `${SAMPLE_ROOT}/a.ts`;
    const plan = planModule(SAMPLE_FILES[file]!, { filename: file, root: SAMPLE_ROOT, dependencies: sampleResolver, dependencyCache: false });
    const digests = new CodeHasher().add(plan.functions.map((fn) => fn.meta.hash).join(",")).digest();
    fingerprint = `${version}:${summaryFingerprint()}:${digests}`;
  }
  return fingerprint;
}
