/**
 * A small project for the toolchains that run or bundle it outside Node's loader (Bun, Deno,
 * Rolldown, tsdown): a `@memo { persist: "disk" }` function in src/math.ts that calls a helper
 * from src/helper.ts, and an entry that prints what was computed as JSON. node_modules/automemo
 * holds this repository's package.json and dist/ (built by `npm test`), copied as an install
 * would: Deno type-checks a symlinked package as local files, which a real install is not.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { expect } from "vitest";
import { labelledBlock } from "../support/markdown.ts";

export const repo = resolve(import.meta.dirname, "../..");

const HELPER = "export function rate(): number {\n  return 2;\n}\n";

const MATH = `import { rate } from "./helper.ts";

export let computations = 0;

/** @memo { persist: "disk" } */
export function scaled(n: number): number {
  computations++;
  return n * rate();
}
`;

const ENTRY = `import { stats } from "automemo";
import * as math from "./math.ts";

const results = [math.scaled(3), math.scaled(3), math.scaled(4)];
console.log(JSON.stringify({ results, computations: math.computations, stats: stats(math.scaled) }));
`;

export interface ProjectRun {
  results: number[];
  computations: number;
  stats: { hits: number; misses: number; storeHits: number };
}

/** Writes a fresh project into test/.tmp/toolchains/<name>; extra files (configs) are added as given. */
export function writeRuntimeProject(name: string, extraFiles: Record<string, string> = {}): string {
  const root = join(repo, "test/.tmp/toolchains", name);
  rmSync(root, { recursive: true, force: true });
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: `automemo-${name}`, type: "module", private: true, dependencies: { automemo: "*" } }),
    "src/helper.ts": HELPER,
    "src/math.ts": MATH,
    "src/entry.ts": ENTRY,
    ...extraFiles,
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const installed = join(root, "node_modules/automemo");
  mkdirSync(installed, { recursive: true });
  cpSync(join(repo, "package.json"), join(installed, "package.json"));
  cpSync(join(repo, "dist"), join(installed, "dist"), { recursive: true });
  return root;
}

/** Runs a command in the project, with the project's own disk cache folder, and returns what it printed. */
export function execInProject(root: string, command: string, args: readonly string[]): string {
  return execFileSync(command, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, AUTOMEMO_CACHE_DIR: join(root, ".automemo-cache"), NO_COLOR: "1" },
  });
}

/** Runs the project (or its bundle) and parses the JSON line the entry prints. */
export function runProject(root: string, command: string, args: readonly string[]): ProjectRun {
  const output = execInProject(root, command, args);
  const line = output.split("\n").find((text) => text.startsWith("{"));
  if (!line) throw new Error(`no JSON line in the output of ${command} ${args.join(" ")}:\n${output}`);
  return JSON.parse(line) as ProjectRun;
}

/** The first run computes both arguments; the repeated argument is a memory hit. */
export function expectComputed(run: ProjectRun, factor: number): void {
  expect(run.results).toEqual([3 * factor, 3 * factor, 4 * factor]);
  expect(run.computations).toBe(2);
  expect(run.stats).toMatchObject({ hits: 1, misses: 2, storeHits: 0 });
}

/** A later run finds both results in the disk cache and computes nothing. */
export function expectFromDisk(run: ProjectRun, factor: number): void {
  expect(run.results).toEqual([3 * factor, 3 * factor, 4 * factor]);
  expect(run.computations).toBe(0);
  expect(run.stats).toMatchObject({ hits: 1, storeHits: 2 });
}

export function editHelper(root: string, edit: (text: string) => string): void {
  const file = join(root, "src/helper.ts");
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

/**
 * The same check for every toolchain: run (or build and run) twice, then a helper edit in
 * another file recomputes, and a whitespace-only edit of the helper does not.
 */
export function expectCacheFollowsTheCode(root: string, run: () => ProjectRun): void {
  expectComputed(run(), 2);
  expectFromDisk(run(), 2);
  editHelper(root, (text) => text.replace("return 2;", "return 3;"));
  expectComputed(run(), 3);
  editHelper(root, (text) => text.replace("return 3;", "return   3 ;\n\n"));
  expectFromDisk(run(), 3);
}

/** The code block of docs/<page> labelled `label` (```toml bunfig.toml). */
export function docsBlock(page: string, label: string): string {
  return labelledBlock(join(repo, "docs", page), label);
}
