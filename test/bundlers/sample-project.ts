/**
 * The small TypeScript project every bundler test builds: an entry calling one
 * `@memo` function three times (two distinct arguments), printing its results, the
 * computations that really ran and the runtime's stats as JSON. Bundles run in a child
 * process so each bundler starts with an empty cache registry.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { TraceMap, originalPositionFor, type SourceMapInput } from "@jridgewell/trace-mapping";
import { expect } from "vitest";

export const repo = resolve(import.meta.dirname, "../..");
/** Bundles resolve `automemo` to the runtime source, so no build of the package is needed. */
export const runtimeEntry = join(repo, "runtime/index.ts");
/** The runtime is the plugin's dependency, never its input (in a real project it sits in node_modules). */
export const pluginOptionsForTests = { exclude: [/[\\/]node_modules[\\/]/, /[\\/]runtime[\\/]/] };

const SOURCE_MAP_MARKER = "automemo-source-map-marker";
export const MEMO_FUNCTION_ID = "src/math.ts#slowSquare";

const MATH_SOURCE = `export const computations: number[] = [];

/** @memo */
export function slowSquare(n: number): number {
  computations.push(n);
  if (n < 0) throw new RangeError("${SOURCE_MAP_MARKER}" as string);
  return n * n;
}
`;

const ENTRY_SOURCE = `import { stats } from "automemo";
import { computations, slowSquare } from "./math.ts";

const results = [slowSquare(3), slowSquare(3), slowSquare(4)];
console.log(JSON.stringify({ results, computations, stats: stats(slowSquare) }));
`;

/** Where the marker's opening quote is in src/math.ts (1-based line, 0-based column). */
const MARKER_ORIGINAL = (() => {
  const lines = MATH_SOURCE.split("\n");
  const line = lines.findIndex((text) => text.includes(SOURCE_MAP_MARKER));
  return { line: line + 1, column: lines[line]!.indexOf(SOURCE_MAP_MARKER) - 1 };
})();

/** Writes the project into test/.tmp/<name> (fresh) and returns its root. */
export function writeSampleProject(name: string, extraFiles: Record<string, string> = {}): string {
  const root = join(repo, "test/.tmp", name);
  rmSync(root, { recursive: true, force: true });
  const files = { "src/math.ts": MATH_SOURCE, "src/entry.ts": ENTRY_SOURCE, ...extraFiles };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export interface SampleRun {
  results: number[];
  computations: number[];
  stats: { hits: number; misses: number };
}

export function runBundle(file: string): SampleRun {
  return JSON.parse(execFileSync(process.execPath, [file], { encoding: "utf8" })) as SampleRun;
}

/** The memo cache really works in the bundle: 3 calls, 2 computations, 1 hit. */
export function expectCacheHit(run: SampleRun): void {
  expect(run.results).toEqual([9, 9, 16]);
  expect(run.computations).toEqual([3, 4]);
  expect(run.stats).toMatchObject({ hits: 1, misses: 2 });
}

/** The marker token in the bundle maps back to its line and column in src/math.ts. */
export function expectMarkerMapsBack(code: string, map: object): void {
  const offset = code.indexOf(SOURCE_MAP_MARKER) - 1;
  expect(offset).toBeGreaterThan(0);
  const before = code.slice(0, offset).split("\n");
  const generated = { line: before.length, column: before.at(-1)!.length };
  const original = originalPositionFor(new TraceMap(map as SourceMapInput), generated);
  expect(original.source).toMatch(/src\/math\.ts$/);
  expect({ line: original.line, column: original.column }).toEqual(MARKER_ORIGINAL);
}
