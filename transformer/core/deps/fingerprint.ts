import { createRequire } from "node:module";
import type { SyntaxNode } from "../ast.ts";
import { CodeHasher } from "../hash.ts";
import { parseModule } from "../parse.ts";
import { DependencyClosure, FunctionContext } from "./graph.ts";
import type { DependencyResolver } from "./resolver.ts";
import { BuildSession } from "./session.ts";
import { DependencyStore, SUMMARY_FORMAT, textKeyOf } from "./store.ts";
import { ModuleSummary } from "./summary.ts";

/** Set by the build (tsup `define`) to the package version; absent when running from source. */
declare const __AUTOMEMO_VERSION__: string | undefined;
/** Set by the build (tsup `define`) to a hash of the transformer's source files; absent when running from source. */
declare const __AUTOMEMO_BUILD_ID__: string | undefined;

/** A three-file project hashed in memory: its digests cover the graph rules and the digest hashing. */
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

/** A module using most of what summaries record: imports of each kind, exports, attached statements, classes, enums, `require`. */
const FINGERPRINT_SAMPLE = `import d, { a as b } from "./x.js";
import * as ns from "y";
import type { T } from "./t.js";
export * from "./z.js";
export { b as c } from "./w.js";
const k: number = 1, { m, n: [o] } = { m: 2, n: [3] };
let counter = 0;
counter++;
export function f(p: T): number { return ns.q(p) + helper(k) + require("r").s + o + m; }
function helper(v: number) { return class extends Base { #x = v; get y() { return this.#x ?? d; } }; }
export default class Base { static z = f(1) as number; }
enum E { A = 1 }
namespace N { export const q = k; }
export const arrow = async (...args: number[][]) => { for (const [i] of args) await import("./dyn.js"); return \`\${b}\${E.A}\${N.q}\`; };
`;

/** A sample module's summary, every binding summarized: catches changes to hashing, to the parser's AST and to what summaries record. */
function summaryFingerprint(): string {
  const sample = ModuleSummary.ofText("sample.ts", FINGERPRINT_SAMPLE, textKeyOf(FINGERPRINT_SAMPLE));
  const bindings = [...sample.bindings].map(([name, binding]) => [name, binding.own, [...binding.names].map(([used, members]) => [used, members && [...members]]), [...binding.specifiers]]);
  const exports = [...sample.exports];
  return new CodeHasher().add(JSON.stringify([[...sample.names], [...sample.imports], exports, sample.starExports, bindings, sample.whole && [sample.whole.hash, [...sample.whole.specifiers]]])).digest();
}

/** The installed oxc-parser's version (its AST is what summaries record), or null if it cannot be read. */
function parserVersion(): string | null {
  try {
    const { version } = createRequire(import.meta.url)("oxc-parser/package.json") as { version?: unknown };
    return typeof version === "string" ? version : null;
  } catch {
    return null;
  }
}

/**
 * The digests of a sample planning and a sample module's summary, so a change to the
 * closure rules, the hashing, the parser's AST or what summaries record sets old
 * records aside where there is no build to go by (running from source).
 */
function sampleFingerprint(): string {
  const file = `${SAMPLE_ROOT}/a.ts`;
  const text = SAMPLE_FILES[file]!;
  const session = new BuildSession(sampleResolver, SAMPLE_ROOT, new DependencyStore(null, "", SAMPLE_ROOT));
  const { program } = parseModule(text, file, file);
  const { summary, source } = session.plannedModule(file, text, textKeyOf(text), program);
  const module = { root: SAMPLE_ROOT, current: summary, currentSource: source, session, memo: session.digests, hashedRoots: [] };
  const digests = (program.body as SyntaxNode[])
    .filter((statement) => statement.type === "ExportNamedDeclaration")
    .map((statement) => {
      const fn = statement.declaration as SyntaxNode;
      const closure: DependencyClosure = new DependencyClosure(module, new CodeHasher().addNode(fn).digest(), () => new FunctionContext(closure, summary, source, fn).addFunction());
      return closure.digest();
    });
  return `${summaryFingerprint()}:${new CodeHasher().add(digests.join(",")).digest()}`;
}

let fingerprint: string | null = null;

/**
 * What a saved store must have been written with to be trusted: the package version,
 * `SUMMARY_FORMAT`, and what the code that computed it was. A build (dist/) knows that
 * from its build id and the installed parser's version; from source, or when the
 * parser's version cannot be read, a sample is planned instead (`sampleFingerprint`):
 * about 10 ms in a new process, a tenth of a later build of a typical project.
 */
export function storeFingerprint(): string {
  if (fingerprint === null) {
    const version = typeof __AUTOMEMO_VERSION__ === "string" ? __AUTOMEMO_VERSION__ : "source";
    const parser = typeof __AUTOMEMO_BUILD_ID__ === "string" ? parserVersion() : null;
    const code = parser !== null ? `build ${__AUTOMEMO_BUILD_ID__}:oxc-parser@${parser}` : sampleFingerprint();
    fingerprint = `${version}:${SUMMARY_FORMAT}:${code}`;
  }
  return fingerprint;
}
